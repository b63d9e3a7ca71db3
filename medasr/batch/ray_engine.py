"""``--engine ray``: Ray Data, in the pattern Ray documents for audio batch inference
(ray-project/ray ``doc/source/ray-overview/examples/e2e-audio``):

    read      from_items (local files) / read_binary_files (URLs, fetched by Ray's readers)
    decode    ds.map: CPU tasks decode and resample each file to 16 kHz (``work.decode``)
    recognize ds.map_batches(Recognizer): actors that load the model once each (--workers of them,
              --num-gpus each: float16 on GPU actors, int8 on CPU; --threads each)
    finish    ds.map_batches(Finisher): actors for correction, speakers, the note and the outputs
              rendered (correctors and the note backend load once per actor)
    write     the driver iterates the results: saves each file's outputs and its ledger line

Rows never raise: a file's error travels in its row, so one bad file never fails a block; a
job-wide problem (the model cannot load) travels as ``fatal`` and the driver stops the job.
``ray.init`` starts a private local Ray by default (no dashboard, no usage statistics, a small
object store) and ``ray.shutdown`` stops it when the job ends; ``--address`` joins a cluster.
"""

from __future__ import annotations

import logging
import math
import os
import pickle
import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from medasr.audio import SAMPLE_RATE
from medasr.batch.spec import JobSpec
from medasr.batch.work import FileResult, Worker, decode, failure
from medasr.errors import BackendError, ConfigError, MedasrError
from medasr.inputs import Input

log = logging.getLogger("medasr.batch")
OBJECT_STORE_BYTES = 512 * 1024**2  # a local Ray's shared memory; Ray spills to disk past it
DECODE_CPUS = 0.25  # decode tasks and finishing actors are light: they share cores with the transcription actors
FINISH_CPUS = 0.25
MAX_BLOCKS = 1000


def _rows(batch: Mapping[str, Any]) -> list[dict[str, Any]]:
    keys = list(batch)
    return [dict(zip(keys, values)) for values in zip(*(batch[k] for k in keys))]


def _columns(rows: list[dict[str, Any]]) -> dict[str, list]:
    return {k: [r[k] for r in rows] for k in rows[0]} if rows else {}


def _item(row: Mapping[str, Any]) -> Input:
    return Input(str(row["label"]), Path(row["path"]) if row["path"] else None, str(row["stem"]), str(row["url"]) or None)


def _fatal(row: Mapping[str, Any]):
    return pickle.loads(row["fatal"]) if row["fatal"] else None


def _with_failure(row: dict[str, Any], e: BaseException) -> dict[str, Any]:
    f = failure(_item(row), e, row.get("sha256", ""), row.get("duration", 0.0))
    return {**row, "error": f.error, "fatal": pickle.dumps(f.fatal) if f.fatal else b""}


def decode_row(row: dict[str, Any], max_seconds: float) -> dict[str, Any]:
    """The CPU stage: ``data`` (fetched by Ray) or the file at ``path`` -> float32 16 kHz samples as bytes."""
    out = {**row, "data": b"", "sha256": "", "duration": 0.0, "audio": b"", "decode_s": 0.0, "error": "", "fatal": b""}
    t0 = time.perf_counter()
    try:
        audio, sha = decode(_item(row), bytes(row["data"]) if row["data"] else None, max_seconds)
    except Exception as e:
        return _with_failure(out, e)
    return {**out, "sha256": sha, "duration": len(audio) / SAMPLE_RATE, "audio": audio.tobytes(),
            "decode_s": round(time.perf_counter() - t0, 4)}


class Recognizer:
    """A transcription actor: the pipeline and its Whisper model, loaded once."""

    def __init__(self, spec: JobSpec) -> None:
        self.init_error: BaseException | None = None
        try:
            self.worker = Worker(spec)
            self.worker.load_model()
        except Exception as e:  # reported on every row, as fatal when it is a MedasrError
            self.init_error = e

    def __call__(self, batch: Mapping[str, Any]) -> dict[str, list]:
        out = []
        for row in _rows(batch):
            row = {**row, "transcript": b""}
            if not row["error"]:
                try:
                    if self.init_error is not None:
                        raise self.init_error
                    t = self.worker.recognize(np.frombuffer(row["audio"], dtype=np.float32))
                    row["transcript"] = pickle.dumps(t)
                except Exception as e:
                    row = _with_failure(row, e)
            out.append(row)
        return _columns(out)


class Finisher:
    """A finishing actor: correction, speakers, the note and the rendered outputs (``Worker.finish``)."""

    def __init__(self, spec: JobSpec) -> None:
        self.worker = Worker(spec)

    def __call__(self, batch: Mapping[str, Any]) -> dict[str, list]:
        labels, results = [], []
        for row in _rows(batch):
            item = _item(row)
            if row["error"]:
                res = FileResult(item.label, item.stem, row["sha256"], row["duration"], error=row["error"], fatal=_fatal(row))
            else:
                try:
                    audio = np.frombuffer(row["audio"], dtype=np.float32)
                    res = self.worker.finish(item, row["sha256"], pickle.loads(row["transcript"]), audio)
                    res = replace(res, timings={"decode": row["decode_s"], **res.timings})
                except Exception as e:
                    res = failure(item, e, row["sha256"], row["duration"])
            labels.append(item.label)
            results.append(pickle.dumps(res))
        return {"label": labels, "result": results}


def url_key(url: str) -> str:
    """A URL as Ray's filesystems name the file (without its scheme), to match what read_binary_files returns."""
    return re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", url).lstrip("/")


def _from_url(row: dict[str, Any], names: Mapping[str, tuple[str, str, str]]) -> dict[str, Any]:
    label, stem, url = names[url_key(row["path"])]
    return {"label": label, "stem": stem, "path": "", "url": url, "data": row["bytes"]}


def check_resources(num_gpus: float, actor_cpus: float, workers: int, resources: Mapping[str, float]) -> None:
    """Fail clearly where the cluster cannot hold the actors (Ray would wait for them for ever)."""
    need = num_gpus * workers
    have = float(resources.get("GPU", 0.0))
    if num_gpus > 0 and have < need:
        raise ConfigError(f"--workers {workers} with --num-gpus {num_gpus:g} each needs {need:g} GPUs; the Ray cluster has {have:g}")
    need = workers * (actor_cpus + FINISH_CPUS) + DECODE_CPUS
    have = float(resources.get("CPU", 0.0))
    if have < need:
        raise ConfigError(f"--workers {workers} with {actor_cpus:g} CPU each (--threads) and their finishing stage need {need:g} CPUs; "
                          f"the Ray cluster has {have:g}")


def connect(address: str | None, workers: int, actor_cpus: float) -> None:
    """Join ``address`` (``auto``, ``ray://host:port``) or start a private local Ray for this job."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # offline: never phone home
    import ray

    level = logging.WARNING if logging.getLogger("medasr").getEffectiveLevel() <= logging.INFO else logging.ERROR
    if address:
        ray.init(address=address, logging_level=level, log_to_driver=False)
    else:
        cpus = max(os.cpu_count() or 1, math.ceil(workers * (actor_cpus + FINISH_CPUS) + 1))  # room for decode tasks beside the actors
        ray.init(address="local", num_cpus=cpus, include_dashboard=False, object_store_memory=OBJECT_STORE_BYTES,
                 logging_level=level, log_to_driver=False)
    logging.getLogger("ray.data").setLevel(level)
    log.info("ray: %s", ray.cluster_resources())


def dataset(items: list[Input], spec: JobSpec, workers: int, num_gpus: float, actor_cpus: float, files_per_call: int,
            env: Mapping[str, str]):
    import ray.data

    remote = {"runtime_env": {"env_vars": dict(env)}} if env else {}  # set before a worker process starts

    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False  # ours counts files; Ray's would draw over it
    ctx.print_on_execution_start = False
    ctx.enable_auto_log_stats = False
    local = [i for i in items if i.url is None]
    urls = [i for i in items if i.url is not None]
    parts = []
    if local:
        rows = [{"label": i.label, "stem": i.stem, "path": str(i.path), "url": "", "data": b""} for i in local]
        parts.append(ray.data.from_items(rows, override_num_blocks=min(len(rows), MAX_BLOCKS)))
    if urls:
        ctx.max_errored_blocks = len(urls)  # a URL that cannot be fetched drops its own block; the driver reports it
        try:
            fetched = ray.data.read_binary_files([i.url for i in urls], include_paths=True, ignore_missing_paths=True,
                                                 num_cpus=DECODE_CPUS, override_num_blocks=len(urls))
        except ValueError as e:  # none of them is there: each is reported as not read
            log.info("no URL could be listed: %s", e)
        else:
            names = {url_key(i.url): (i.label, i.stem, i.url) for i in urls}
            parts.append(fetched.map(_from_url, fn_kwargs={"names": names}, num_cpus=DECODE_CPUS, **remote))
    if not parts:
        return None
    ds = parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]
    ds = ds.map(decode_row, fn_kwargs={"max_seconds": spec.settings.max_audio_seconds}, num_cpus=DECODE_CPUS, **remote)
    ds = ds.map_batches(Recognizer, fn_constructor_kwargs={"spec": spec}, batch_size=files_per_call,
                        compute=ray.data.ActorPoolStrategy(size=workers), num_cpus=actor_cpus, num_gpus=num_gpus or None, **remote)
    return ds.map_batches(Finisher, fn_constructor_kwargs={"spec": spec}, batch_size=files_per_call,
                          compute=ray.data.ActorPoolStrategy(size=workers), num_cpus=FINISH_CPUS, **remote)


def ray_results(items: list[Input], spec: JobSpec, workers: int, *, num_gpus: float = 0.0, files_per_call: int = 1,
                address: str | None = None, omp_threads: str | None = None) -> Iterator[FileResult]:
    """Each item's result as Ray finishes it (in no fixed order); Ray is shut down when this ends."""
    import ray

    actor_cpus = float(max(1, spec.settings.threads))
    connect(address, workers, actor_cpus)
    try:
        check_resources(num_gpus, actor_cpus, workers, ray.cluster_resources())
        env = {"OMP_NUM_THREADS": omp_threads} if omp_threads else {}
        ds = dataset(items, spec, workers, num_gpus, actor_cpus, files_per_call, env)
        for row in ds.iter_rows() if ds is not None else ():
            yield pickle.loads(row["result"])
    except ray.exceptions.RayError as e:
        cause = getattr(e, "cause", None)
        if isinstance(cause, MedasrError):
            raise cause from None
        first = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise BackendError(f"Ray stopped the job ({type(e).__name__}: {first}); what was done is kept: run it again to go on") from None
    finally:
        ray.shutdown()
