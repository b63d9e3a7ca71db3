"""The driver of a ``medasr batch`` job: plan (what the ledger says is done is skipped), run the
engine, save each file's outputs and its ledger line as results arrive, write the results table
and the summary. The one writer of the output folder."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from medasr.batch.ledger import LEDGER_NAME, Ledger, file_stat
from medasr.batch.results import Tally, table_row, write_results
from medasr.batch.spec import JobSpec
from medasr.batch.work import FileResult
from medasr.errors import ConfigError
from medasr.inputs import Input
from medasr.writers import save_files

log = logging.getLogger("medasr.batch")


@dataclass(frozen=True)
class EngineOptions:
    engine: str = "local"  # local | ray
    workers: int = 1
    num_gpus: float = 0.0  # per worker
    files_per_call: int = 1  # files handed to an actor per call (Ray's map_batches batch_size)
    address: str | None = None  # a Ray cluster to join; None starts a local one
    omp_threads: str | None = None  # OMP_NUM_THREADS for Ray's workers (None: Ray's choice)

    def describe(self) -> str:
        gpus = f", {self.num_gpus:g} GPU each" if self.num_gpus else ""
        where = f" at {self.address}" if self.address else ""
        return f"{self.engine}{where} ({self.workers} worker{'s' if self.workers != 1 else ''}{gpus})"


def engine_results(todo: list[Input], spec: JobSpec, opts: EngineOptions) -> Iterator[FileResult]:
    if opts.engine == "ray":
        if spec.settings.speakers == "channels":
            raise ConfigError("--speakers channels needs each file's channels, which the Ray engine's decode stage "
                              "downmixes: use --engine local (or medasr transcribe) for multi-channel files")
        from medasr.batch.ray_engine import ray_results

        return ray_results(todo, spec, opts.workers, num_gpus=opts.num_gpus, files_per_call=opts.files_per_call,
                           address=opts.address, omp_threads=opts.omp_threads)
    from medasr.batch.local import local_results

    return local_results(todo, spec, opts.workers)


def _record(r: FileResult, stat: tuple[int, int] | None, settings_hash: str, engine: str) -> dict:
    return {"file": r.label, "stem": r.stem, "status": "failed" if r.error else "done", "error": r.error, "sha256": r.sha256,
            "size": stat[0] if stat else None, "mtime_ns": stat[1] if stat else None, "settings": settings_hash,
            "duration": round(r.duration, 3), "model": r.model, "pipeline": r.pipeline, "text": r.text,
            "timings": dict(r.timings), "outputs": list(r.files) if not r.error else [], "engine": engine}


def run_batch(inputs: list[Input], out_dir: Path, spec: JobSpec, opts: EngineOptions, tally: Tally | None = None,
              echo: Callable[[str], None] | None = None) -> list[dict]:
    """Run the job, counting in ``tally``; returns the results table's rows. A fatal error (or Ctrl-C)
    stops it after the results table is written: everything done so far is kept and a rerun goes on."""
    echo = echo or (lambda m: tqdm.write(m, file=sys.stderr))
    t0 = time.perf_counter()
    settings_hash = spec.settings_hash()
    ledger = Ledger(out_dir / LEDGER_NAME)
    stats = {i.label: file_stat(i) for i in inputs}
    status: dict[str, str] = {}
    todo = []
    for i in inputs:
        if ledger.done(i, settings_hash, out_dir, stats[i.label]):
            status[i.label] = "skipped"
        else:
            todo.append(i)
    tally = tally if tally is not None else Tally()
    tally.skipped = len(inputs) - len(todo)
    log.info("%d files, %d done before with these settings (%s), %d to do", len(inputs), tally.skipped, settings_hash, len(todo))
    bar = tqdm(total=len(todo), unit="file", desc="batch", file=sys.stderr, disable=None if todo else True, leave=False)
    by_label = {i.label: i for i in todo}
    try:
        if todo:
            with closing(engine_results(todo, spec, opts)) as results:
                for r in results:
                    if r.fatal is not None:
                        raise r.fatal
                    _save(r, out_dir, ledger, stats.get(r.label), settings_hash, opts.engine, tally, echo)
                    status[r.label] = "failed" if r.error else "done"
                    by_label.pop(r.label, None)
                    bar.update(1)
            for i in list(by_label.values()):  # a URL Ray's reader could not fetch gives no row at all
                r = FileResult(i.label, i.stem, error=f"{i.label}: not read: missing or unreadable at the source")
                _save(r, out_dir, ledger, None, settings_hash, opts.engine, tally, echo)
                status[i.label] = "failed"
    finally:
        bar.close()
        rows = [table_row(i.label, i.stem, status.get(i.label, "pending"), ledger.latest.get(i.label) if i.label in status else None)
                for i in inputs]
        tally.pending = sum(1 for r in rows if r["status"] == "pending")
        write_results(rows, out_dir)
        tally.wall = time.perf_counter() - t0
    return rows


def _save(r: FileResult, out_dir: Path, ledger: Ledger, stat, settings_hash: str, engine: str, tally: Tally, echo) -> None:
    """Outputs first (each through a rename), then the ledger line that says they are whole."""
    if r.error:
        tally.failed += 1
        echo(f"medasr: error: {r.error}")
    else:
        save_files(r.files, out_dir)
        tally.done += 1
        tally.audio_seconds += r.duration
        tally.model = tally.model or r.model
    ledger.append(_record(r, stat, settings_hash, engine))
