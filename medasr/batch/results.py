"""The results table beside the outputs (``results.jsonl`` and ``results.parquet``: one row per
input of the run, done now, skipped as done before, failed, or pending when the run stopped
early) and the summary line."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medasr.writers import PART

COLUMNS = ("file", "stem", "status", "error", "sha256", "settings", "duration", "model", "pipeline", "text", "timings",
           "outputs", "engine", "at")
RESULTS_NAME = "results"


def table_row(label: str, stem: str, status: str, rec: Mapping[str, Any] | None) -> dict[str, Any]:
    rec = rec or {}
    row = {c: rec.get(c) for c in COLUMNS}
    row.update(file=label, stem=stem, status=status, error=rec.get("error") or "",
               outputs=list(rec.get("outputs") or ()), timings=dict(rec.get("timings") or {}))
    return row


def write_results(rows: list[dict[str, Any]], out_dir: Path) -> list[Path]:
    """``results.jsonl`` and, where pyarrow is installed, ``results.parquet``; each through a rename."""
    out_dir.mkdir(parents=True, exist_ok=True)
    jsonl = out_dir / f"{RESULTS_NAME}.jsonl"
    tmp = jsonl.with_name(jsonl.name + PART)
    with open(tmp, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    os.replace(tmp, jsonl)
    written = [jsonl]
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        return written  # the batch extra brings pyarrow; without it the JSON lines are the table
    flat = [{**r, "timings": json.dumps(r["timings"])} for r in rows]  # stage names vary: a JSON string column
    schema = pa.schema([(c, pa.list_(pa.string()) if c == "outputs" else pa.float64() if c == "duration" else pa.string())
                        for c in COLUMNS])
    parquet = out_dir / f"{RESULTS_NAME}.parquet"
    tmp = parquet.with_name(parquet.name + PART)
    pq.write_table(pa.Table.from_pylist(flat, schema=schema), tmp)
    os.replace(tmp, parquet)
    return [*written, parquet]


@dataclass
class Tally:
    done: int = 0
    skipped: int = 0
    failed: int = 0
    pending: int = 0
    audio_seconds: float = 0.0  # of the files done in this run
    model: str = ""
    wall: float = 0.0

    def line(self, engine: str, out_dir: Path, interrupted: bool = False) -> str:
        wall = self.wall
        n = self.done + self.skipped + self.failed + self.pending
        speed = f"{self.audio_seconds / wall:.1f}x real time" if wall > 0 and self.audio_seconds > 0 else "x real time n/a"
        pending = f", {self.pending} not done{' (interrupted: run it again to finish)' if interrupted else ''}" if self.pending else ""
        model = f"; model {self.model}" if self.model else ""
        return (f"medasr batch: {n} file{'s' if n != 1 else ''}: {self.done} done, {self.skipped} skipped, {self.failed} failed{pending}; "
                f"audio {self.audio_seconds / 3600:.3f} h, wall {wall:.1f} s, {speed}; engine {engine}{model}; results in {out_dir}")

