"""What the user named on the command line, as inputs: files, folders (searched recursively for
audio), globs and ``-`` (stdin); each with the label messages and transcripts show and a stem
for its output files, unique across the inputs so outputs from different folders never collide.

``medasr transcribe`` and ``medasr batch`` expand their arguments here, so one argument gives
the same labels and output names in both.
"""

from __future__ import annotations

import glob
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from medasr.audio import AUDIO_EXTENSIONS


@dataclass(frozen=True)
class Input:
    label: str  # what the user sees in messages (and the transcript's ``audio``)
    path: Path | None  # None for stdin and for a URL
    stem: str
    url: str | None = None  # a remote file (s3://, gs://, https://, ...): only Ray's readers fetch these


def audio_files(folder: Path) -> list[Path]:
    """The audio files under ``folder``, recursively, sorted."""
    return sorted(f for f in folder.rglob("*") if f.is_file() and f.suffix.lower() in AUDIO_EXTENSIONS)


def expand_inputs(args: Iterable[str]) -> tuple[list[Input], list[str]]:
    """Turn CLI arguments into inputs; returns (inputs, errors) so one bad argument does not stop the rest."""
    inputs: list[Input] = []
    errors: list[str] = []
    for arg in args:
        found, error = expand_arg(arg)
        inputs.extend(found)
        if error:
            errors.append(error)
    return unique_stems(inputs), errors


def expand_arg(arg: str) -> tuple[list[Input], str | None]:
    """One argument's inputs (stems not yet made unique) and the error when it names nothing."""
    if arg == "-":
        return [Input("<stdin>", None, "stdin")], None
    p = Path(arg)
    if p.is_dir():
        found = audio_files(p)
        error = None if found else f"{arg}: folder has no audio files ({', '.join(sorted(AUDIO_EXTENSIONS)[:6])}, ...)"
        return [Input(str(f), f, f.stem) for f in found], error
    if p.exists() or not glob.has_magic(arg):
        return [Input(arg, p, p.stem or "audio")], None
    matches = sorted(Path(m) for m in glob.glob(arg, recursive=True) if Path(m).is_file())
    return [Input(str(m), m, m.stem) for m in matches], None if matches else f"{arg}: no files match this pattern"


def unique_stems(inputs: Iterable[Input]) -> list[Input]:
    """The inputs in order, a later input whose stem was taken getting ``<stem>-1``, ``<stem>-2``, ...
    (the first number no other input has)."""
    taken: set[str] = set()
    unique = []
    for i in inputs:
        stem, n = i.stem, 0
        while stem in taken:
            n += 1
            stem = f"{i.stem}-{n}"
        taken.add(stem)
        unique.append(i if stem == i.stem else replace(i, stem=stem))
    return unique
