"""The live sessions of one server process: who may start (admission from the decode
worker's measured capacity), how far each lags, and a short record of recent sessions so
that nothing received is lost when a client goes away.

A session whose client disconnects is *detached*: its audio and committed words stay here
for ``resume_grace`` seconds, and a client that reconnects with ``{"resume": id}`` carries
on. When the grace runs out (or the server shuts down) the stream is finished: its tail is
decoded and the final transcript kept in the record, which ``GET /v1/sessions/{id}``
returns, for ``record_ttl`` seconds. Records live in memory only (transcripts are PHI).
"""

from __future__ import annotations

import itertools
import logging
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from medasr.asr.capacity import Admission
from medasr.asr.streaming import StreamingTranscriber
from medasr.asr.worker import DecodeWorker
from medasr.ui.protocol import ServeLimits

log = logging.getLogger("medasr.ui.live")
_ids = itertools.count(1)


@dataclass
class SessionRecord:
    id: str
    stream: StreamingTranscriber
    started: float = field(default_factory=time.time)
    state: str = "live"  # live | detached | done
    detached_at: float = 0.0
    ended_at: float = 0.0
    final: dict[str, Any] | None = None  # the final message, once made
    reason: str = ""  # why it ended: done | idle_timeout | session_too_long | shutdown | disconnected | error
    audio: list[np.ndarray] = field(default_factory=list)  # kept only when the final message labels speakers

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"session_id": self.id, "state": self.state, "reason": self.reason,
                               "audio_s": round(self.stream.audio_seconds, 3), "decoded_s": round(self.stream.decoded_seconds, 3),
                               "committed_text": "".join(w.text for w in self.stream.committed).strip()}
        if self.final is not None:
            out["final"] = self.final
        return out


class LiveSessions:
    def __init__(self, worker: DecodeWorker, limits: ServeLimits) -> None:
        self.worker = worker
        self.limits = limits
        self._records: dict[str, SessionRecord] = {}
        self._lock = threading.Lock()
        self.refused = 0
        self.closing = False

    # -- admission -------------------------------------------------------------------------
    @property
    def active(self) -> list[SessionRecord]:
        with self._lock:
            return [r for r in self._records.values() if r.state == "live"]

    def worst_lag(self) -> float:
        return max((r.stream.lag_seconds for r in self.active), default=0.0)

    def admit(self) -> Admission:
        if self.closing:
            return Admission(False, "the server is shutting down")
        a = self.worker.capacity.admit(len(self.active) + len(self.detached()), interval=self.limits.decode_interval, worst_lag=self.worst_lag(),
                                       lag_bound=self.limits.lag_bound, cap=self.limits.max_sessions)
        if not a.ok:
            self.refused += 1
        return a

    def max_sessions(self) -> int:
        fit = self.worker.capacity.sessions(self.limits.decode_interval)
        return min(fit, self.limits.max_sessions) if self.limits.max_sessions else fit

    # -- the record ------------------------------------------------------------------------
    def open(self, stream: StreamingTranscriber) -> SessionRecord:
        rec = SessionRecord(id=f"s{next(_ids)}-{secrets.token_hex(4)}", stream=stream)
        with self._lock:
            self._expire()
            self._records[rec.id] = rec
        return rec

    def get(self, session_id: str) -> SessionRecord | None:
        with self._lock:
            self._expire()
            return self._records.get(session_id)

    def detach(self, rec: SessionRecord) -> None:
        rec.state, rec.detached_at = "detached", time.time()

    def resume(self, session_id: str) -> SessionRecord | None:
        """The detached session ``session_id``, live again; None when unknown or finished."""
        with self._lock:
            rec = self._records.get(session_id)
            if rec is None or rec.state != "detached":
                return None
            rec.state = "live"
            return rec

    def done(self, rec: SessionRecord, final: dict[str, Any] | None, reason: str) -> None:
        rec.final, rec.reason, rec.state, rec.ended_at = final, reason, "done", time.time()

    def detached(self) -> list[SessionRecord]:
        with self._lock:
            return [r for r in self._records.values() if r.state == "detached"]

    def overdue(self, now: float | None = None) -> list[SessionRecord]:
        """Detached sessions whose grace has run out (to be finished into the record)."""
        now = time.time() if now is None else now
        return [r for r in self.detached() if now - r.detached_at >= self.limits.resume_grace]

    def _expire(self) -> None:
        now = time.time()
        for sid in [k for k, r in self._records.items() if r.state == "done" and now - r.ended_at > self.limits.record_ttl]:
            del self._records[sid]
        done = sorted((r for r in self._records.values() if r.state == "done"), key=lambda r: r.ended_at)
        for r in done[: max(0, len(done) - self.limits.max_records)]:
            del self._records[r.id]

    # -- reporting -------------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        live = self.active
        lags = [r.stream.lag_seconds for r in live]
        return {"active": len(live), "detached": len(self.detached()), "max": self.max_sessions(),
                "configured_max": self.limits.max_sessions or None, "refused": self.refused,
                "lag_s": {"max": round(max(lags), 3) if lags else 0.0, "mean": round(sum(lags) / len(lags), 3) if lags else 0.0},
                "queue_depth": self.worker.queue_depth, "worker": self.worker.stats()}
