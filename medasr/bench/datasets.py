"""Benchmark sets: any JSONL manifest, plus the ready-made ones.

A set is any speech manifest (``medasr.manifest``): ``audio`` and ``text`` per line, optionally
``id`` and ``group`` (or ``source``), which capped sets keep round-robin.

Ready-made sets (``--set NAME``):
  ``real-speech``  ``<shared>/real-speech/manifest.jsonl`` (JFK, LJ Speech, spoken digits)
  ``librivox``     Debian ``pocketsphinx-testdata``'s five LibriVox clips
  ``primock``      the clinical conversation set made by ``medasr bench build-primock``
  ``general-dev``, ``general-test``  real general speech split for choosing / reporting
  ``prompts-dev``, ``prompts-test``  fresh real read English (Asterisk prompts), split likewise
                   (``medasr.bench.general``: JFK, LJ Speech, LibriVox, cards, spoken digits)
Anything else is taken as a manifest path (the synth test split, for one); ``PATH@SPLIT``
keeps only the rows whose ``"split"`` is SPLIT (a synth corpus's ``manifest.jsonl@dev``).
``<shared>`` is ``$MEDASR_SHARED_DATA`` if set, else ``<repo>/../shared/data``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from medasr.config import Settings
from medasr.errors import InputError
from medasr.manifest import ManifestRow, read_manifest, write_rows

POCKETSPHINX_DIR = Path("/usr/share/pocketsphinx/test/data/librivox")


@dataclass(frozen=True)
class BenchSet:
    name: str
    manifest: Path
    utterances: tuple[ManifestRow, ...]


def shared_data_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get("MEDASR_SHARED_DATA"):
        return Path(env["MEDASR_SHARED_DATA"])
    return Path(__file__).resolve().parents[2].parent / "shared" / "data"


def load_manifest(path: str | Path, name: str | None = None, *, limit: int | None = None, split: str | None = None) -> BenchSet:
    """A set from any manifest (``medasr.manifest``); every audio file must exist. ``split``:
    only the rows of that split (a synth corpus's ``dev`` or ``test``)."""
    path = Path(path)
    utts = [u for u in read_manifest(path, check_audio=split is None) if split is None or u.split == split]
    if split is not None:
        missing = next((u.audio for u in utts if not u.audio.is_file()), None)
        if missing is not None:
            raise InputError(f"manifest {path}: audio file {missing} not found")
    if not utts:
        raise InputError(f"manifest {path}: holds no utterances" + (f" of split {split!r}" if split else ""))
    default = path.parent.name if path.stem == "manifest" else path.stem
    return BenchSet(name or default, path, tuple(subsample(utts, limit)))


def subsample(utts: list[ManifestRow], limit: int | None) -> list[ManifestRow]:
    """At most ``limit`` utterances, taken round-robin over groups, so a capped set keeps every
    kind of speech it has; within a group, evenly spaced through it. Deterministic."""
    if not limit or limit >= len(utts):
        return list(utts)
    groups: dict[str, list[ManifestRow]] = {}
    for u in utts:
        groups.setdefault(u.group, []).append(u)
    queues = [_spread(g) for g in groups.values()]
    chosen: set[int] = set()
    while len(chosen) < limit:
        for q in queues:
            if q and len(chosen) < limit:
                chosen.add(id(q.pop(0)))
    return [u for u in utts if id(u) in chosen]


def _spread(items: list[ManifestRow]) -> list[ManifestRow]:
    """``items`` reordered so that any prefix is spread evenly over the list (0, n/2, n/4, 3n/4...)."""
    order, seen, step = [], set(), len(items)
    while len(order) < len(items):
        for i in range(0, len(items), max(step, 1)):
            if i not in seen:
                seen.add(i)
                order.append(items[i])
        step //= 2
    return order


def librivox_manifest(out_dir: Path, source: Path = POCKETSPHINX_DIR) -> Path:
    """Write a manifest for pocketsphinx-testdata's LibriVox clips (absolute audio paths)."""
    from medasr.bench.general import sphinx_rows

    trans = source / "transcription"
    if not trans.is_file():
        raise InputError(f"{trans} not found: install the Debian package pocketsphinx-testdata")
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / "librivox.jsonl"
    write_rows(out, sphinx_rows(source, "transcription", "librivox"), sort=False)
    return out


def bench_dir(settings: Settings) -> Path:
    return Path(settings.home) / "bench"


def resolve_set(name: str, settings: Settings, *, limit: int | None = None) -> BenchSet:
    """A ready-made set by name, or a manifest path; ``NAME:N`` caps that set at N and
    ``LABEL=PATH`` names a manifest set in the report (default: its file stem)."""
    label = None
    m = re.fullmatch(r"([A-Za-z][\w.-]*)=(.+)", name)
    if m:
        label, name = m.group(1), m.group(2)
    m = re.fullmatch(r"(.+):(\d+)", name)
    if m:
        name, limit = m.group(1), int(m.group(2))
    if name == "real-speech":
        return load_manifest(shared_data_dir() / "real-speech" / "manifest.jsonl", name, limit=limit)
    if name == "librivox":
        return load_manifest(librivox_manifest(bench_dir(settings)), name, limit=limit)
    if name in ("general-dev", "general-test"):
        from medasr.bench.general import general_manifest

        path = general_manifest(name.split("-")[1], shared_data_dir() / "real-speech", bench_dir(settings))
        return load_manifest(path, name, limit=limit)
    if name in ("prompts-dev", "prompts-test"):
        from medasr.bench.prompts import prompts_manifest

        return load_manifest(prompts_manifest(name.split("-")[1], bench_dir(settings)), name, limit=limit)
    if name == "primock":
        path = bench_dir(settings) / "primock" / "manifest.jsonl"
        if not path.is_file():
            raise InputError(f"the primock set is not built ({path} missing): run `medasr bench build-primock` first")
        return load_manifest(path, name, limit=limit)
    split = None
    m = re.fullmatch(r"(.+\.jsonl?)@(\w+)", name)
    if m:
        name, split = m.group(1), m.group(2)
    path = Path(name)
    if path.suffix in (".jsonl", ".json") or path.exists():
        return load_manifest(path, label, limit=limit, split=split)
    raise InputError(f"unknown benchmark set {name!r}: use real-speech, librivox, primock, general-dev, general-test, prompts-dev, prompts-test or a manifest .jsonl path")
