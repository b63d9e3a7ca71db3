"""What a note is scored on against the clinician's own note (``medasr bench notes``).

- ``note_text``: the note's own words (item statements; medications and problems that no
  statement mentions), never its evidence quotes;
- ROUGE-L and ROUGE-1 F1 against the clinician's note (Google's ``rouge-score``, stemmed);
- length ratio: note words / clinician-note words;
- verbatim share: items that are a transcript sentence copied whole (``is_verbatim``);
- highlight recall in the note's own text: a clinician highlight counts as recalled when one
  statement holds at least 2/3 of its content words (fuzzy, after expanding the common
  clinical abbreviations below).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

from medasr.note.linking import STOP
from medasr.note.text import sentence_units, tokens
from medasr.schema import Medication, Note, Transcript

ABBREVIATIONS = {
    "hx": "history", "sob": "short breath", "abdo": "abdominal tummy", "abx": "antibiotics",
    "otc": "over counter", "urti": "upper respiratory infection", "lrti": "chest infection", "fh": "family",
    "pmhx": "medical history", "ihd": "heart disease", "cva": "stroke", "las": "ambulance", "ca": "cancer",
    "temp": "temperature", "odema": "swelling", "uti": "urine infection", "nsaids": "ibuprofen",
    "puo": "fever", "llq": "left lower tummy",
}
VERBATIM_COVER = 0.8  # share of an item's words that one contiguous transcript copy covers
VERBATIM_MIN_WORDS = 5  # shorter items ("No fever") are verbatim only when they are a whole sentence
_FILLER = re.compile(r"^(um+|uh+|erm|er|mm+|hmm+)$")


def _words(text: str) -> list[str]:
    text = re.sub(r"\d+/\d+", " ", text)
    out: list[str] = []
    for t in tokens(text):
        out += ABBREVIATIONS.get(t, t).split()
    return [t for t in out if t not in STOP and len(t) > 1]


def _has(word: str, bag: set[str]) -> bool:
    return word in bag or any(len(word) > 3 and len(b) > 3 and fuzz.ratio(word, b) >= 85 for b in bag)


def highlight_recalled(highlight: str, item_texts: list[str]) -> bool:
    want = _words(highlight)
    if not want:
        return False
    need = max(1, round(len(want) * 2 / 3))
    return any(sum(_has(w, set(_words(t))) for w in want) >= need for t in item_texts)


def _med_text(m: Medication) -> str:
    return " ".join(x for x in (m.name, f"{m.dose} {m.unit}".strip(), m.route, m.frequency, m.duration) if x)


SEPARATE = ("instruction",)  # patient instructions repeat the plan in lay words: a document of their own


def item_texts(note: Note) -> list[str]:
    """The note's own statements, in order: section items (not the patient instructions), then
    medications and problems that no statement names (older notes keep some only coded)."""
    texts = [i.text for items in note.sections.values() for i in items if i.category not in SEPARATE]
    low = " ".join(texts).lower()
    for m in note.medications:
        if m.name.lower() not in low:
            texts.append(_med_text(m))
    for p in note.problems:
        if p.text.lower() not in low:
            texts.append(p.text)
    return texts


def note_text(note: Note) -> str:
    return "\n".join(item_texts(note))


def words(text: str) -> int:
    return len(text.split())


@lru_cache(maxsize=1)
def _scorer() -> Any:
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(["rougeL", "rouge1"], use_stemmer=True)


def rouge(candidate: str, reference: str) -> dict[str, float]:
    """ROUGE-L and ROUGE-1 F1 (stemmed) of ``candidate`` against ``reference``."""
    s = _scorer().score(reference, candidate)
    return {"rougeL": round(s["rougeL"].fmeasure, 4), "rouge1": round(s["rouge1"].fmeasure, 4)}


def _toks(text: str) -> list[str]:
    return [t for t in tokens(text) if not _FILLER.match(t)]


def _longest_run(item: list[str], seg: list[str]) -> int:
    """Longest contiguous run of ``item`` tokens that also appears contiguously in ``seg``."""
    best = 0
    prev = [0] * (len(seg) + 1)
    for a in item:
        cur = [0] * (len(seg) + 1)
        for j, b in enumerate(seg, start=1):
            if a == b:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best


class VerbatimIndex:
    """The transcript's sentences and segments as token lists, for ``is_verbatim``."""

    def __init__(self, transcript: Transcript) -> None:
        self.sentences = {tuple(_toks(u.text)) for u in sentence_units(transcript)}
        self.segments = [_toks(s.text) for s in transcript.segments]

    def is_verbatim(self, text: str) -> bool:
        """A transcript sentence copied whole: equal to one (3+ words), or (5+ words) mostly one
        contiguous copy of a segment's words."""
        t = _toks(text)
        if len(t) >= 3 and tuple(t) in self.sentences:
            return True
        if len(t) < VERBATIM_MIN_WORDS:
            return False
        need = VERBATIM_COVER * len(t)
        return any(_longest_run(t, s) >= need for s in self.segments if len(s) >= need)


def case_metrics(note: Note, transcript: Transcript, clinician_note: str, highlights: tuple[str, ...]) -> dict[str, Any]:
    """Every per-consultation figure of the issue's "Measured" list that the note alone decides."""
    texts = item_texts(note)
    own = "\n".join(texts)
    index = VerbatimIndex(transcript)
    verbatim = sum(index.is_verbatim(t) for t in texts)
    recalled = [h for h in highlights if highlight_recalled(h, texts)]
    ref_words = words(clinician_note)
    r = rouge(own, clinician_note)
    return {
        **r,
        "note_words": words(own),
        "ref_words": ref_words,
        "length_ratio": round(words(own) / ref_words, 3) if ref_words else None,
        "items": len(texts),
        "verbatim_items": verbatim,
        "highlights": len(highlights),
        "highlights_recalled": len(recalled),
        "missed": [h for h in highlights if h not in recalled],
    }

