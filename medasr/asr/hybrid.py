"""Two Whisper models, one transcript: a domain model's medical words, a general model's
everything else (``--model tiny.en-medical+tiny.en``).

A model fine-tuned on clinical speech hears drug names stock Whisper cannot, and forgets
some ordinary English on the way (release 3 of tiny.en-medical read JFK and LJ Speech with
about five times stock tiny.en's errors). :class:`HybridTranscriber` wraps two Transcribers
(it subclasses neither), decodes the audio with both, aligns their words and keeps the
*general* model's reading except in the spans where the two disagree and a
:class:`SpanJudge` says the *domain* model's words are the medical ones (by default: they
hold a vocabulary term the general model's words do not). Every output word is a word one
of the two models produced, with that model's timing and probability; word ids are
re-numbered ``"<segment>.<index>"`` over the general model's segments. The transcript
records both models (``ModelInfo.parts``) and, in ``options["hybrid"]``, every span taken
from the domain model with the general model's alternative: an audit trail.

It costs a second ASR pass (``timings``: ``asr_domain`` and ``asr_general``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from medasr.asr.base import ProgressFn, TranscribeOptions, Transcriber
from medasr.correction.bart.diff import diff_blocks
from medasr.text import norm_word
from medasr.schema import ModelInfo, Segment, Transcript, Word, word_id

SEPARATOR = "+"


class SpanJudge(Protocol):
    """Decides, for one span where the two models disagree, whether the domain model's words win."""

    name: str

    def prefer_domain(self, general: Sequence[Word], domain: Sequence[Word]) -> tuple[bool, str]:
        """(True, reason) to take the domain model's ``domain`` words over ``general``."""
        ...


@dataclass(frozen=True)
class _Choice:
    general: tuple[Word, ...]
    domain: tuple[Word, ...]
    reason: str


def _norm(words: Sequence[Word]) -> list[str]:
    return [norm_word(w.text) for w in words]


def combine(general: Transcript, domain: Transcript, judge: SpanJudge) -> tuple[list[list[Word]], list[_Choice]]:
    """The general transcript's words per segment with the judge's domain spans put in place,
    and the spans taken from the domain model. Words are not re-numbered yet."""
    g_words = [(si, w) for si, s in enumerate(general.segments) for w in s.words]
    d_words = list(domain.words)
    per_seg: list[list[Word]] = [[] for _ in general.segments]
    if not g_words:  # the general model heard nothing: keep the domain reading only if it is medical
        ok, why = judge.prefer_domain([], d_words) if d_words else (False, "")
        return ([list(d_words)] if ok else []), ([_Choice((), tuple(d_words), why)] if ok else [])
    a, b = _norm([w for _, w in g_words]), _norm(d_words)
    taken: dict[int, tuple[int, int, int]] = {}  # general word i0 -> (i1, j0, j1): domain words [j0, j1) replace [i0, i1)
    chosen: list[_Choice] = []
    for i0, i1, j0, j1 in diff_blocks(a, b):
        if " ".join(filter(None, a[i0:i1])) == " ".join(filter(None, b[j0:j1])):
            continue  # punctuation only
        ok, why = judge.prefer_domain([w for _, w in g_words[i0:i1]], d_words[j0:j1])
        if ok:
            taken[i0] = (i1, j0, j1)
            chosen.append(_Choice(tuple(w for _, w in g_words[i0:i1]), tuple(d_words[j0:j1]), why))
    i = 0
    while i <= len(g_words):
        if i in taken:
            i1, j0, j1 = taken.pop(i)
            if j1 > j0:
                per_seg[_home(general, g_words, i, i1, d_words[j0])].extend(d_words[j0:j1])
            if i1 > i:
                i = i1
                continue
        if i < len(g_words):
            per_seg[g_words[i][0]].append(g_words[i][1])
        i += 1
    return per_seg, chosen


def _home(general: Transcript, g_words: list[tuple[int, Word]], i0: int, i1: int, first: Word) -> int:
    """The general segment a domain span replacing general words ``[i0, i1)`` goes into: that
    of word ``i0``; for an insertion, the segment before or after it, whichever holds (or is
    nearer to) the span's first word in time."""
    if i1 > i0:
        return g_words[i0][0]
    before = g_words[i0 - 1][0] if i0 > 0 else None
    after = g_words[i0][0] if i0 < len(g_words) else None
    if before is None or after is None or before == after:
        return after if before is None else before
    sb = general.segments[before]
    return before if first.start < sb.end or first.start - sb.end < general.segments[after].start - first.start else after


def _segments(general: Transcript, per_seg: list[list[Word]], domain: Transcript) -> tuple[Segment, ...]:
    out: list[Segment] = []
    templates = general.segments or domain.segments[:1]
    for tmpl, words in zip(templates, per_seg):
        if not words:
            continue
        sid = len(out)
        words = [replace(w, id=word_id(sid, k)) for k, w in enumerate(words)]
        out.append(replace(tmpl, id=sid, start=min(tmpl.start, words[0].start), end=max(tmpl.end, words[-1].end),
                           text="".join(w.text for w in words), words=tuple(words)))
    return tuple(out)


class HybridTranscriber:
    """Wraps a domain and a general Transcriber; see the module docstring."""

    def __init__(self, domain: Transcriber, general: Transcriber, judge: SpanJudge) -> None:
        self.domain = domain
        self.general = general
        self.judge = judge

    @property
    def info(self) -> ModelInfo:
        d, g = self.domain.info, self.general.info
        return ModelInfo(name=f"{d.name}{SEPARATOR}{g.name}", path=d.path, source=f"{d.source}{SEPARATOR}{g.source}", device=d.device,
                         compute_type=d.compute_type, sha256=d.sha256, parts=(d, g))

    def transcribe(self, audio: np.ndarray, options: TranscribeOptions | None = None, *, progress: ProgressFn | None = None) -> Transcript:
        def half(offset: float) -> ProgressFn | None:
            return None if progress is None else (lambda done, total: progress((offset * total + done) / 2, total))

        t0 = time.perf_counter()
        dom = self.domain.transcribe(audio, options, progress=half(0.0))
        t1 = time.perf_counter()
        gen = self.general.transcribe(audio, options, progress=half(1.0))
        t2 = time.perf_counter()
        per_seg, chosen = combine(gen, dom, self.judge)
        segments = _segments(gen, per_seg, dom)
        hybrid = {
            "domain": dom.model.name if dom.model else "", "general": gen.model.name if gen.model else "", "judge": self.judge.name,
            "from_domain": [{"general": "".join(w.text for w in c.general).strip(), "domain": "".join(w.text for w in c.domain).strip(),
                             "reason": c.reason} for c in chosen],
        }
        timings = {"asr": round(t2 - t0, 4), "asr_domain": round(t1 - t0, 4), "asr_general": round(t2 - t1, 4),
                   "first_segment": dom.timings.get("first_segment", round(t1 - t0, 4))}
        return Transcript(segments=segments, language=gen.language or dom.language, duration=gen.duration or dom.duration,
                          model=self.info, options={**gen.options, "hybrid": hybrid}, timings=timings)
