"""Learning the confusion table (``medasr train confusions``) from training pairs.

Every heard span of 1-3 words that stood for a vocabulary term in at least ``min_count``
training hypotheses, with how often the span was heard at all; the runtime side
(:mod:`medasr.correction.confusions`) proposes from the table and the BART judge decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from medasr.correction.confusions import MAX_WORDS, Confusion, ConfusionTable
from medasr.text import align_words, norm_phrase, norm_word


def fit_confusions(pairs: Iterable[tuple[str, str]], terms: Mapping[str, tuple[str, str]], *, min_count: int = 2) -> ConfusionTable:
    """From (hypothesis, reference) pairs and ``terms`` (normalized term -> (written form, kind)):
    every heard span of 1-3 words that stood for a term in at least ``min_count`` hypotheses."""
    pairs = [(h, r) for h, r in pairs]
    ids: dict[tuple[str, str], set[int]] = {}
    for n, (hyp, ref) in enumerate(pairs):
        if hyp == ref:
            continue
        for op, rs, hs in align_words(hyp, ref):
            if op == "equal" or not (1 <= len(hs) <= MAX_WORDS and 1 <= len(rs) <= MAX_WORDS):
                continue
            heard, said = " ".join(hs), " ".join(rs)
            if said in terms and heard not in terms and said not in hs:
                ids.setdefault((heard, said), set()).add(n)
    kept = {k: len(v) for k, v in ids.items() if len(v) >= min_count}
    wanted = {h for h, _ in kept}
    totals: dict[str, int] = dict.fromkeys(wanted, 0)
    for hyp, _ in pairs:
        for g in _ngrams([norm_word(w) for w in hyp.split()]) & wanted:
            totals[g] += 1
    rows = [Confusion(h, terms[t][0], terms[t][1], n, max(totals[h], n)) for (h, t), n in kept.items()]
    return ConfusionTable(sorted(rows, key=lambda c: (c.heard, c.term)))


def _ngrams(words: list[str]) -> set[str]:
    return {" ".join(words[i:i + n]) for n in range(1, MAX_WORDS + 1) for i in range(len(words) - n + 1)}


def vocabulary_terms(vocabulary, kinds: Iterable[str]) -> dict[str, tuple[str, str]]:
    """normalized surface -> (written form, kind) for every entry and synonym of ``kinds``."""
    out: dict[str, tuple[str, str]] = {}
    for kind in kinds:
        for e in vocabulary.entries(kind):
            for s in (e.written, *e.synonyms):
                n = norm_phrase(s)
                if n:
                    out.setdefault(n, (s, kind))
    return out
