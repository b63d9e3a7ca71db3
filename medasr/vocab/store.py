"""The vocabulary artifact: one SQLite file under ``MEDASR_HOME/vocab/``.

Why SQLite: it is in the standard library, loads in milliseconds (entries are read on demand
by id or code through indexes), is inspectable with any SQLite tool, and a build is atomic
(written to a temporary file, then renamed). The matcher's in-memory index is built from the
``surfaces`` table, whose spelling and phonetic keys are precomputed at build time.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from medasr.config import Settings
from medasr.errors import ConfigError
from medasr.vocab import sources
from medasr.vocab.keys import norm, phonetic
from medasr.vocab.sources import Row

log = logging.getLogger("medasr.vocab")

VERSION = "5"  # bump when the schema or the build changes; the file name carries it
SEP = "\x1f"

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE entries (id INTEGER PRIMARY KEY, written TEXT NOT NULL, kind TEXT NOT NULL,
  codes TEXT NOT NULL, spoken TEXT NOT NULL, source TEXT NOT NULL, synonyms TEXT NOT NULL);
CREATE TABLE surfaces (entry_id INTEGER NOT NULL, norm TEXT NOT NULL, phon TEXT NOT NULL, kind TEXT NOT NULL);
CREATE TABLE codes (code TEXT NOT NULL, entry_id INTEGER NOT NULL);
CREATE TABLE common (word TEXT PRIMARY KEY, zipf REAL NOT NULL);
"""
_INDEXES = """
CREATE INDEX surfaces_norm ON surfaces(norm);
CREATE INDEX codes_code ON codes(code);
"""


def default_path(settings: Settings) -> Path:
    """``settings.vocab`` if set, else ``<home>/vocab/medvocab-v<VERSION>.sqlite``."""
    if settings.vocab:
        return Path(settings.vocab).expanduser()
    return Path(settings.home) / "vocab" / f"medvocab-v{VERSION}.sqlite"


def _surfaces(row: Row) -> list[str]:
    seen: list[str] = []
    for text in (row.written, *row.synonyms, *row.spoken):
        n = norm(text)
        if len(n) >= 2 and n not in seen:
            seen.append(n)
    return seen


def build(
    path: Path,
    *,
    progress: Callable[[str, int], None] | None = None,
    include_medwer: bool = True,
) -> dict[str, object]:
    """Build the artifact at ``path`` from all sources; return its meta (counts, versions, seconds).

    ``progress(stage, n_rows_so_far)`` is called as the build goes (the CLI draws a bar)."""
    t0 = time.perf_counter()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    tmp.unlink(missing_ok=True)
    con = sqlite3.connect(tmp)
    try:
        con.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
        by_kind: Counter[str] = Counter()
        by_source: Counter[str] = Counter()
        seen_norms: set[str] = set()
        next_id = 0

        def add(rows: Iterable[Row], stage: str) -> None:
            nonlocal next_id
            erows, srows, crows = [], [], []
            for row in rows:
                surfaces = _surfaces(row)
                if not surfaces:
                    continue
                eid = next_id
                next_id += 1
                erows.append((eid, row.written, row.kind, SEP.join(row.codes), SEP.join(row.spoken), row.source, SEP.join(row.synonyms)))
                srows.extend((eid, s, phonetic(s), row.kind) for s in surfaces)
                crows.extend((c.split(":", 1)[1].upper(), eid) for c in row.codes if c.startswith(("icd10cm:", "drugbank:", "medlineplus:")))
                seen_norms.update(surfaces)
                by_kind[row.kind] += 1
                by_source[row.source] += 1
                if progress and next_id % 5000 == 0:
                    progress(stage, next_id)
            con.executemany("INSERT INTO entries VALUES (?,?,?,?,?,?,?)", erows)
            con.executemany("INSERT INTO surfaces VALUES (?,?,?,?)", srows)
            con.executemany("INSERT INTO codes VALUES (?,?)", crows)
            if progress:
                progress(stage, next_id)

        add(sources.curated_rows(), "curated")
        add(sources.icd10_rows(), "icd10cm")
        add(sources.drug_rows(), "drugs")
        if include_medwer:
            terms = [t for t in sources.medwer_terms() if norm(t) not in seen_norms]
            add((Row(t, "term", (), sources.spoken_forms(t), "medwer") for t in terms), "medwer")
        common = sources.common_english()
        con.executemany("INSERT OR REPLACE INTO common VALUES (?,?)", common)
        con.executescript(_INDEXES)
        n_surfaces = con.execute("SELECT COUNT(*) FROM surfaces").fetchone()[0]
        meta: dict[str, object] = {
            "version": VERSION,
            "built_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "build_seconds": round(time.perf_counter() - t0, 2),
            "entries": next_id,
            "surfaces": n_surfaces,
            "by_kind": dict(by_kind),
            "by_source": dict(by_source),
            "common_words": len(common),
            "sources": {s: sources.package_version(p) for s, p in sources.SOURCE_PACKAGES.items()} | {"curated": VERSION},
        }
        con.executemany("INSERT INTO meta VALUES (?,?)", [(k, json.dumps(v)) for k, v in meta.items()])
        con.commit()
    finally:
        con.close()
    os.replace(tmp, path)
    log.info("built vocabulary %s: %s entries in %.1f s", path, meta["entries"], meta["build_seconds"])
    return meta


def connect(path: Path) -> sqlite3.Connection:
    """Open a built artifact read-only; a clear error if it is missing or not ours."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"no vocabulary at {path}; run `medasr vocab build`")
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        version = json.loads(con.execute("SELECT value FROM meta WHERE key='version'").fetchone()[0])
    except (sqlite3.DatabaseError, TypeError) as e:
        raise ConfigError(f"{path} is not a medasr vocabulary ({e}); rebuild it with `medasr vocab build`") from e
    if version != VERSION:
        con.close()
        raise ConfigError(f"{path} is vocabulary version {version}, this medasr needs {VERSION}; run `medasr vocab build`")
    return con


def read_meta(con: sqlite3.Connection) -> dict[str, object]:
    return {k: json.loads(v) for k, v in con.execute("SELECT key, value FROM meta")}
