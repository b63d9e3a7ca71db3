"""What the server and the Gradio app share: the one ``Pipeline`` (model, correctors, note
structurer), the limits, the decode worker and the live sessions. Built once, in the app's lifespan."""

from __future__ import annotations

import asyncio
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
    worker: Any = None  # medasr.asr.worker.DecodeWorker: the process's one decode queue
    live: Any = None  # medasr.ui.live.LiveSessions
    draining: asyncio.Event = field(default_factory=asyncio.Event)  # set when the server shuts down
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _tasks: set = field(default_factory=set)
    handlers: int = 0  # websocket handlers running (drain waits for them to send their final)

    def __post_init__(self) -> None:
        from medasr.asr.worker import shared_worker
        from medasr.ui.live import LiveSessions

        if self.worker is None:
            self.worker = shared_worker(self.transcriber)
        if self.live is None:
            self.live = LiveSessions(self.worker, self.limits)

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

    # -- live sessions ---------------------------------------------------------------------
    def spawn(self, coro: Any) -> None:
        """Run ``coro`` in the background, kept until done (and awaited at shutdown)."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, timeout: float = 60.0) -> None:
        """Server shutdown: refuse new sessions, let every open one send its final, finish
        the detached ones into the record."""
        self.live.closing = True
        self.draining.set()
        deadline = time.monotonic() + timeout
        while (self.handlers or self._tasks) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)

    def health(self) -> dict[str, Any]:
        """Status for probes and operators; no file-system paths (the model's folder stays private)."""
        info = self.transcriber.info
        live = self.live.health()
        return {"status": "draining" if self.live.closing else "ok",
                "model": {"name": info.name, "source": info.source, "device": info.device, "compute_type": info.compute_type},
                "sessions": live, "queue_depth": live["queue_depth"], "lag_s": live["lag_s"],
                "uptime_s": round(time.time() - self.started, 1), "limits": self.limits.to_dict()}
