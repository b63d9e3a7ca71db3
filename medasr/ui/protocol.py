"""The streaming websocket protocol (``WS /v1/stream``): frames, limits, errors, close codes.

Shaped after WhisperLive/WhisperLiveKit. Client -> server: one JSON config frame, binary
audio frames (``pcm_s16le`` or ``f32le``, mono, at ``sample_rate``), then ``{"type": "end"}``.
Server -> client: ``ready`` (``session_id``; ``resumed`` and ``received_s`` when the config
carried ``"resume": session_id``), ``partial`` (unstable tail), ``committed`` (words that
will not change), ``lag`` (``behind``, ``lag_s``, ``received_s``, ``decoded_s``,
``queue_depth``: the session fell behind its audio, or caught up again), ``final`` (the whole
transcript, edits, the note if asked; ``reason``: done, session_too_long, idle_timeout,
shutdown), ``error``.
Errors are ``{"type": "error", "code", "message"}`` followed by a close whose code says why.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from medasr.audio import PCM_ENCODINGS, SAMPLE_RATE, decode_pcm
from medasr.correction.modes import MODES, parse_mode
from medasr.errors import AudioError, ConfigError
from medasr.schema import Word

ENCODINGS = tuple(PCM_ENCODINGS)
WS_MAX_SIZE = 64 << 20  # uvicorn's own frame cap; ours (ServeLimits.max_frame_bytes) answers first

# error code -> websocket close code (RFC 6455 section 7.4.1)
CLOSE_CODES: dict[str, int] = {
    "unauthorized": 1008,  # policy violation
    "server_busy": 1013,  # try again later
    "bad_config": 1007,  # invalid frame payload data
    "bad_json": 1007,
    "audio_before_config": 1003,  # unsupported data
    "bad_encoding": 1003,
    "odd_bytes": 1007,
    "bad_audio": 1007,
    "bad_message": 1003,
    "frame_too_large": 1009,  # message too big
    "session_too_long": 1008,
    "idle_timeout": 1008,
    "unknown_session": 1008,
    "shutdown": 1001,  # going away
    "internal_error": 1011,
}


class ProtocolError(Exception):
    """A client mistake or a limit reached: sent as an error frame, then the socket closes."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def close_code(self) -> int:
        return CLOSE_CODES.get(self.code, 1008)

    def frame(self) -> dict[str, Any]:
        return {"type": "error", "code": self.code, "message": self.message}


@dataclass(frozen=True)
class ServeLimits:
    """What a client may send; every limit has a clear error code."""

    max_frame_bytes: int = 1 << 20  # one binary frame (1 MiB: ~32 s of 16 kHz pcm_s16le)
    max_session_seconds: float = 2 * 3600.0  # audio per websocket session
    idle_timeout: float = 30.0  # seconds without any frame
    max_sessions: int = 0  # concurrent websocket sessions; 0: as many as the measured capacity allows
    max_request_bytes: int = 100 << 20  # a REST request body (25 MiB is OpenAI's limit; we allow more)
    # each live session needs a decode this often: admission sizes from it. A word commits when
    # two windows agree on it, so its latency is about two intervals and a decode: 3 s keeps the
    # commit latency under 6 s (chosen on the dev passages of benchmarks/streaming_latency.py)
    decode_interval: float = 3.0
    lag_bound: float = 4.0  # a session this far behind its audio is told so ("lag"); new sessions wait (one decoded every decode_interval lags by up to that and a decode)
    resume_grace: float = 30.0  # a disconnected session may be resumed this long
    record_ttl: float = 600.0  # finished sessions' transcripts are kept (in memory) this long
    max_records: int = 64

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class ClientConfig:
    """The first frame of a session, validated once."""

    sample_rate: int = SAMPLE_RATE
    encoding: str = "pcm_s16le"
    language: str | None = None
    hotwords: str | None = None
    prompt: str | None = None
    correct: str = "none"
    note: bool = False
    resume: str | None = None  # a session id from an earlier "ready": carry on with that session
    speakers: str = "none"  # none | auto | N: the final message labels speakers (the session keeps its audio for it)
    roles: str = "auto"

    @classmethod
    def parse(cls, text: str, default_correct: str = "none") -> ClientConfig:
        try:
            d = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise ProtocolError("bad_json", f"the config frame is not valid JSON ({e.msg} at position {e.pos})") from None
        if not isinstance(d, dict):
            raise ProtocolError("bad_config", "the config frame must be a JSON object")
        d = dict(d)
        if d.pop("type", "config") != "config":
            raise ProtocolError("bad_config", f'the first frame must be the config: {{"type": "config", "sample_rate": {SAMPLE_RATE}, "encoding": "pcm_s16le"}}')
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ProtocolError("bad_config", f"unknown config keys: {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        rate = d.get("sample_rate", SAMPLE_RATE)
        if not isinstance(rate, int) or isinstance(rate, bool) or not 8000 <= rate <= 48000:
            raise ProtocolError("bad_config", f"sample_rate must be an integer from 8000 to 48000, not {rate!r}")
        enc = d.get("encoding", "pcm_s16le")
        if enc not in ENCODINGS:
            raise ProtocolError("bad_encoding", f"encoding must be one of {', '.join(ENCODINGS)}, not {enc!r}")
        try:
            correct = parse_mode(d.get("correct", default_correct))  # the server's --correct when the client names none
        except ConfigError:
            raise ProtocolError("bad_config", f"correct must be true, false or one of {', '.join(MODES)}, not {d.get('correct')!r}") from None
        for key in ("language", "hotwords", "prompt", "resume"):
            if d.get(key) is not None and not isinstance(d[key], str):
                raise ProtocolError("bad_config", f"{key} must be a string or null")
        lang = d.get("language")
        if lang is not None and not (1 < len(lang) < 8):
            raise ProtocolError("bad_config", f"language must be a code such as 'en', not {lang!r}")
        speakers, roles = _speakers(d.get("speakers", "none"), d.get("roles", "auto"))
        return cls(sample_rate=rate, encoding=enc, language=lang, hotwords=d.get("hotwords"), prompt=d.get("prompt"),
                   correct=correct, note=bool(d.get("note", False)), resume=d.get("resume"), speakers=speakers, roles=roles)

    @property
    def bytes_per_sample(self) -> int:
        return 2 if self.encoding == "pcm_s16le" else 4

    def decode(self, data: bytes) -> np.ndarray:
        """One binary frame -> 16 kHz mono float32 (``medasr.audio.decode_pcm``)."""
        if len(data) % self.bytes_per_sample:
            raise ProtocolError("odd_bytes", f"a {self.encoding} frame must hold whole {self.bytes_per_sample}-byte samples; got {len(data)} bytes")
        try:
            return decode_pcm(data, self.encoding, self.sample_rate)
        except AudioError as e:
            raise ProtocolError("bad_audio", str(e)) from None


def _speakers(speakers: Any, roles: Any) -> tuple[str, str]:
    from medasr.speakers.spec import parse_roles, parse_speakers

    try:
        spec = parse_speakers(None if speakers is None else str(speakers))
        role_spec = parse_roles(None if roles is None else str(roles))
    except ConfigError as e:
        raise ProtocolError("bad_config", str(e)) from None
    if spec.mode == "channels":
        raise ProtocolError("bad_config", "speakers 'channels' needs a multi-channel file; a stream is mono: use auto or a number")
    return str(spec) if spec.enabled else "none", str(role_spec)


def word_dict(w: Word) -> dict[str, Any]:
    return {"start": w.start, "end": w.end, "text": w.text, "probability": w.probability}
