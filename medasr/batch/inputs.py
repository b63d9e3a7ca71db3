"""The list stage: ``medasr batch`` arguments as inputs.

Folders (searched recursively), files and globs expand as ``medasr transcribe`` expands them
(``medasr.inputs``), so a file gets the same label and output name in both. A manifest (JSON
lines, CSV or Parquet with an ``audio`` column; relative paths resolve against the manifest's
folder) contributes its rows. A URL (``s3://``, ``gs://``, ``https://``, ``file://``, ...) is kept
as it is, for Ray's readers to fetch.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

from medasr.errors import InputError
from medasr.inputs import Input, expand_arg, unique_stems
from medasr.manifest import is_table, read_table

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
AUDIO_COLUMN = "audio"
log = logging.getLogger("medasr.batch")


def is_url(arg: str) -> bool:
    return bool(_URL.match(arg))


def url_input(url: str) -> Input:
    name = PurePosixPath(urlparse(url).path).name
    return Input(url, None, PurePosixPath(name).stem or "audio", url=url)


def manifest_inputs(path: Path) -> list[Input]:
    """The ``audio`` column of a manifest as inputs; a missing column or an empty cell is an ``InputError``."""
    rows = read_table(path)
    if not rows:
        raise InputError(f"manifest {path}: has no rows")
    out = []
    for where, row in rows:
        if AUDIO_COLUMN not in row:
            columns = ", ".join(map(str, row)) or "none"
            raise InputError(f"manifest {path}, {where}: no {AUDIO_COLUMN!r} column (columns: {columns})")
        value = row[AUDIO_COLUMN]
        if not isinstance(value, str) or not value.strip():
            raise InputError(f"manifest {path}, {where}: {AUDIO_COLUMN!r} must be a path or URL, not {value!r}")
        value = value.strip()
        if is_url(value):
            out.append(url_input(value))
            continue
        audio = Path(value)
        audio = audio if audio.is_absolute() else path.parent / audio
        out.append(Input(str(audio), audio, audio.stem or "audio"))
    return out


def list_inputs(args: Iterable[str]) -> tuple[list[Input], list[str]]:
    """(inputs with unique stems, errors): an argument that names nothing, or a bad manifest, is one
    error line and the others still run."""
    inputs: list[Input] = []
    errors: list[str] = []
    for arg in args:
        if arg == "-":
            errors.append("-: medasr batch reads files, folders, globs, manifests and URLs, not stdin (use medasr transcribe -)")
        elif is_url(arg):
            inputs.append(url_input(arg))
        elif is_table(arg) and Path(arg).is_file():
            try:
                inputs.extend(manifest_inputs(Path(arg)))
            except InputError as e:
                errors.append(str(e))
        else:
            found, error = expand_arg(arg)
            inputs.extend(found)
            if error:
                errors.append(error)
    seen: set[str] = set()
    once = [i for i in inputs if not (i.label in seen or seen.add(i.label))]  # a file named twice is done once
    if len(once) < len(inputs):
        log.warning("%d input(s) named more than once; each is transcribed once", len(inputs) - len(once))
    return unique_stems(once), errors
