"""Comparing what two runs wrote: each output file as text, a JSON file without its ``timings``
(wall seconds, which differ every run; key order kept), so equal outputs compare equal byte for
byte. Used by the refactor's outputs check, the batch benchmark and the batch tests."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def strip_timings(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: strip_timings(v) for k, v in obj.items() if k != "timings"}
    if isinstance(obj, list):
        return [strip_timings(v) for v in obj]
    return obj


def normalized(path: Path) -> str:
    """The file's text; for ``.json``, re-dumped without ``timings``."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.dumps(strip_timings(json.loads(text)), indent=2, ensure_ascii=False) + "\n"
    return text


def normalized_outputs(folder: Path, skip: Iterable[str] = ("ledger.jsonl", "results.jsonl", "results.parquet")) -> dict[str, str]:
    """{file name: normalized text} for every file in ``folder`` except ``skip`` (a batch job's own files)."""
    skip = set(skip)
    return {p.name: normalized(p) for p in sorted(folder.iterdir()) if p.is_file() and p.name not in skip}
