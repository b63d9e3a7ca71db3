"""``WS /v1/stream``: one streaming session per connection (see ``medasr.ui.protocol``).

A receiver task reads frames and feeds a ``StreamingTranscriber``; a decoder task runs its
``process_iter`` in a worker thread whenever enough new audio arrived and sends ``partial``
and ``committed`` frames. ``{"type": "end"}`` (or the session limit) flushes the rest and
sends ``final``. Any protocol error gets an error frame and a close code that says why;
other sessions are not affected.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import itertools
import json
import logging
import time
from typing import Any

import numpy as np
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from medasr.asr.streaming import StreamingTranscriber, StreamUpdate
from medasr.errors import MedasrError
from medasr.speakers.labels import has_speakers, speaker_labels
from medasr.ui.protocol import ClientConfig, ProtocolError, word_dict
from medasr.ui.services import Services, note_views

log = logging.getLogger("medasr.ui.stream")
_ids = itertools.count(1)


def _authorized(ws: WebSocket, key: str | None) -> bool:
    if not key:
        return True
    auth = ws.headers.get("authorization", "")
    given = auth[7:] if auth.lower().startswith("bearer ") else ws.query_params.get("api_key", "")
    return hmac.compare_digest(given.encode(), key.encode())


class _Session:
    def __init__(self, ws: WebSocket, services: Services) -> None:
        self.ws = ws
        self.services = services
        self.limits = services.limits
        self.id = f"s{next(_ids)}"
        self.send_lock = asyncio.Lock()
        self.wake = asyncio.Event()
        self.ended = False
        self.over_limit = False
        self.stream: StreamingTranscriber | None = None
        self.config: ClientConfig | None = None
        self.n_committed = 0
        self.audio: list[np.ndarray] = []  # kept only when the final message labels speakers
        self.failed: BaseException | None = None  # set when the decoder thread failed

    async def send(self, msg: dict[str, Any]) -> None:
        async with self.send_lock:
            if self.ws.client_state != WebSocketState.CONNECTED:
                raise WebSocketDisconnect(1006)
            try:
                await self.ws.send_text(json.dumps(msg))
            except (OSError, RuntimeError) as e:  # the client went away mid-send
                raise WebSocketDisconnect(1006) from e

    async def receive(self) -> dict[str, Any]:
        try:
            msg = await asyncio.wait_for(self.ws.receive(), timeout=self.limits.idle_timeout)
        except asyncio.TimeoutError:
            raise ProtocolError("idle_timeout", f"no frame for {self.limits.idle_timeout:g} s; closing the session") from None
        if msg["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(msg.get("code", 1000))
        return msg

    async def read_config(self) -> None:
        msg = await self.receive()
        if msg.get("bytes") is not None:
            raise ProtocolError("audio_before_config", "audio arrived before the config frame; send {\"type\": \"config\", ...} first")
        self.config = ClientConfig.parse(msg.get("text") or "")
        cfg = self.config
        pipe = self.services.pipeline
        self.stream = pipe.stream(pipe.options(language=cfg.language, initial_prompt=cfg.prompt, hotwords=cfg.hotwords))
        log.info("session %s: %s at %d Hz, correct=%s, note=%s", self.id, cfg.encoding, cfg.sample_rate, cfg.correct, cfg.note)
        await self.send({"type": "ready", "session_id": self.id, "model": self.services.transcriber.info.name,
                         "sample_rate": cfg.sample_rate, "encoding": cfg.encoding, "limits": self.limits.to_dict()})

    async def receive_audio(self) -> None:
        assert self.config is not None and self.stream is not None
        while True:
            msg = await self.receive()
            if self.failed is not None:
                raise self.failed
            data = msg.get("bytes")
            if data is not None:
                if len(data) > self.limits.max_frame_bytes:
                    raise ProtocolError("frame_too_large", f"a frame of {len(data)} bytes is over the limit of {self.limits.max_frame_bytes} bytes; send smaller frames")
                chunk = self.config.decode(data)
                self.stream.insert_audio_chunk(chunk)
                if self.config.speakers != "none":
                    self.audio.append(chunk)
                if self.stream.audio_seconds > self.limits.max_session_seconds:
                    self.over_limit = True
                    return
                self.wake.set()
                continue
            text = msg.get("text") or ""
            try:
                obj = json.loads(text)
            except json.JSONDecodeError:
                raise ProtocolError("bad_json", "a text frame must be JSON, e.g. {\"type\": \"end\"}") from None
            kind = obj.get("type") if isinstance(obj, dict) else None
            if kind == "end":
                return
            if kind == "config":
                raise ProtocolError("bad_message", "the config was already sent; it cannot change mid-session")
            raise ProtocolError("bad_message", f"unknown message type {kind!r}; expected binary audio or {{\"type\": \"end\"}}")

    async def decode_loop(self) -> None:
        assert self.stream is not None
        min_chunk = self.stream.config.min_chunk
        while True:  # after the end frame, keep decoding until less than a chunk is left
            if self.stream.pending_seconds < min_chunk:
                if self.ended:
                    return
                self.wake.clear()
                try:
                    await asyncio.wait_for(self.wake.wait(), timeout=0.5)
                except asyncio.TimeoutError:
                    pass
                continue
            try:
                update = await run_in_threadpool(self.stream.process_iter)
            except Exception as e:
                self.failed = e
                raise
            await self.emit(update)

    async def emit(self, u: StreamUpdate) -> None:
        if u.committed:
            self.n_committed += len(u.committed)
            await self.send({"type": "committed", "text": "".join(w.text for w in u.committed), "start": u.committed[0].start,
                             "end": u.committed[-1].end, "words": [word_dict(w) for w in u.committed],
                             "utterance_end": u.utterance_end, "audio_end": round(u.processed_seconds, 3)})
        if not u.final:
            await self.send({"type": "partial", "text": "".join(w.text for w in u.partial), "audio_end": round(u.processed_seconds, 3),
                             "received": round(u.audio_seconds, 3)})

    async def finish(self) -> None:
        assert self.stream is not None and self.config is not None
        u = await run_in_threadpool(self.stream.finish)
        await self.emit(u)
        transcript = self.stream.transcript()
        out: dict[str, Any] = {"type": "final", "session_id": self.id}
        pipe = self.services.pipeline
        audio = None
        if self.config.speakers != "none":
            pipe = pipe.with_speakers(self.config.speakers, self.config.roles)
            audio = np.concatenate(self.audio) if self.audio else np.zeros(0, np.float32)
        try:
            transcript = await run_in_threadpool(pipe.process, transcript, correct=self.config.correct, audio=audio)
        except MedasrError as e:
            out["correction_error"] = str(e)
        out.update({"text": transcript.text, "transcript": transcript.to_dict(), "edits": [e.to_dict() for e in transcript.edits]})
        if has_speakers(transcript):
            out["speakers"] = speaker_labels(transcript)  # S1 -> "Clinician", ...: the segments carry speaker, role, role_score
        if self.config.note:
            try:
                out["note"] = note_views(await run_in_threadpool(pipe.note, transcript))
            except MedasrError as e:
                out["note_error"] = str(e)
        await self.send(out)


async def stream_endpoint(ws: WebSocket) -> None:
    services: Services = ws.app.state.services
    await ws.accept()
    s = _Session(ws, services)
    opened = False
    decoder: asyncio.Task | None = None
    t0 = time.perf_counter()
    try:
        if not _authorized(ws, services.settings.api_key):
            raise ProtocolError("unauthorized", "missing or wrong API key: send 'Authorization: Bearer <key>' or ?api_key=")
        opened = services.try_open_session()
        if not opened:
            raise ProtocolError("server_busy", f"the server is busy: {services.limits.max_sessions} sessions are open; try again shortly")
        await s.read_config()
        decoder = asyncio.create_task(s.decode_loop())
        await s.receive_audio()
        s.ended = True
        s.wake.set()
        await decoder
        if s.over_limit:
            await s.send(ProtocolError("session_too_long", f"the session passed {services.limits.max_session_seconds:g} s of audio; what was received is transcribed below").frame())
        await s.finish()
        await _close(ws, 1008 if s.over_limit else 1000, "session_too_long" if s.over_limit else "done")
    except ProtocolError as e:
        log.info("session %s: %s (%s)", s.id, e.code, e.message)
        with contextlib.suppress(WebSocketDisconnect):
            await s.send(e.frame())
        await _close(ws, e.close_code, e.code)
    except WebSocketDisconnect:
        log.info("session %s: client went away", s.id)
    except Exception:
        log.exception("session %s failed", s.id)
        with contextlib.suppress(WebSocketDisconnect):
            await s.send(ProtocolError("internal_error", "the server failed on this session; see its log").frame())
        await _close(ws, 1011, "internal_error")
    finally:
        s.ended = True
        if decoder is not None and not decoder.done():
            decoder.cancel()
        if opened:
            services.close_session()
        log.info("session %s closed after %.1f s (%.1f s audio)", s.id, time.perf_counter() - t0, s.stream.audio_seconds if s.stream else 0.0)


async def _close(ws: WebSocket, code: int, reason: str) -> None:
    if ws.client_state == WebSocketState.CONNECTED:
        try:
            await ws.close(code, reason)
        except (RuntimeError, WebSocketDisconnect):
            pass
