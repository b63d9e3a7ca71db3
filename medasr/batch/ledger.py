"""The job's state: ``ledger.jsonl`` in the output folder, one JSON line per file finished or failed.

The driver appends a line only after the file's outputs are saved (each through a ``.part`` name
and a rename), and syncs it to disk, so a job killed at any moment leaves whole outputs and a
ledger that says which of them are done; a torn last line (killed mid-write) is ignored. A rerun
skips a file when its latest line says ``done`` with the same settings hash and stem, its outputs
are all there, and it is the same content: same size and modification time, or else the same
sha256 (then a fresh line records the new time, so the next rerun need not hash it again).
Failed files are tried again.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from medasr.files import sha256_file
from medasr.inputs import Input

LEDGER_NAME = "ledger.jsonl"
log = logging.getLogger("medasr.batch")


def file_stat(item: Input) -> tuple[int, int] | None:
    """(size, modification time in ns) of a local input, None for a URL or a file that cannot be read."""
    if item.path is None:
        return None
    try:
        st = item.path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


class Ledger:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.latest: dict[str, dict[str, Any]] = {}  # file label -> its last line
        self.torn = 0
        if path.is_file():
            self._read()

    def _read(self) -> None:
        with open(self.path, encoding="utf-8") as fh:
            for line in fh:
                try:
                    rec = json.loads(line)
                    self.latest[rec["file"]] = rec
                except (json.JSONDecodeError, KeyError, TypeError):
                    self.torn += 1  # a line cut short by a kill: that file is simply done again
        if self.torn:
            log.warning("%s: ignored %d unreadable line(s)", self.path, self.torn)

    def append(self, record: Mapping[str, Any]) -> None:
        """One line, written whole and synced before the call returns."""
        rec = {**record, "at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        self.latest[rec["file"]] = rec

    def done(self, item: Input, settings_hash: str, out_dir: Path, stat: tuple[int, int] | None) -> dict[str, Any] | None:
        """The line that makes ``item`` skippable under the rule above, or None (do it)."""
        rec = self.latest.get(item.label)
        if not rec or rec.get("status") != "done" or rec.get("settings") != settings_hash or rec.get("stem") != item.stem:
            return None
        if not all((out_dir / name).is_file() for name in rec.get("outputs") or ()):
            return None
        if item.url is not None:
            return rec  # a URL is its own identity (its bytes are only read by the workers)
        if stat is None:
            return None
        if [rec.get("size"), rec.get("mtime_ns")] == list(stat):
            return rec
        try:
            same = sha256_file(item.path) == rec.get("sha256")
        except OSError:
            return None
        if not same:
            return None
        self.append({**rec, "size": stat[0], "mtime_ns": stat[1]})
        return rec
