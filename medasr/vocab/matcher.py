"""A fast fuzzy + phonetic matcher over every surface form of the vocabulary.

Each surface (written form, synonym or spoken form of an entry) has a spelling key (normalized
text without spaces) and a phonetic key (metaphone of the whole phrase, see ``keys.py``), so a
span such as "met for men" meets "metformin" whatever the word splits. A query never scans the
whole vocabulary: exact keys come from dicts, and fuzzy candidates from small *blocks* of
surfaces that share the key's first character and (bucketed) length, searched with
``rapidfuzz.process.extract``. The union is rescored on both keys and ranked per entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from medasr.vocab.keys import compact, norm, phonetic

SPELL_WEIGHT = 0.55  # final score = SPELL_WEIGHT * spelling + (1 - SPELL_WEIGHT) * sound
SPELL_PREFIX = 2  # spelling blocks: first two letters; a garbled start is left to the sound key
SOUND_PREFIX = 1  # sound blocks: first phonetic letter
SPREAD = 2  # length buckets searched either side of the query's


@dataclass(frozen=True)
class Hit:
    entry_id: int
    score: float
    method: str
    surface: str


def _bucket(n: int) -> int:
    return n if n <= 20 else 20 + (n - 20) // 5


class _Blocks:
    """Strings grouped by (first ``prefix`` characters, bucketed length)."""

    def __init__(self, keys: Sequence[str], prefix: int) -> None:
        self.prefix = prefix
        groups: dict[tuple[str, int], list[int]] = {}
        for i, key in enumerate(keys):
            if key:
                groups.setdefault((key[:prefix], _bucket(len(key))), []).append(i)
        self._lists = {g: ([keys[i] for i in idx], idx) for g, idx in groups.items()}

    def near(self, key: str, spread: int) -> Iterable[tuple[list[str], list[int]]]:
        b = _bucket(len(key))
        for bb in range(b - spread, b + spread + 1):
            block = self._lists.get((key[: self.prefix], bb))
            if block:
                yield block


class Matcher:
    """Build once from ``(entry_id, norm, phon, kind)`` rows; ``search`` returns ranked ``Hit``s."""

    def __init__(self, rows: Iterable[tuple[int, str, str, str]]) -> None:
        rows = list(rows)
        self.entry_ids: list[int] = [r[0] for r in rows]
        self.norms: list[str] = [r[1] for r in rows]
        self.phons: list[str] = [r[2] for r in rows]
        self.kinds: list[str] = [r[3] for r in rows]
        self.compacts: list[str] = [n.replace(" ", "") for n in self.norms]
        self.phon_keys: frozenset[str] = frozenset(self.phons)
        self._spell = _Blocks(self.compacts, SPELL_PREFIX)
        self._sound = _Blocks(self.phons, SOUND_PREFIX)

    def __len__(self) -> int:
        return len(self.norms)

    def score(self, query: str, index: int) -> tuple[float, str]:
        """Score one surface against a query (already normalized) in [0, 1], with the method."""
        cq, pq = compact(query), phonetic(query)
        return self._score(cq, pq, index)

    def _score(self, cq: str, pq: str, i: int) -> tuple[float, str]:
        if cq == self.compacts[i]:
            return 1.0, "exact"
        spell = fuzz.ratio(cq, self.compacts[i]) / 100.0
        sound = fuzz.ratio(pq, self.phons[i]) / 100.0 if pq and self.phons[i] else 0.0
        s = SPELL_WEIGHT * spell + (1 - SPELL_WEIGHT) * sound
        method = "phonetic" if sound == 1.0 and spell < 1.0 else "spelling+phonetic" if sound >= spell else "spelling"
        return min(s, 0.99), method

    def search(
        self,
        words: str | Sequence[str],
        k: int = 5,
        kinds: Sequence[str] | None = None,
        *,
        limit: int = 25,
        cutoff: float = 60.0,
    ) -> list[Hit]:
        query = norm(words if isinstance(words, str) else " ".join(words))
        if not query:
            return []
        cq, pq = compact(query), phonetic(query)
        pool: set[int] = set()  # exact keys score 100 and so lead their block's extract
        want = limit if not kinds else limit * 4
        for strings, idx in self._spell.near(cq, SPREAD):
            for _, _, j in process.extract(cq, strings, scorer=fuzz.ratio, limit=want, score_cutoff=cutoff):
                pool.add(idx[j])
        if pq:
            for strings, idx in self._sound.near(pq, 1):
                for _, _, j in process.extract(pq, strings, scorer=fuzz.ratio, limit=want, score_cutoff=cutoff + 10):
                    pool.add(idx[j])
        best: dict[int, Hit] = {}
        kindset = set(kinds) if kinds else None
        for i in pool:
            if kindset is not None and self.kinds[i] not in kindset:
                continue
            s, method = self._score(cq, pq, i)
            eid = self.entry_ids[i]
            if eid not in best or s > best[eid].score:
                best[eid] = Hit(eid, round(s, 4), method, self.norms[i])
        return sorted(best.values(), key=lambda h: (-h.score, len(h.surface), h.entry_id))[:k]
