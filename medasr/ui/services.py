"""What the server and the Gradio app share: the loaded model, correctors, the note
structurer, and the count of live streaming sessions. Built once, in the app's lifespan."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from medasr.asr.base import TranscribeOptions, Transcriber
from medasr.config import Settings
from medasr.errors import ConfigError
from medasr.schema import Transcript
from medasr.ui.protocol import ServeLimits

log = logging.getLogger("medasr.ui")


@dataclass(frozen=True)
class NoteResult:
    note: Any  # medasr.schema.Note
    markdown: str
    json: dict[str, Any]


@dataclass
class Services:
    settings: Settings
    transcriber: Transcriber
    limits: ServeLimits = field(default_factory=ServeLimits)
    started: float = field(default_factory=time.time)
    _pipelines: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _sessions: int = 0

    @classmethod
    def load(cls, settings: Settings, limits: ServeLimits | None = None, transcriber: Transcriber | None = None) -> Services:
        if transcriber is None:
            from medasr.asr.loader import load_transcriber

            transcriber = load_transcriber(settings)
        log.info("serving model %s (%s) on %s", transcriber.info.name, transcriber.info.source, transcriber.info.device)
        return cls(settings=settings, transcriber=transcriber, limits=limits or ServeLimits(max_sessions=settings.max_sessions))

    # -- sessions --------------------------------------------------------------------------
    def try_open_session(self) -> bool:
        with self._lock:
            if self._sessions >= self.limits.max_sessions:
                return False
            self._sessions += 1
            return True

    def close_session(self) -> None:
        with self._lock:
            self._sessions = max(0, self._sessions - 1)

    @property
    def sessions(self) -> int:
        return self._sessions

    # -- work ------------------------------------------------------------------------------
    def options(self, *, language: str | None = None, prompt: str | None = None, hotwords: str | None = None, **kw: Any) -> TranscribeOptions:
        from medasr.asr.loader import options_from_settings

        return options_from_settings(self.settings, language=language or self.settings.language, initial_prompt=prompt, hotwords=hotwords, **kw)

    def transcribe(self, audio: np.ndarray, options: TranscribeOptions, *, correct: str = "none", label: str | None = None) -> Transcript:
        t = self.transcriber.transcribe(audio, options)
        t = self.correct(t, correct)
        return t.with_changes(audio=label) if label else t

    def correct(self, transcript: Transcript, mode: str) -> Transcript:
        """Run the correctors named by ``mode`` (none, lexicon, bart, both) over a transcript."""
        mode = mode or "none"
        if mode == "none":
            return transcript
        with self._lock:
            pipe = self._pipelines.get(mode)
        if pipe is None:
            from medasr.pipeline import build_pipeline

            try:
                pipe = build_pipeline(f"asr+{mode}", self.settings, transcriber=self.transcriber)
            except ConfigError:
                raise
            except Exception as e:  # a corrector that cannot load (missing vocabulary, model)
                raise ConfigError(f"correction {mode!r} is not available here: {e}") from None
            with self._lock:
                self._pipelines[mode] = pipe
        return pipe.correct(transcript)

    def note(self, transcript: Transcript) -> NoteResult:
        import json

        from medasr.note import render, structure

        note = structure(transcript, self.settings)
        return NoteResult(note=note, markdown=render(note, "md"), json=json.loads(render(note, "json")))

    def health(self) -> dict[str, Any]:
        info = self.transcriber.info
        return {"status": "ok", "model": info.to_dict(), "sessions": {"active": self._sessions, "max": self.limits.max_sessions},
                "uptime_s": round(time.time() - self.started, 1), "limits": self.limits.to_dict()}
