"""The speech manifest (``manifest.jsonl``): one row type and its one reader and writer.

A manifest is JSON lines, one utterance a line: ``audio`` (relative to the manifest's folder, or
absolute) and ``text`` (written form: what should be heard) are required; ``id``, ``split``
(train | dev | test), ``spoken``, ``terms``, ``engine``, ``voice``, ``augmentation``, ``kind``
and ``group`` (or ``source``) are optional, other keys are kept in ``extra``. ``medasr synth``
writes them, ``medasr bench`` scores them, ``medasr train`` learns from them, the corrector
makes pairs from them, and the GPU machine reads the ones carried to it.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medasr.errors import InputError

KNOWN = ("id", "audio", "text", "split", "spoken", "terms", "engine", "voice", "kind", "group", "source")


@dataclass(frozen=True)
class ManifestRow:
    id: str
    audio: Path  # resolved against the manifest's folder
    text: str
    split: str = "train"
    spoken: str = ""
    terms: tuple[str, ...] = ()  # the written forms of the terms the text holds
    engine: str = ""
    voice: str = ""
    kind: str = ""  # "medical", "general", "short" where the corpus says so
    group: str = ""  # what kind of speech (a voice, a source): a capped set keeps every group
    parts: tuple[Path, ...] = ()  # a packed training clip: these files in a row (``audio`` is the first)
    extra: Mapping[str, Any] = field(default_factory=dict)  # the line's other keys (augmentation, ...)


def _numbered(path: Path) -> list[tuple[int, dict[str, Any]]]:
    opener = gzip.open if path.name.endswith(".gz") else open
    rows = []
    with opener(path, "rt", encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
            except json.JSONDecodeError as e:
                raise InputError(f"manifest {path}, line {n}: not valid JSON ({e.msg})") from None
            if not isinstance(d, dict):
                raise InputError(f"manifest {path}, line {n}: not a JSON object")
            rows.append((n, d))
    return rows


def read_rows(path: str | Path) -> list[dict[str, Any]]:
    """The JSON objects of a JSON-lines file as written (gzipped when it ends in ``.gz``), blank lines skipped."""
    return [d for _, d in _numbered(Path(path))]


def _row(d: dict[str, Any], folder: Path, where: str, check_audio: bool) -> ManifestRow:
    if not isinstance(d.get("audio"), str) or not isinstance(d.get("text"), str):
        raise InputError(f"{where}: needs string fields 'audio' and 'text'")
    audio = Path(d["audio"])
    audio = audio if audio.is_absolute() else folder / audio
    if check_audio and not audio.is_file():
        raise InputError(f"{where}: audio file {audio} not found")
    terms = tuple(t if isinstance(t, str) else str(t.get("text", t)) for t in d.get("terms") or ())
    return ManifestRow(
        id=str(d.get("id") or audio.stem), audio=audio, text=d["text"], split=str(d.get("split") or "train"),
        spoken=str(d.get("spoken") or ""), terms=terms, engine=str(d.get("engine") or ""), voice=str(d.get("voice") or ""),
        kind=str(d.get("kind") or ""), group=str(d.get("group") or d.get("source") or ""),
        extra={k: v for k, v in d.items() if k not in KNOWN},
    )


def read_manifest(path: str | Path, *, check_audio: bool = False) -> list[ManifestRow]:
    """The rows of a manifest (``path`` or its folder); ``check_audio``: every audio file must exist."""
    path = Path(path)
    if path.is_dir():
        path = path / "manifest.jsonl"
    if not path.is_file():
        raise InputError(f"manifest {path}: file not found")
    return [_row(d, path.parent, f"manifest {path}, line {n}", check_audio) for n, d in _numbered(path)]


def manifest_line(row: Mapping[str, Any]) -> str:
    """One row as the writer writes it: compact, keys sorted, so equal rows are equal lines."""
    return json.dumps(row, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def write_rows(path: str | Path, rows: Iterable[Mapping[str, Any]], *, sort: bool = True) -> int:
    """Write rows, sorted by id unless ``sort`` is false (the order a set was chosen in), atomically:
    a stopped run leaves the old file. Returns how many."""
    path = Path(path)
    ordered = sorted(rows, key=lambda r: str(r["id"])) if sort else list(rows)
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        for r in ordered:
            fh.write(manifest_line(r) + "\n")
    os.replace(tmp, path)
    return len(ordered)


TABLE_SUFFIXES = (".jsonl", ".jsonl.gz", ".csv", ".parquet")


def is_table(path: str | Path) -> bool:
    """A manifest by its name: JSON lines (``.jsonl``, ``.jsonl.gz``), CSV or Parquet."""
    return str(path).lower().endswith(TABLE_SUFFIXES)


def read_table(path: str | Path) -> list[tuple[str, dict[str, Any]]]:
    """The rows of a JSON-lines, CSV or Parquet manifest, each with where it is (``line 3``, ``row 3``)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"manifest {path}: file not found")
    name = path.name.lower()
    if name.endswith((".jsonl", ".jsonl.gz")):
        return [(f"line {n}", d) for n, d in _numbered(path)]
    if name.endswith(".csv"):
        import csv

        try:
            with open(path, newline="", encoding="utf-8-sig") as fh:
                reader = csv.DictReader(fh)
                return [(f"line {reader.line_num}", dict(d)) for d in reader]  # blank lines skipped, numbers kept
        except (UnicodeDecodeError, csv.Error) as e:
            raise InputError(f"manifest {path}: not a readable CSV file ({e})") from None
    if name.endswith(".parquet"):
        try:
            import pyarrow.parquet as pq
        except ImportError:
            raise InputError(f"manifest {path}: reading Parquet needs pyarrow (pip install 'medasr[batch]')") from None
        try:
            rows = pq.read_table(path).to_pylist()
        except Exception as e:  # pyarrow raises ArrowInvalid, OSError, ... for a file that is not Parquet
            raise InputError(f"manifest {path}: not a readable Parquet file ({type(e).__name__})") from None
        return [(f"row {n}", d) for n, d in enumerate(rows, 1)]
    raise InputError(f"manifest {path}: unknown kind of table; use .jsonl, .csv or .parquet")
