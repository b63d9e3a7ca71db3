"""One model worker per process: every live session's windows go through one queue to one
thread that owns the model (WhisperLive's shape), so N sessions never run N decodes at once
on the same cores.

A session may queue its decode before it knows the window (``decode_latest``): the worker
asks for the window when it gets to the job, so a window waiting behind other sessions'
decodes still holds all the audio that arrived while it waited. With N sessions a round
takes N decodes; a window taken at queueing time is a round old when decoded, and
LocalAgreement needs two windows to commit a word, so taking it late saves most of a round
of commit latency.

A window decodes with its own beam while no other window waits, and greedily
(``busy_beam_size``) while others do (or share its batch): the encoder's pass over Whisper's fixed 30 s costs the
same for any window, so the beam is the part a busy worker can save (2 cores, tiny.en: an
8 s window 0.46 s greedy against 0.59 s with beam 5, a 12 s one 0.47 against 0.77 s). One
session keeps the full beam, which reads degraded audio better (an aliased 8 kHz clip).

The worker takes up to ``max_batch`` waiting windows per call and decodes them together
when the transcriber can (``transcribe_batch``), else one by one. It times every call and
feeds ``Capacity``, which decides how many sessions fit. Batching pays on a GPU; on two CPU
cores it measured no gain per window and only delays the first result of a batch
(``benchmarks/stream_batching.py``), so CPU workers decode one window per call by default.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from typing import Any, Optional

import numpy as np

from medasr.asr.base import TranscribeOptions, Transcriber
from medasr.audio import SAMPLE_RATE
from medasr.asr.capacity import Capacity
from medasr.schema import Transcript

log = logging.getLogger("medasr.asr.worker")
CALIBRATION_SECONDS = 8.0  # a typical streaming window


def default_max_batch(transcriber: Transcriber) -> int:
    if not hasattr(transcriber, "transcribe_batch"):
        return 1
    return 8 if transcriber.info.device == "cuda" else 1


Prepare = Callable[[], Optional[tuple[np.ndarray, TranscribeOptions]]]


@dataclass
class _Job:
    audio: np.ndarray | None
    options: TranscribeOptions | None
    prepare: Prepare | None = None  # called on the worker's thread just before the decode
    future: Future = field(default_factory=Future)
    queued: float = field(default_factory=time.perf_counter)


class DecodeWorker:
    """``decode(audio, options)`` from any thread; the worker thread does the work."""

    def __init__(self, transcriber: Transcriber, *, max_batch: int | None = None, capacity: Capacity | None = None,
                 calibrate: bool = True, busy_beam_size: int = 1) -> None:
        self.transcriber = transcriber
        self.busy_beam_size = busy_beam_size
        self.max_batch = max_batch or default_max_batch(transcriber)
        self.capacity = capacity or Capacity(max_batch=self.max_batch)
        self._queue: deque[_Job] = deque()
        self._cond = threading.Condition()
        self._closed = False
        self.windows = 0
        self.calls = 0
        self.busy_seconds = 0.0
        self.started = time.perf_counter()
        if calibrate:
            self.calibrate()
        self._thread = threading.Thread(target=self._run, name="medasr-decode", daemon=True)
        self._thread.start()

    # -- use -------------------------------------------------------------------------------
    def submit(self, audio: np.ndarray | None, options: TranscribeOptions | None, prepare: Prepare | None = None) -> Future:
        job = _Job(audio, options, prepare)
        with self._cond:
            if self._closed:
                raise RuntimeError("the decode worker is closed")
            self._queue.append(job)
            self._cond.notify()
        return job.future

    def decode(self, audio: np.ndarray, options: TranscribeOptions) -> Transcript:
        """Blocking: queue one window and wait for its transcript."""
        return self.submit(audio, options).result()

    def decode_latest(self, prepare: Prepare) -> Transcript | None:
        """Blocking: queue a decode whose window ``prepare()`` gives when the worker gets to
        it (None from ``prepare``: nothing to decode, and None here)."""
        return self.submit(None, None, prepare).result()

    @property
    def queue_depth(self) -> int:
        return len(self._queue)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout=30)

    # -- the thread ------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._closed:
                    self._cond.wait()
                if self._closed and not self._queue:
                    return
                jobs = [self._queue.popleft() for _ in range(min(self.max_batch, len(self._queue)))]
                busy = bool(self._queue)  # other windows wait behind these
            jobs = [j for j in jobs if self._prepare(j)]
            if not jobs:
                continue
            if busy or len(jobs) > 1:  # sessions share the worker (a queue, or one batch on a GPU)
                for j in jobs:
                    assert j.options is not None
                    if j.options.beam_size > self.busy_beam_size:
                        j.options = replace(j.options, beam_size=self.busy_beam_size)
            t0 = time.perf_counter()
            try:
                results = self._decode([j.audio for j in jobs], [j.options for j in jobs])  # type: ignore[misc]
            except BaseException as e:  # the model failed: every waiting session hears of it
                for j in jobs:
                    j.future.set_exception(e)
                continue
            wall = time.perf_counter() - t0
            if all(j.options is not None and j.options.beam_size <= self.busy_beam_size for j in jobs):
                # capacity is what a window costs while sessions share the worker (greedy); a lone
                # window's full-beam decode would make a quiet worker look busy
                self.capacity.record(len(jobs), wall)
            self.windows += len(jobs)
            self.calls += 1
            self.busy_seconds += wall
            for j, r in zip(jobs, results):
                j.future.set_result(r)

    @staticmethod
    def _prepare(job: _Job) -> bool:
        """Take a late job's window now; False when there is nothing to decode (answered)."""
        if job.prepare is None:
            return True
        try:
            got = job.prepare()
        except BaseException as e:
            job.future.set_exception(e)
            return False
        if got is None:
            job.future.set_result(None)
            return False
        job.audio, job.options = got
        return True

    def _decode(self, audios: list[np.ndarray], options: list[TranscribeOptions]) -> list[Transcript]:
        batch = getattr(self.transcriber, "transcribe_batch", None)
        if batch is not None:
            return batch(audios, options)
        return [self.transcriber.transcribe(a, o) for a, o in zip(audios, options)]

    # -- measuring -------------------------------------------------------------------------
    def calibrate(self, seconds: float = CALIBRATION_SECONDS) -> None:
        """Time a decode of one window and of a full batch (the transcriber's own probe when
        it has one: a decode forced to a speech-like number of tokens; else a real decode of
        quiet noise, which the first real decodes then correct)."""
        probe = getattr(self.transcriber, "probe_cost", None)
        try:
            for b in sorted({1, self.max_batch}):
                times = []
                for _ in range(2):  # the first call warms caches up
                    t0 = time.perf_counter()
                    if probe is not None:
                        probe(b, seconds, self.busy_beam_size)  # the cost of a window while sessions share the worker
                    else:
                        noise = (np.random.default_rng(0).standard_normal(int(seconds * SAMPLE_RATE)) * 1e-3).astype(np.float32)
                        self._decode([noise] * b, [TranscribeOptions(vad=False)] * b)
                    times.append(time.perf_counter() - t0)
                self.capacity.record(b, times[-1])
        except Exception as e:  # a model that cannot decode fails its sessions, not the server's start
            log.warning("decode worker: calibration failed (%s); capacity is learnt from real decodes", e)
        log.info("decode worker: %s", self.capacity.to_dict())

    def stats(self) -> dict[str, Any]:
        up = max(1e-9, time.perf_counter() - self.started)
        return {"queue_depth": self.queue_depth, "windows": self.windows, "calls": self.calls,
                "busy_share": round(self.busy_seconds / up, 3), "capacity": self.capacity.to_dict()}


_WORKERS: dict[int, tuple[Transcriber, DecodeWorker]] = {}
_LOCK = threading.Lock()


def live_transcriber(transcriber: Transcriber) -> Transcriber:
    """What decodes live windows: a DOMAIN+GENERAL pair's domain model alone. Two decodes a window
    doubled the commit latency (p95 5.7 s against 1.7 s for one real-time session on 2 cores,
    benchmarks/results/stream-pair-two-decodes/), so live dictation keeps up on one model and the offline
    paths (transcribe, batch, uploads) keep the pair."""
    from medasr.asr.hybrid import HybridTranscriber

    return transcriber.domain if isinstance(transcriber, HybridTranscriber) else transcriber


def shared_worker(transcriber: Transcriber, **kw: Any) -> DecodeWorker:
    """The process's one worker for ``transcriber``'s live windows (made, and calibrated, on first use)."""
    transcriber = live_transcriber(transcriber)
    with _LOCK:
        got = _WORKERS.get(id(transcriber))
        if got is None or got[0] is not transcriber:
            got = (transcriber, DecodeWorker(transcriber, **kw))
            _WORKERS[id(transcriber)] = got
        return got[1]
