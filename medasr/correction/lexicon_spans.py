"""Tokens and context for the lexicon pass: where each word sits in its segment's text, which
words are ordinary English, which are suspicious, and whether the words around a span are
clinical enough to trust a replacement."""

from __future__ import annotations

import re
from dataclasses import dataclass

from medasr.schema import Segment, Word

_CORE = re.compile(r"^(\W*)(.*?)(\W*)$", re.S)
_SENTENCE_END = (".", "?", "!", ";", ":")

# Words that make a span's surroundings clinical. Drug context: doses, units, routes, frequencies
# and prescribing verbs. Diagnosis context: history/assessment words. Ordinary prose has none of
# these (tested on LJ Speech and LibriVox), which is what keeps the pass off plain English.
DRUG_CUES = frozenset(
    """mg milligram milligrams mcg microgram micrograms gram grams ml milliliter milliliters units unit
    tablet tablets capsule capsules dose doses dosage daily twice bedtime needed prn bid tid qid po iv
    prescribed prescribe started start continue continued taking takes take medication medications
    inhaler injection injections puffs patch cream ointment drops refill orally intravenously""".split()
)
DOSE_UNITS = frozenset(
    """mg milligram milligrams mcg microgram micrograms g gram grams ml milliliter milliliters l units unit
    iu tablet tablets tab tabs capsule capsules puff puffs drops % percent meq mmol""".split()
)
DX_CUES = frozenset(
    """history diagnosed diagnosis diagnoses assessment impression presents presenting complains
    complaint symptoms symptom chronic acute suspected likely known patient patients exacerbation
    infection disease disorder syndrome clinic admitted examination exam plan problem problems
    differential ruled""".split()
)


@dataclass(frozen=True)
class Tok:
    index: int  # position in the segment
    word: Word | None  # None when the segment had no word list
    lead: str  # leading punctuation
    core: str  # the word without surrounding punctuation
    trail: str  # trailing punctuation
    prob: float
    start: int  # char span of the whole token in the segment text (-1 if not found)
    end: int

    @property
    def is_number(self) -> bool:
        return any(c.isdigit() for c in self.core)

    @property
    def ends_sentence(self) -> bool:
        return self.trail.strip().endswith(_SENTENCE_END) or self.trail.strip() == ","


def tokens(segment: Segment) -> list[Tok]:
    """The segment's words (or whitespace tokens of its text) with their places in ``segment.text``."""
    text = segment.text
    raw: list[tuple[Word | None, str, float]]
    if segment.words:
        raw = [(w, w.text.strip(), float(w.probability)) for w in segment.words]
    else:
        raw = [(None, t, 1.0) for t in text.split()]
    out: list[Tok] = []
    cursor = 0
    for i, (w, t, p) in enumerate(raw):
        pos = text.find(t, cursor) if t else -1
        start, end = (pos, pos + len(t)) if pos >= 0 else (-1, -1)
        if pos >= 0:
            cursor = end
        m = _CORE.match(t)
        lead, core, trail = (m.group(1), m.group(2), m.group(3)) if m else ("", t, "")
        out.append(Tok(i, w, lead, core, trail, p, start, end))
    return out


def context_words(toks: list[Tok], lo: int, hi: int, window: int = 6) -> set[str]:
    """Lowercased words within ``window`` tokens either side of ``toks[lo:hi]`` (the span excluded)."""
    around = toks[max(0, lo - window) : lo] + toks[hi : hi + window]
    return {t.core.lower().strip(".") for t in around if t.core}


def context_agrees(kind: str, toks: list[Tok], lo: int, hi: int) -> str:
    """The cue that makes the context agree with a term of ``kind`` ("" if none): a dose number
    right after a drug, or a cue word near it (drug cues for drugs, diagnosis cues otherwise;
    both for medwer's unclassified terms)."""
    drugish = kind in ("drug", "brand", "term")
    if drugish:
        after = toks[hi : hi + 3]
        for j, t in enumerate(after):
            unit = t.core.lower().lstrip("0123456789.,")
            nxt = after[j + 1].core.lower() if j + 1 < len(after) else ""
            if t.is_number and (unit in DOSE_UNITS or nxt in DOSE_UNITS):
                return f"dose {t.core}" + ("" if unit else f" {nxt}")
    cues = DRUG_CUES if kind in ("drug", "brand") else DX_CUES | DRUG_CUES if kind == "term" else DX_CUES
    hit = sorted(context_words(toks, lo, hi) & cues)
    return hit[0] if hit else ""
