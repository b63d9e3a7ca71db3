"""``--engine local``: a plain process pool on this machine, no Ray.

Each worker process builds the pipeline and loads the model once (the pool's initializer), then
runs every step of a file (``Worker.run``) and hands the rendered outputs back; the driver saves
them. Workers ignore Ctrl-C (the driver stops them), so an interrupt leaves no tracebacks.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from medasr.batch.spec import JobSpec
from medasr.batch.work import FileResult, Worker
from medasr.errors import ConfigError
from medasr.inputs import Input

log = logging.getLogger("medasr.batch")
_WORKER: Worker | None = None


def _start(spec: JobSpec, level: int) -> None:
    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    _WORKER = Worker(spec)
    try:
        _WORKER.load_model()
    except Exception:
        pass  # the first file reports it (as fatal, with its message)


def _run(item: Input) -> FileResult:
    assert _WORKER is not None
    return _WORKER.run(item)


def check_local(items: list[Input]) -> None:
    urls = [i.url for i in items if i.url]
    if urls:
        more = f" (and {len(urls) - 1} more)" if len(urls) > 1 else ""
        raise ConfigError(f"{urls[0]}{more}: the local engine reads local files only; URLs need --engine ray, whose readers fetch them")


def local_results(items: list[Input], spec: JobSpec, workers: int) -> Iterator[FileResult]:
    """Each item's result as it finishes; at most ``2 x workers`` files queued at a time."""
    check_local(items)
    ctx = multiprocessing.get_context("spawn")  # CTranslate2 and OpenMP do not survive a fork
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_start,
                               initargs=(spec, logging.getLogger("medasr").getEffectiveLevel()))
    pending: dict[Future, Input] = {}
    queue = iter(items)
    finished_all = False
    try:
        while True:
            while len(pending) < 2 * workers and (item := next(queue, None)) is not None:
                pending[pool.submit(_run, item)] = item
            if not pending:
                finished_all = True
                return
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for f in finished:
                item = pending.pop(f)
                try:
                    yield f.result()
                except BrokenProcessPool:
                    yield FileResult(item.label, item.stem, error=f"{item.label}: the worker process died (out of memory?); run the job again to retry it")
                    for other in pending:
                        other.cancel()
                    for left in [*pending.values(), *queue]:
                        yield FileResult(left.label, left.stem, error=f"{left.label}: not done: a worker process died; run the job again")
                    pending.clear()
                    return
    finally:
        if not finished_all:  # an interrupt or a fatal error: stop the workers now, not after their files
            for p in list((getattr(pool, "_processes", None) or {}).values()):
                p.terminate()
        pool.shutdown(wait=True, cancel_futures=True)
