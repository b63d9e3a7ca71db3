"""``medasr batch INPUT... --out DIR``: many recordings, on Ray Data (a local Ray by default, a
cluster with ``--address``) or a local process pool (``--engine local``); resumable."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import click

from medasr.cli.options import bias_of, parse_formats, resolve_settings, transcribe_options
from medasr.errors import ConfigError

log = logging.getLogger("medasr.cli")


def _needs_ray() -> None:
    try:
        import pyarrow  # noqa: F401
        import ray.data  # noqa: F401
    except ImportError:
        raise ConfigError("--engine ray needs Ray Data: pip install 'medasr[batch]' (or run with --engine local)") from None


@click.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the outputs (<name>.<format>), the ledger (ledger.jsonl) and the results table (results.jsonl, results.parquet).")
@transcribe_options(
    device="auto and cpu run CPU workers (int8); cuda, or --num-gpus above 0, runs GPU workers (float16). [default: auto]",
    batch_size="faster-whisper's batched pipeline in each worker with this batch size (0: sequential). [default: 0]",
    threads="CPU threads for CTranslate2 in each worker (0: its default, as medasr transcribe; int8 results can differ in a word with another count).",
)
@click.option("--engine", type=click.Choice(["ray", "local"]), default="ray", show_default=True,
              help="ray: Ray Data (a local Ray, or the cluster at --address); local: a process pool on this machine, no Ray.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True, help="Transcription workers (Ray actors or processes), each loading the model once.")
@click.option("--num-gpus", type=click.FloatRange(min=0), help="GPUs per worker (0.5: two workers a GPU); above 0 runs float16 on CUDA. [default: 0, or 1 with --device cuda]")
@click.option("--files-per-call", type=click.IntRange(min=1), default=1, show_default=True, help="Files handed to a Ray actor per call (Ray Data's map_batches batch_size).")
@click.option("--address", help="A Ray cluster to join: auto (the one `ray start` runs here) or ray://host:port. Default: a private local Ray for this job.")
def batch(inputs, out_dir, engine, workers, num_gpus, files_per_call, address, **opts) -> None:
    """Transcribe folders, globs, manifests (JSONL/CSV/Parquet with an audio column) or URLs into
    the --out folder; a rerun skips files done before with the same settings."""
    from medasr.batch.inputs import list_inputs
    from medasr.batch.local import check_local
    from medasr.batch.results import Tally
    from medasr.batch.runner import EngineOptions, run_batch
    from medasr.batch.spec import JobSpec, placement, resolve_model_id

    fmts = parse_formats(opts["formats"])
    settings = resolve_settings(opts)
    if address and engine != "ray":
        raise ConfigError("--address joins a Ray cluster: use it with --engine ray")
    items, errors = list_inputs(inputs)
    for e in errors:
        click.echo(f"medasr: error: {e}", err=True)
    if not items:
        click.echo("medasr: error: no audio to transcribe; nothing was written", err=True)
        sys.exit(1)
    if engine == "local":
        check_local(items)
    else:
        _needs_ray()
    settings, gpus = placement(settings, num_gpus)

    from medasr.pipeline import build_pipeline

    options = build_pipeline(settings).options(**bias_of(opts))  # a bad --terms file or --specialty stops here
    if settings.correct != "none" or opts["with_note"]:
        _vocabulary(settings)
    spec = JobSpec(settings, options, tuple(fmts), opts["with_note"], model_id=resolve_model_id(settings))
    # Ray sets OMP_NUM_THREADS to a task's CPUs where it is unset, and numpy's BLAS (the log-mel
    # features) rounds differently with another thread count: a private Ray's workers get this
    # shell's value (unset means one per core), so they compute as medasr transcribe would here
    omp = os.environ.get("OMP_NUM_THREADS") or (None if address else str(len(os.sched_getaffinity(0))))
    eng = EngineOptions(engine, workers, gpus, files_per_call, address, omp)
    tally = Tally()
    interrupted = False
    try:
        run_batch(items, out_dir, spec, eng, tally)
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        click.echo(tally.line(eng.describe(), out_dir, interrupted), err=True)
    sys.exit(1 if tally.failed or errors else 0)


def _vocabulary(settings) -> None:
    """Build the vocabulary once here, before the workers (each would otherwise build its own)."""
    from medasr.vocab import build_vocabulary, vocabulary_path

    if not vocabulary_path(settings).is_file():
        build_vocabulary(settings, progress=True)
