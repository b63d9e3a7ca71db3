"""What the server and the Gradio app share: the one ``Pipeline`` (model, correctors, note
structurer), the limits, and the count of live streaming sessions. Built once, in the app's lifespan."""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from medasr.asr.base import Transcriber
from medasr.config import Settings
from medasr.pipeline import Pipeline, build_pipeline
from medasr.schema import Note
from medasr.ui.protocol import ServeLimits

log = logging.getLogger("medasr.ui")


def note_views(note: Note) -> dict[str, Any]:
    """The note as the server and the app show it: Markdown and its JSON."""
    from medasr.note import render

    return {"markdown": render(note, "md"), "json": json.loads(render(note, "json"))}


@dataclass
class Services:
    settings: Settings
    pipeline: Pipeline
    limits: ServeLimits = field(default_factory=ServeLimits)
    started: float = field(default_factory=time.time)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _sessions: int = 0

    @classmethod
    def load(cls, settings: Settings, limits: ServeLimits | None = None, transcriber: Transcriber | None = None,
             pipeline: Pipeline | None = None) -> Services:
        """Build the pipeline (``pipeline`` or ``transcriber`` are for tests and embedding) and load its model now."""
        pipeline = pipeline or build_pipeline(settings, transcriber=transcriber)
        info = pipeline.transcriber.info
        log.info("serving model %s (%s) on %s", info.name, info.source, info.device)
        return cls(settings=settings, pipeline=pipeline, limits=limits or ServeLimits(max_sessions=settings.max_sessions))

    @property
    def transcriber(self) -> Transcriber:
        return self.pipeline.transcriber

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

    def health(self) -> dict[str, Any]:
        info = self.transcriber.info
        return {"status": "ok", "model": info.to_dict(), "sessions": {"active": self._sessions, "max": self.limits.max_sessions},
                "uptime_s": round(time.time() - self.started, 1), "limits": self.limits.to_dict()}
