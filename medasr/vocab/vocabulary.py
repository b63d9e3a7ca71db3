"""``Vocabulary``: read access to a built artifact, plus the matcher over it."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz

from medasr.vocab import store
from medasr.vocab.keys import norm
from medasr.vocab.matcher import Matcher
from medasr.vocab.types import Candidate, Entry, VocabStats

log = logging.getLogger("medasr.vocab")

LINK_THRESHOLD = 0.9  # link_diagnosis / link_drug return a candidate only at or above this
DIAGNOSIS_KINDS = ("diagnosis", "symptom")
DRUG_KINDS = ("drug", "brand")


def _split(value: str) -> tuple[str, ...]:
    return tuple(v for v in value.split(store.SEP) if v) if value else ()


class Vocabulary:
    """A built medical vocabulary (SQLite). Entries are read on demand; the matcher index is
    built in memory on the first ``match`` (about a second, ~200k surfaces)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._con: sqlite3.Connection = store.connect(self.path)
        self._lock = threading.Lock()
        self.meta = store.read_meta(self._con)
        self._matcher: Matcher | None = None
        self._common: dict[str, float] | None = None
        self.get = lru_cache(maxsize=65536)(self._get)  # type: ignore[method-assign]

    def close(self) -> None:
        self._con.close()

    def _query(self, sql: str, args: Sequence[object] = ()) -> list[tuple]:
        with self._lock:
            return self._con.execute(sql, args).fetchall()

    @staticmethod
    def _entry(row: tuple) -> Entry:
        eid, written, kind, codes, spoken, source, synonyms = row
        return Entry(eid, written, kind, _split(codes), _split(spoken), source, _split(synonyms))

    def entries(self, kind: str | None = None) -> Iterator[Entry]:
        """Every entry (of one kind if given), in id order."""
        sql = "SELECT * FROM entries" + (" WHERE kind=?" if kind else "") + " ORDER BY id"
        with self._lock:
            rows = self._con.execute(sql, (kind,) if kind else ()).fetchall()
        for row in rows:
            yield self._entry(row)

    def _get(self, entry_id: int) -> Entry:
        rows = self._query("SELECT * FROM entries WHERE id=?", (int(entry_id),))
        if not rows:
            raise KeyError(f"no vocabulary entry {entry_id}")
        return self._entry(rows[0])

    def lookup(self, written: str) -> list[Entry]:
        """Entries with a surface (written form, synonym or spoken form) equal to ``written``,
        ignoring case and punctuation; entries whose written form itself matches come first."""
        n = norm(written)
        ids = dict.fromkeys(r[0] for r in self._query("SELECT entry_id FROM surfaces WHERE norm=? ORDER BY entry_id", (n,)))
        found = [self.get(i) for i in ids]
        return sorted(found, key=lambda e: norm(e.written) != n)

    def icd10(self, code: str) -> Entry | None:
        """The ICD-10-CM entry for ``code`` ("E11.9" or "E119"), or None."""
        c = code.strip().upper()
        if "." not in c and len(c) > 3:
            c = c[:3] + "." + c[3:]
        for (eid,) in self._query("SELECT entry_id FROM codes WHERE code=?", (c,)):
            e = self.get(eid)
            if e.icd10 == c:
                return e
        return None

    @property
    def matcher(self) -> Matcher:
        if self._matcher is None:
            t0 = time.perf_counter()
            rows = self._query("SELECT entry_id, norm, phon, kind FROM surfaces")
            self._matcher = Matcher(rows)
            log.info("matcher index: %d surfaces in %.2f s", len(rows), time.perf_counter() - t0)
        return self._matcher

    def match(self, words: str | Sequence[str], k: int = 5, kinds: Sequence[str] | None = None) -> list[Candidate]:
        """Ranked candidate entries for a span of transcript words, by spelling and sound.

        ``score`` is in [0, 1] (1.0: exact after normalization); multi-word terms included."""
        hits = self.matcher.search(words, k=k, kinds=kinds)
        return [Candidate(self.get(h.entry_id), h.score, h.method, h.surface) for h in hits]

    def _link(self, text: str, kinds: Sequence[str]) -> Candidate | None:
        exact = [e for e in self.lookup(text) if e.kind in kinds]
        if exact:  # prefer an entry that carries a code (ICD-10-CM / drug ids) over a curated one
            e = sorted(exact, key=lambda x: not x.codes)[0]
            return Candidate(e, 1.0, "exact", norm(text))
        best: Candidate | None = None
        for c in self.match(text, k=10, kinds=kinds):
            # a strong link needs agreement in word order too, not only the sound of the whole
            order = fuzz.token_sort_ratio(norm(text), c.surface) / 100.0
            s = round(min(c.score, order), 4)
            if s >= LINK_THRESHOLD and (best is None or s > best.score):
                best = Candidate(c.entry, s, c.method, c.surface)
        return best

    def link_diagnosis(self, text: str) -> Candidate | None:
        """The diagnosis/symptom entry (with its ICD-10-CM code) that ``text`` names, only when the
        match is strong (score >= LINK_THRESHOLD); else None."""
        return self._link(text, DIAGNOSIS_KINDS)

    def link_drug(self, text: str) -> Candidate | None:
        """The drug or brand entry that ``text`` names (ids in ``entry.codes``), only when strong."""
        return self._link(text, DRUG_KINDS)

    def term_list(self, kinds: Sequence[str] | None = None) -> list[str]:
        """Written forms of the entries (of ``kinds`` if given), deduplicated, in id order."""
        if kinds:
            marks = ",".join("?" * len(kinds))
            rows = self._query(f"SELECT written FROM entries WHERE kind IN ({marks}) ORDER BY id", tuple(kinds))
        else:
            rows = self._query("SELECT written FROM entries ORDER BY id")
        return list(dict.fromkeys(r[0] for r in rows))

    def common_zipf(self, word: str) -> float:
        """Zipf frequency of an everyday English word (0.0 if it is not among the common words)."""
        if self._common is None:
            self._common = dict(self._query("SELECT word, zipf FROM common"))
        return self._common.get(word.lower(), 0.0)

    def stats(self) -> VocabStats:
        m = self.meta
        icd = self._query("SELECT COUNT(*) FROM codes WHERE entry_id IN (SELECT id FROM entries WHERE source='icd10cm')")[0][0]
        generics = {c for (codes,) in self._query("SELECT codes FROM entries WHERE kind='brand'") for c in _split(codes) if c.startswith("generic:")}
        with_brands = len(generics)
        return VocabStats(
            version=str(m["version"]),
            path=str(self.path),
            built_at=str(m["built_at"]),
            build_seconds=float(m["build_seconds"]),  # type: ignore[arg-type]
            entries=int(m["entries"]),  # type: ignore[call-overload]
            surfaces=int(m["surfaces"]),  # type: ignore[call-overload]
            by_kind=dict(m["by_kind"]),  # type: ignore[call-overload]
            by_source=dict(m["by_source"]),  # type: ignore[call-overload]
            sources=dict(m["sources"]),  # type: ignore[call-overload]
            icd10_codes=int(icd),
            drugs_with_brands=int(with_brands),
        )
