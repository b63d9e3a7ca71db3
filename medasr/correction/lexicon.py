"""The lexicon correction pass: misheard medical terms replaced from the vocabulary, with an Edit
for every change.

A span of one to four words is a candidate when it is suspicious (a word Whisper was unsure of,
or a word that is not ordinary English) or when its words together sound exactly like a term
("met for men" -> metformin). The span is matched against the vocabulary by spelling and sound;
it is replaced only when the match is strong (``apply_score``) *and* the words around it are
clinical for that kind of term (a dose, a unit, a frequency, "history of", ...). A strong match
without that context, or a fair match with it, becomes a suggestion (``applied=False``) and the
text is left alone. Words that are already exact medical terms, numbers and ordinary English
words Whisper was sure of are never touched on their own: plain English comes out unchanged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from medasr.config import Settings
from medasr.correction.base import register
from medasr.correction.lexicon_spans import DRUG_CUES, Tok, context_agrees, tokens
from medasr.schema import Edit, Segment, Transcript, Word
from medasr.vocab.keys import compact, norm, phonetic

if TYPE_CHECKING:
    from medasr.vocab import Candidate, Vocabulary

log = logging.getLogger("medasr.correction.lexicon")

COMMON_ZIPF = 3.5  # an ordinary English word (Zipf frequency, wordfreq)
TARGET_ZIPF = 3.0  # a replacement this common is an English word, not a misheard term
MEDICAL_KINDS = ("drug", "brand", "diagnosis", "symptom", "procedure", "lab", "anatomy", "term")
# function words: a span may hold them ("anomalies of ...") but never begin or end on one unless the
# term does, or "lucan to" would become "lucanthone" and eat the "to"
EDGE_WORDS = frozenset("a an the to of and or in on at for by with from as is be it".split())


@dataclass(frozen=True)
class Proposal:
    """A vocabulary term that could replace tokens ``[lo, hi)`` (punctuation kept around ``after``)."""

    lo: int
    hi: int
    after: str
    score: float
    kind: str
    reason: str
    learned: bool = False  # from the training confusion table, not a spelling/sound match


@dataclass(frozen=True)
class _Choice:
    lo: int
    hi: int
    candidate: Candidate
    after: str
    applied: bool
    reason: str


class LexiconCorrector:
    """``get_corrector("lexicon")``: vocabulary-backed correction of misheard medical terms."""

    name = "lexicon"

    def __init__(
        self,
        settings: Settings | None = None,
        vocabulary: Vocabulary | None = None,
        *,
        apply_score: float = 0.86,
        suggest_score: float = 0.80,
        low_probability: float = 0.5,
        word_zipf: float = 2.5,
        max_span: int = 4,
    ) -> None:
        self.settings = settings
        self._vocab = vocabulary
        self.apply_score = apply_score
        self.suggest_score = suggest_score
        self.low_probability = low_probability
        self.max_span = max_span
        self.word_zipf = word_zipf
        self._term_cache: dict[str, bool] = {}

    @property
    def vocabulary(self) -> Vocabulary:
        if self._vocab is None:
            from medasr.vocab import load_vocabulary

            self._vocab = load_vocabulary(self.settings)
        return self._vocab

    # --- classification -------------------------------------------------------------
    def _zipf(self, word: str) -> float:
        """Zipf frequency; a hyphenated word is as common as its rarest part ("anti-inflammatory")."""
        parts = [p for p in word.lower().split("-") if len(p) > 1] or [word.lower()]
        return min(self.vocabulary.common_zipf(p) for p in parts)

    def _is_term(self, word: str) -> bool:
        """An exact medical term, also in the plural or with a hyphen for a space."""
        if word not in self._term_cache:
            w = word.lower()
            forms = {w, w.replace("-", " ")} | ({w[:-1], w[:-2]} if w.endswith("s") else set())
            self._term_cache[word] = any(e.kind in MEDICAL_KINDS for f in forms if len(f) > 2 for e in self.vocabulary.lookup(f))
        return self._term_cache[word]

    def _is_known(self, word: str) -> bool:
        """Exactly a vocabulary entry of any kind: a term, but also a route ("transdermal"), a
        frequency or a prescribing abbreviation ("subcut"). Such a word is what was said."""
        key = "known:" + word
        if key not in self._term_cache:
            w = word.lower()
            self._term_cache[key] = len(w) > 1 and bool(self.vocabulary.lookup(w))
        return self._term_cache[key] or self._is_term(word)

    def _suspicious(self, tok: Tok) -> bool:
        """A word Whisper doubted, or one that is neither English (Zipf >= ``word_zipf``) nor a term."""
        if not tok.core or tok.is_number or "'" in tok.core or "’" in tok.core:
            return False
        if tok.prob < self.low_probability:
            return not self._is_known(tok.core)
        return self._zipf(tok.core) < self.word_zipf and not self._is_known(tok.core)

    # --- one segment ----------------------------------------------------------------
    def _spans(self, toks: list[Tok], *, k: int = 1, require_cue: bool = True, min_score: float | None = None):
        """Every candidate replacement of a span of ``toks``, in span order: ``_Choice`` objects.

        With ``require_cue`` (the lexicon pass) a span keeps its best candidate only when the
        context agrees with it; without (BART verification, which judges the context itself)
        up to ``k`` candidates per span scoring at least ``min_score`` are kept as suggestions."""
        usable = [bool(t.core) and not t.is_number and "'" not in t.core and t.core.lower() not in DRUG_CUES for t in toks]
        suspicious = [u and self._suspicious(t) for u, t in zip(usable, toks)]
        floor = self.suggest_score if min_score is None else min_score
        for lo in range(len(toks)):
            for hi in range(lo + 1, min(len(toks), lo + self.max_span) + 1):
                if not usable[hi - 1]:
                    break
                span = toks[lo:hi]
                if hi - lo > 1 and span[-2].ends_sentence:
                    break
                for c in self._ranked(span, any(suspicious[lo:hi]))[:k]:
                    ch = self._judge(toks, lo, hi, c, suspicious, require_cue, floor)
                    if ch is not None:
                        yield ch

    def _judge(self, toks: list[Tok], lo: int, hi: int, c: Candidate, suspicious: list[bool],
               require_cue: bool, floor: float) -> _Choice | None:
        span = toks[lo:hi]
        if hi - lo > 1 and not self._edges_fit(span, c.surface):
            return None
        if not self._plausible_target(c):
            return None
        cue = context_agrees(c.entry.kind, toks, lo, hi)
        sure_words = not any(suspicious[lo:hi])
        dose_next = hi < len(toks) and toks[hi].is_number and cue.startswith("dose ")
        drug = c.entry.kind in ("drug", "brand")
        if all(self._zipf(t.core) >= COMMON_ZIPF for t in span) and (
            c.score < self.apply_score + 0.06 or hi - lo < 2 or len(compact(c.surface)) < 7
            or c.entry.kind == "term" or (drug and not dose_next)
        ):
            return None  # ordinary English words (however unsure) change only as a group into a long term
        if sure_words and not (dose_next and drug):
            return None  # words Whisper was sure of change only into a drug right before its dose
        confident = all(t.prob >= self.low_probability for t in span)
        bar = self.apply_score + 0.04 if confident or c.entry.kind == "term" else self.apply_score
        applied = require_cue and c.score >= bar and bool(cue)
        if not applied and not ((cue or not require_cue) and c.score >= floor):
            return None
        after = self._written(c, span)
        if "," in after:
            return None  # an inverted index form ("methylase, nicotinamide") is never what was said
        reason = f"{c.method} match to {c.entry.kind} {c.entry.written!r} ({c.score:.2f})" + (f"; context: {cue}" if cue else "")
        return _Choice(lo, hi, c, after, applied, reason)

    def _choices(self, toks: list[Tok]) -> list[_Choice]:
        found = list(self._spans(toks))
        # best first; non-overlapping
        found.sort(key=lambda ch: (-ch.applied, -ch.candidate.score, -(ch.hi - ch.lo)))
        taken: set[int] = set()
        out = []
        for ch in found:
            if taken.isdisjoint(range(ch.lo, ch.hi)):
                out.append(ch)
                taken.update(range(ch.lo, ch.hi))
        return sorted(out, key=lambda ch: ch.lo)

    def proposals(self, segment: Segment, *, k: int = 3, min_score: float = 0.75) -> list[Proposal]:
        """Sound-alike vocabulary terms for the segment's suspicious spans, with no context check
        and nothing decided: up to ``k`` per span, for a stage that judges the context itself
        (:mod:`medasr.correction.bart.verify`). Indices are into ``tokens(segment)``."""
        toks = tokens(segment)
        out = []
        for ch in self._spans(toks, k=k, require_cue=False, min_score=min_score):
            span = toks[ch.lo:ch.hi]
            out.append(Proposal(ch.lo, ch.hi, span[0].lead + ch.after + span[-1].trail, round(ch.candidate.score, 4),
                                ch.candidate.entry.kind, ch.reason))
        return out

    @staticmethod
    def _edges_fit(span: list[Tok], surface: str) -> bool:
        """A multi-word span begins and ends on a function word only where the term itself does."""
        words = surface.split()
        first, last = span[0].core.lower(), span[-1].core.lower()
        return (first not in EDGE_WORDS or words[0] == first) and (last not in EDGE_WORDS or words[-1] == last)

    def _plausible_target(self, c: Candidate) -> bool:
        """medwer's unclassified terms include everyday words ("onset", "incline"): such a term is
        no destination for a fix, and neither is any common English word outside diagnoses/symptoms."""
        words = c.surface.split()
        if c.entry.kind in ("diagnosis", "symptom") and c.entry.source != "medwer":
            return True
        return not (len(words) == 1 and self._zipf(words[0]) >= TARGET_ZIPF)

    def _ranked(self, span: list[Tok], suspicious: bool) -> list[Candidate]:
        """Vocabulary candidates for the span, best first; empty when the span should stay."""
        text = " ".join(t.core for t in span)
        q = norm(text)
        if len(compact(q)) < 4:
            return []
        if not suspicious and (len(span) == 1 or phonetic(q) not in self.vocabulary.matcher.phon_keys):
            return []  # sure words stay unless together they sound exactly like a term
        out = []
        for c in self.vocabulary.match(q, k=3, kinds=MEDICAL_KINDS):
            if c.surface == q or compact(c.surface) == compact(q) and len(span) == 1:
                return out  # already the term (what ranked above it stands, as before)
            if len(c.surface.split()) > len(span) + 1:
                continue
            if not suspicious and (phonetic(c.surface) != phonetic(q) or len(compact(c.surface)) < 6):
                continue  # sure, common words must sound exactly like a term of some length
            out.append(c)
        return out

    @staticmethod
    def _written(c: Candidate, span: list[Tok]) -> str:
        e = c.entry
        if fuzz.ratio(c.surface, norm(e.written)) >= 80:
            text = e.written  # the surface is a variant spelling of the canonical form
        else:
            text = next((f for f in (e.written, *e.synonyms) if norm(f) == c.surface), c.surface)
        if e.kind != "brand" and text[:1].isupper() and text[1:].islower() and not span[0].core[:1].isupper():
            text = text.lower()
        return text

    def _segment(self, seg: Segment) -> tuple[Segment, list[Edit]]:
        toks = tokens(seg)
        choices = self._choices(toks)
        if not choices:
            return seg, []
        edits: list[Edit] = []
        words = list(seg.words)
        text = seg.text
        for ch in reversed(choices):
            span = toks[ch.lo : ch.hi]
            before = " ".join(t.lead + t.core + t.trail for t in span).strip()
            ids = tuple(t.word.id for t in span if t.word is not None)
            start, end = span[0].start, span[-1].end
            edits.append(Edit(seg.id, before, ch.after, "lexicon", round(ch.candidate.score, 4), ids, start, end, ch.applied, ch.reason))
            log.debug("lexicon %s: %r -> %r (%s)", "applied" if ch.applied else "suggested", before, ch.after, ch.reason)
            if not ch.applied:
                continue
            new = span[0].lead + ch.after + span[-1].trail
            if start >= 0 and end >= 0:
                text = text[:start] + new + text[end:]
            if words and span[0].word is not None:
                first, last = span[0].word, span[-1].word or span[0].word
                pad = first.text[: len(first.text) - len(first.text.lstrip())]
                merged = Word(first.start, last.end, pad + new, round(ch.candidate.score, 4), first.id)
                words[ch.lo : ch.hi] = [merged]
        if any(t.start < 0 for t in toks) and words:
            text = "".join(w.text for w in words)
        edits.reverse()
        return replace(seg, text=text, words=tuple(words)), edits

    def correct(self, transcript: Transcript) -> Transcript:
        """A new transcript with strong, context-backed term fixes applied and every change (and
        suggestion) recorded as an ``Edit(source="lexicon")``."""
        segments, edits = [], []
        for seg in transcript.segments:
            new, e = self._segment(seg)
            segments.append(new)
            edits.extend(e)
        return transcript.with_changes(segments=tuple(segments), edits=transcript.edits + tuple(edits))


register("lexicon", LexiconCorrector)
