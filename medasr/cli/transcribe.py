"""``medasr transcribe PATH...``: files, folders, globs, ``-`` for stdin."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import click

from medasr.cli.options import bias_of, parse_formats, resolve_settings, transcribe_options
from medasr.errors import AudioError, InputError, MedasrError
from medasr.inputs import expand_inputs

log = logging.getLogger("medasr.cli")


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("-o", "--output-dir", type=click.Path(file_okay=False, path_type=Path), help="Write <name>.<format> files here. Without it, one input and one format print to stdout; otherwise files go to the current folder.")
@transcribe_options()
def transcribe(paths, output_dir, **opts) -> None:
    """Transcribe audio files, folders, globs, or - (stdin)."""
    fmts = parse_formats(opts["formats"])
    settings = resolve_settings(opts)
    with_note = opts["with_note"]
    inputs, errors = expand_inputs(paths)
    for e in errors:
        click.echo(f"medasr: error: {e}", err=True)
    if not inputs:
        sys.exit(1)
    to_stdout = output_dir is None and len(inputs) == 1 and len(fmts) == 1 and not with_note
    out_dir = output_dir or Path(".")

    from medasr.cli.run import TranscribeJob

    job = TranscribeJob(settings, **bias_of(opts), with_note=with_note)
    options = job.options  # a bad --terms file or --specialty stops here, before any input
    log.debug("options: %s", options)
    failures = len(errors)
    t_start = time.perf_counter()
    audio_seconds = 0.0
    progress = job.progress_bar(len(inputs))
    try:
        for inp in inputs:
            try:
                result = job.run(inp, progress)
            except AudioError as e:
                failures += 1
                progress.write(f"medasr: error: {e}")
                continue
            except InputError as e:  # --note on a transcript with no words
                failures += 1
                progress.write(f"medasr: error: {inp.label}: {e}")
                continue
            except MedasrError:
                raise  # model/config problems stop the batch: every file would fail the same way
            audio_seconds += result.transcript.duration
            if to_stdout:
                from medasr.writers import get_writer

                sys.stdout.write(get_writer(fmts[0]).format(result.transcript))
                sys.stdout.flush()
            else:
                job.write(result, inp.stem, fmts, out_dir)
    finally:
        progress.close()
    wall = time.perf_counter() - t_start
    click.echo(job.summary(len(inputs) - (failures - len(errors)), failures, audio_seconds, wall), err=True)
    sys.exit(1 if failures else 0)
