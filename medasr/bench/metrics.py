"""Scoring: WER/CER on Whisper's English normalizer (``medasr.text.normalize``), medical-term
WER (the medwer protocol), term recall/precision, correction edits, and bootstrap confidence intervals.

Corpus semantics follow medwer 1.0.0 (``medwer.Scorer``) exactly: an utterance whose
normalized reference is empty is skipped; edits and reference words are summed over the
corpus (micro-average); the medical filter is a greedy longest match against the term list,
a matched phrase becoming one atomic token; a rate whose denominator is zero is ``None``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz.distance import Levenshtein

from medasr.schema import Edit
from medasr.text import normalize


def word_edits(ref_norm: str, hyp_norm: str) -> int:
    """Token-level Levenshtein distance between two normalized strings."""
    return Levenshtein.distance(ref_norm.split(), hyp_norm.split())


def char_edits(ref_norm: str, hyp_norm: str) -> int:
    return Levenshtein.distance(ref_norm, hyp_norm)


@dataclass(frozen=True)
class TermSet:
    """A term list in the normalizer's output space: entries match normalized text verbatim."""

    name: str
    entries: frozenset[str]
    max_tokens: int

    @classmethod
    def from_terms(cls, name: str, terms: Iterable[str], *, normalized: bool = False) -> TermSet:
        """Build from raw terms; unless ``normalized``, each is passed through :func:`normalize`
        so that it can match normalized text (medwer's own list already is)."""
        entries = set()
        for t in terms:
            e = " ".join(t.split()) if normalized else normalize(t)
            if e:
                entries.add(e)
        return cls(name, frozenset(entries), max((len(e.split()) for e in entries), default=1))

    @classmethod
    def from_file(cls, name: str, path: str, *, normalized: bool = True) -> TermSet:
        """One entry a line, blank lines and ``#`` comments ignored (medwer's format)."""
        with open(path, encoding="utf-8") as fh:
            lines = [ln.strip() for ln in fh]
        return cls.from_terms(name, (ln for ln in lines if ln and not ln.startswith("#")), normalized=normalized)

    def keep(self, text_norm: str) -> list[str]:
        """Greedy longest match; a matched phrase is one token (words joined by ``_``)."""
        toks = text_norm.split()
        out, i = [], 0
        while i < len(toks):
            for w in range(min(self.max_tokens, len(toks) - i), 0, -1):
                if " ".join(toks[i : i + w]) in self.entries:
                    out.append("_".join(toks[i : i + w]))
                    i += w
                    break
            else:
                i += 1
        return out


@dataclass(frozen=True)
class TermCounts:
    """One utterance, one term list: edits over kept terms and term hits."""

    edits: int
    ref_terms: int
    hyp_terms: int
    matched: int  # multiset intersection of reference and hypothesis terms


@dataclass(frozen=True)
class UttScore:
    id: str
    ref_norm: str
    hyp_norm: str
    word_edits: int
    ref_words: int
    char_edits: int
    ref_chars: int
    terms: dict[str, TermCounts] = field(default_factory=dict)

    @property
    def skipped(self) -> bool:
        return self.ref_words == 0


def score_utterance(uid: str, ref: str, hyp: str, termsets: Sequence[TermSet] = ()) -> UttScore:
    rn, hn = normalize(ref), normalize(hyp)
    terms = {}
    for ts in termsets:
        rk, hk = ts.keep(rn), ts.keep(hn)
        matched = sum((Counter(rk) & Counter(hk)).values())
        terms[ts.name] = TermCounts(Levenshtein.distance(rk, hk), len(rk), len(hk), matched)
    return UttScore(uid, rn, hn, word_edits(rn, hn), len(rn.split()), char_edits(rn, hn), len(rn), terms)


def _rate(num: float, den: float) -> float | None:
    return num / den if den else None


@dataclass(frozen=True)
class Interval:
    value: float | None
    low: float | None
    high: float | None

    def to_dict(self) -> dict[str, float | None]:
        return {"value": self.value, "low": self.low, "high": self.high}


def bootstrap_ratio(num: Sequence[float], den: Sequence[float], *, n_boot: int = 1000, seed: int = 0, level: float = 0.95) -> Interval:
    """Micro-averaged ratio sum(num)/sum(den) with a percentile bootstrap interval over
    utterances (resampled with replacement; fixed seed, so reruns give the same interval)."""
    a, b = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    value = _rate(float(a.sum()), float(b.sum()))
    if value is None or len(a) < 2:
        return Interval(value, value, value)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(a), size=(n_boot, len(a)))
    dens = b[idx].sum(axis=1)
    ok = dens > 0
    ratios = a[idx].sum(axis=1)[ok] / dens[ok]
    lo, hi = np.quantile(ratios, [(1 - level) / 2, 1 - (1 - level) / 2])
    return Interval(value, float(lo), float(hi))


@dataclass(frozen=True)
class TermSummary:
    wer: Interval
    recall: float | None
    precision: float | None
    ref_terms: int

    def to_dict(self) -> dict:
        return {"wer": self.wer.to_dict(), "recall": self.recall, "precision": self.precision, "ref_terms": self.ref_terms}


@dataclass(frozen=True)
class CorpusScore:
    utts: int  # scored (non-empty normalized reference)
    ref_words: int
    wer: Interval
    cer: Interval
    terms: dict[str, TermSummary]

    def to_dict(self) -> dict:
        return {
            "utts": self.utts,
            "ref_words": self.ref_words,
            "wer": self.wer.to_dict(),
            "cer": self.cer.to_dict(),
            "terms": {k: v.to_dict() for k, v in self.terms.items()},
        }


def corpus_score(scores: Sequence[UttScore], *, n_boot: int = 1000, seed: int = 0) -> CorpusScore:
    kept = [s for s in scores if not s.skipped]
    names = sorted({n for s in kept for n in s.terms})
    terms = {}
    for n in names:
        tc = [s.terms[n] for s in kept]
        matched, nref, nhyp = (sum(getattr(t, a) for t in tc) for a in ("matched", "ref_terms", "hyp_terms"))
        terms[n] = TermSummary(
            bootstrap_ratio([t.edits for t in tc], [t.ref_terms for t in tc], n_boot=n_boot, seed=seed),
            _rate(matched, nref),
            _rate(matched, nhyp),
            nref,
        )
    return CorpusScore(
        utts=len(kept),
        ref_words=sum(s.ref_words for s in kept),
        wer=bootstrap_ratio([s.word_edits for s in kept], [s.ref_words for s in kept], n_boot=n_boot, seed=seed),
        cer=bootstrap_ratio([s.char_edits for s in kept], [s.ref_chars for s in kept], n_boot=n_boot, seed=seed),
        terms=terms,
    )


def medical_wer(refs: Sequence[str], hyps: Sequence[str], termset: TermSet) -> float | None:
    """Corpus medical-term WER with medwer's semantics (the figure the parity test checks)."""
    if len(refs) != len(hyps):
        raise ValueError(f"refs/hyps length mismatch: {len(refs)} vs {len(hyps)}")
    scores = [score_utterance(str(i), r, h, [termset]) for i, (r, h) in enumerate(zip(refs, hyps))]
    kept = [s.terms[termset.name] for s in scores if not s.skipped]
    return _rate(sum(t.edits for t in kept), sum(t.ref_terms for t in kept))


@dataclass(frozen=True)
class EditStats:
    """Corrector edits judged against the reference.

    An applied edit is *right* when its replacement occurs in the normalized reference and
    the text it replaced does not; every other applied edit counts as *wrong*; *harmful* is
    the subset that replaced words the reference does contain.
    """

    made: int
    right: int
    wrong: int
    harmful: int

    @property
    def false_edit_rate(self) -> float | None:
        return _rate(self.wrong, self.made)

    def to_dict(self) -> dict:
        return {"made": self.made, "right": self.right, "wrong": self.wrong, "harmful": self.harmful, "false_edit_rate": self.false_edit_rate}


def _contains(hay: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return n > 0 and any(hay[i : i + n] == needle for i in range(len(hay) - n + 1))


def edit_stats(pairs: Iterable[tuple[str, Sequence[Edit]]]) -> EditStats:
    """``pairs``: (reference text, the transcript's edits) per utterance."""
    made = right = harmful = 0
    for ref, edits in pairs:
        rtoks = normalize(ref).split()
        for e in edits:
            if not e.applied:
                continue
            made += 1
            after_in = _contains(rtoks, normalize(e.after).split())
            before_in = _contains(rtoks, normalize(e.before).split())
            if after_in and not before_in:
                right += 1
            elif before_in and not after_in:
                harmful += 1
    return EditStats(made, right, made - right, harmful)
