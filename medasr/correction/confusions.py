"""Confusions the ASR models made in training: heard words that stood for a vocabulary term.

The lexicon pass proposes terms that *look or sound* like a suspicious span. Some of Whisper's
mistakes are ordinary words it was sure of ("rush" for rash, "humorous" for humerus): no
spelling or sound rule would question them, yet the training pairs show the model hearing them
for the term again and again. ``medasr.train.corrector.confusions.fit_confusions`` aligns training (hypothesis, reference)
pairs word by word and keeps every heard span (1-3 words) that stood for a vocabulary term, with

* ``count``: training hypotheses in which it did, and
* ``heard_total``: training hypotheses in which the span was heard at all,

so ``posterior = count / heard_total`` estimates how often the heard words *mean* the term. "out"
stood for "gout" 12 times but was heard 213 times (0.06): it is no candidate. "rush" stood for
"rash" in 65 of 74 (0.88). Ordinary English words need more evidence (:attr:`Confusion.everyday`).

The table only proposes; the BART judge (:mod:`medasr.correction.bart.verify`) decides in context,
with the same margin as every other candidate. Built by ``medasr train confusions`` from the
pairs ``medasr train corrector`` uses (train split only); the package ships the table built from
the 37,574 train-split pairs corrector-v2 was trained on (``medasr/correction/data/confusions.json``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from medasr.text import norm_phrase, norm_word
from medasr.correction.lexicon import COMMON_ZIPF
from medasr.schema import Segment

log = logging.getLogger("medasr.correction.confusions")

MAX_WORDS = 3
BUNDLED = Path(__file__).with_name("data") / "confusions.json"


@dataclass(frozen=True)
class Confusion:
    heard: str  # normalized heard words ("rush")
    term: str  # the vocabulary term, written form ("rash")
    kind: str  # its vocabulary kind
    count: int  # training hypotheses where the heard words stood for the term
    heard_total: int  # training hypotheses where the heard words were heard at all

    @property
    def posterior(self) -> float:
        return self.count / max(self.heard_total, self.count, 1)

    @property
    def everyday(self) -> bool:
        """Every heard word is ordinary English (Zipf >= the lexicon pass's ``COMMON_ZIPF``): far more
        common in real speech than in the synth corpus, so the training posterior overstates the
        term ("diary", seen twice, both times for diarrhea)."""
        return all(_zipf(w) >= COMMON_ZIPF for w in self.heard.split())

    @property
    def match(self) -> float:
        """Spelling similarity of heard words and term, 0..1 (rapidfuzz ratio on normalized text)."""
        from rapidfuzz import fuzz

        return fuzz.ratio(self.heard, norm_phrase(self.term)) / 100.0


@lru_cache(maxsize=65536)
def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en")


class ConfusionTable:
    """Heard span -> the terms it stood for in training, best evidence first."""

    def __init__(self, rows: Iterable[Confusion], *, source: str = "") -> None:
        self.by_heard: dict[str, list[Confusion]] = {}
        for c in rows:
            self.by_heard.setdefault(c.heard, []).append(c)
        for v in self.by_heard.values():
            v.sort(key=lambda c: (-c.posterior, -c.count, c.term))
        self.source = source

    def __len__(self) -> int:
        return sum(len(v) for v in self.by_heard.values())

    def save(self, path: str | Path) -> None:
        rows = [asdict(c) for v in self.by_heard.values() for c in v]
        rows.sort(key=lambda r: (r["heard"], r["term"]))
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        body = ",\n".join(json.dumps(r, ensure_ascii=False) for r in rows)  # one confusion per line: diffs stay readable
        Path(path).write_text(f'{{"version": 1, "confusions": [\n{body}\n]}}\n', encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> ConfusionTable:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            rows = [Confusion(**r) for r in data["confusions"]]
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise ValueError(f"{path}: not a confusion table ({e})") from e
        return cls(rows, source=str(path))

    def proposals(self, segment: Segment, *, min_count: int = 2, min_posterior: float = 0.3, min_match: float = 0.6,
                  min_count_everyday: int = 5, min_posterior_everyday: float = 0.5):
        """Terms the segment's words stood for in training, as :class:`~medasr.correction.lexicon.Proposal`
        (``learned=True``; indices into ``tokens(segment)``), nothing decided. Heard words that are
        all ordinary English need more evidence (``*_everyday``): "a normal" stood for abnormal in
        3 of 7 training hypotheses, and is no candidate."""
        from medasr.correction.lexicon import Proposal
        from medasr.correction.lexicon_spans import tokens

        toks = tokens(segment)
        cores = [norm_word(t.core) for t in toks]
        out = []
        for lo in range(len(toks)):
            for hi in range(lo + 1, min(lo + MAX_WORDS, len(toks)) + 1):
                if any(t.ends_sentence for t in toks[lo:hi - 1]):
                    break  # a span never crosses a sentence end
                for c in self.by_heard.get(" ".join(cores[lo:hi]), ()):
                    if c.count < min_count or c.posterior < min_posterior or c.match < min_match:
                        continue
                    if c.everyday and (c.count < min_count_everyday or c.posterior < min_posterior_everyday):
                        continue
                    term = c.term
                    if toks[lo].core[:1].isupper() and term[:1].islower():
                        term = term[:1].upper() + term[1:]
                    out.append(Proposal(lo, hi, toks[lo].lead + term + toks[hi - 1].trail, round(c.match, 4), c.kind,
                                        f"learned confusion: heard {c.heard!r} for {c.term!r} in {c.count} of "
                                        f"{c.heard_total} training hypotheses", learned=True))
        return out


def load_table(path: str | Path | None = None) -> ConfusionTable | None:
    """The table at ``path``, else the bundled one; None (logged) when there is none."""
    p = Path(path) if path else BUNDLED
    if not p.is_file():
        log.warning("no confusion table at %s; the BART stage judges vocabulary sound-alikes only", p)
        return None
    return ConfusionTable.load(p)
