"""The BART semantic corrector: rewrites ASR text into the intended clinical text, auditably.

Each segment is cut into chunks of at most ``CHUNK_WORDS`` words; each chunk goes to the model
with a few words before and after it as context (:func:`make_source`), all chunks of a
transcript in one batched CTranslate2 call (int8 on CPU, float16 on GPU). A model either
rewrites the chunk or (its card says ``"target": "edits"``) writes only an edit list whose heard
words are anchored on the chunk's words (:mod:`medasr.correction.bart.edits`). The output is diffed
word by word against the input; :func:`medasr.correction.bart.diff.gate` decides which changes
are applied and which are kept as suggestions. Every change becomes an ``Edit(source="bart")``.

Words another stage already edited (the lexicon stage in ``--correct both``) are left alone, so
the two stages never fight over a span.
"""

from __future__ import annotations

import logging
import math
import re
import time
from dataclasses import dataclass
from pathlib import Path

from medasr.config import Settings
from medasr.correction.bart.diff import GatePolicy, WordChange, gate
from medasr.correction.bart.format import make_source
from medasr.text import norm_word
from medasr.correction.bart.verify import VerifyPolicy, decide, in_place, target_text, trials
from medasr.correction.base import register
from medasr.schema import Edit, Segment, Transcript, Word

log = logging.getLogger("medasr.correction")

CHUNK_WORDS = 24


@dataclass(frozen=True)
class _Chunk:
    seg_index: int
    w0: int  # first word (index into the segment's tokens)
    words: tuple[str, ...]
    left: str  # context words before and after the chunk
    right: str

    @property
    def source(self) -> str:
        """What the model reads: the chunk with its context (:func:`make_source`)."""
        return self.with_words(self.words)

    def with_words(self, words) -> str:
        """The model's source for other words (a candidate put in place) in the same context."""
        return make_source(" ".join(words), self.left, self.right)


class BartCorrector:
    name = "bart"

    def __init__(self, settings: Settings | None = None, model_path: str | Path | None = None, *,
                 policy: GatePolicy | None = None, term_check=None, beam_size: int = 2,
                 verify: VerifyPolicy | None = VerifyPolicy(), proposer=None, confusions=None) -> None:
        from medasr.store.corrector import resolve_corrector

        self.settings = settings or Settings.resolve()
        self.resolved = resolve_corrector(model_path, self.settings)
        self.model_path = self.resolved.path
        self.policy = policy or GatePolicy()
        self._term_check = term_check
        self._model = None
        self.beam_size = beam_size
        self.verify = verify  # None: generation only, no judging of vocabulary candidates
        self._proposer = proposer
        self._confusions = confusions  # a ConfusionTable; None: the bundled one, when verify.confusions

    @property
    def model(self):
        if self._model is None:
            from medasr.correction.bart.infer import CorrectorModel

            s = self.settings
            self._model = CorrectorModel(self.model_path, device=s.device, compute_type=s.compute_type,
                                         threads=s.threads, beam_size=self.beam_size)
        return self._model

    @property
    def is_term(self):
        if self._term_check is None:
            from medasr.correction.bart.terms import term_checker

            self._term_check = term_checker(self.settings)
        return self._term_check

    @property
    def proposer(self):
        """Where vocabulary candidates come from: the lexicon pass's span search (no cue needed)."""
        if self._proposer is None:
            from medasr.correction.lexicon import LexiconCorrector

            self._proposer = LexiconCorrector(self.settings)
        return self._proposer

    @property
    def confusions(self):
        """Terms the heard words stood for in training (:mod:`medasr.correction.confusions`), or None."""
        if self._confusions is None and self.verify is not None and self.verify.confusions:
            from medasr.correction.confusions import load_table

            self._confusions = load_table() or False
        return self._confusions or None

    def _proposals(self, sub: Segment) -> list:
        v = self.verify
        props = list(self.proposer.proposals(sub, k=v.k, min_score=v.min_match))
        if v.confusions and self.confusions is not None:
            props += self.confusions.proposals(sub, min_count=v.confusion_min_count,
                                               min_posterior=v.confusion_min_posterior, min_match=v.confusion_min_match,
                                               min_count_everyday=v.confusion_min_count_everyday,
                                               min_posterior_everyday=v.confusion_min_posterior_everyday)
        return props

    def correct(self, transcript: Transcript) -> Transcript:
        t0 = time.perf_counter()
        segs = list(transcript.segments)
        tokens = [s.text.split() for s in segs]
        chunks = _chunks(tokens)
        rewrites = self.model.rewrite([c.source for c in chunks], [c.words for c in chunks])
        gated: list[list[WordChange]] = []
        locals_: list[frozenset[int]] = []
        for c, rw in zip(chunks, rewrites):
            protected = _protected(transcript.edits, segs[c.seg_index], tokens[c.seg_index])
            local = frozenset(i - c.w0 for i in protected if c.w0 <= i < c.w0 + len(c.words))
            locals_.append(local)
            gated.append(gate(c.words, rw.words, rw.word_probs, self.is_term, self.policy, local, math.exp(rw.score)))
        verified = self._verified(chunks, segs, tokens, gated, locals_)
        per_seg: dict[int, list[WordChange]] = {}
        for c, g, v in zip(chunks, gated, verified):
            won = {i for ch in v if ch.applied for i in _covers(ch)}
            g = [ch for ch in g if won.isdisjoint(_covers(ch))]
            for ch in sorted(g + v, key=lambda x: x.i0):
                per_seg.setdefault(c.seg_index, []).append(
                    WordChange(ch.i0 + c.w0, ch.i1 + c.w0, ch.before, ch.after, ch.prob, ch.applied, ch.reason))
        edits = list(transcript.edits)
        for si, changes in sorted(per_seg.items()):
            new_seg, seg_edits = _apply(segs[si], tokens[si], changes)
            segs[si] = new_seg
            edits += seg_edits
        n_applied = sum(1 for e in edits[len(transcript.edits):] if e.applied)
        log.info("bart: %d chunks, %d edits (%d applied) in %.2f s", len(chunks),
                 len(edits) - len(transcript.edits), n_applied, time.perf_counter() - t0)
        options = {**transcript.options, "bart_model": str(self.model_path.name)}
        return transcript.with_changes(segments=tuple(segs), edits=tuple(edits), options=options)

    def _verified(self, chunks, segs, tokens, gated, locals_) -> list[list[WordChange]]:
        """Per chunk, the vocabulary candidates the model judged (:mod:`medasr.correction.bart.verify`)."""
        out: list[list[WordChange]] = [[] for _ in chunks]
        if self.verify is None:
            return out
        sources, targets = [], []
        per_chunk = []
        for ci, c in enumerate(chunks):
            seg = segs[c.seg_index]
            aligned = len(seg.words) == len(tokens[c.seg_index])
            sub = Segment(id=seg.id, start=seg.start, end=seg.end, text=" ".join(c.words),
                          words=tuple(seg.words[c.w0:c.w0 + len(c.words)]) if aligned else ())
            blocked = set(locals_[ci]) | {i for ch in gated[ci] if ch.applied for i in _covers(ch)}
            ts = trials(ci, c.words, self._proposals(sub), frozenset(blocked), self.model.target)
            if not ts:
                continue
            per_chunk.append((ci, ts, len(sources)))
            sources.append(c.source)
            targets.append(target_text(self.model.target, c.words, 0, 0, None))
            for t in ts:
                sources.append(c.source)  # the candidate written for the chunk as heard
                targets.append(t.target)
                if self.verify.self_check:  # the candidate's chunk kept as it is (nothing to correct?)
                    cand = in_place(c.words, t.i0, t.i1, t.after)
                    sources.append(c.with_words(cand))
                    targets.append(target_text(self.model.target, cand, 0, 0, None))
        if not sources:
            return out
        scores = self.model.score(sources, targets)
        step = 2 if self.verify.self_check else 1
        for ci, ts, at in per_chunk:
            heard = scores[at]
            out[ci] = decide(ts, [sum(scores[at + 1 + step * k + j] - heard for j in range(step)) for k in range(len(ts))],
                             self.verify)
        return out


def _covers(ch: WordChange) -> range:
    """The input words a change touches (an insertion: the word it goes before)."""
    return range(ch.i0, max(ch.i1, ch.i0 + 1))


def _chunks(tokens: list[list[str]]) -> list[_Chunk]:
    flat = [(si, wi) for si, ws in enumerate(tokens) for wi in range(len(ws))]
    pos = {k: n for n, k in enumerate(flat)}
    all_words = [tokens[si][wi] for si, wi in flat]
    out = []
    for si, ws in enumerate(tokens):
        for w0 in range(0, len(ws), CHUNK_WORDS):
            part = ws[w0:w0 + CHUNK_WORDS]
            start = pos[(si, w0)]
            end = start + len(part)
            left = " ".join(all_words[max(0, start - 8):start])
            right = " ".join(all_words[end:end + 8])
            out.append(_Chunk(si, w0, tuple(part), left, right))
    return out


def _protected(edits: tuple[Edit, ...], seg: Segment, toks: list[str]) -> set[int]:
    """Token indices of ``seg`` that another stage's applied edits produced."""
    out: set[int] = set()
    norm = [norm_word(t) for t in toks]
    for e in edits:
        if e.source == "bart" or e.segment_id != seg.id or not e.applied:
            continue
        target = [norm_word(w) for w in e.after.split()]
        n = len(target)
        if n == 0:
            continue
        for i in range(len(norm) - n + 1):
            if norm[i:i + n] == target:
                out.update(range(i, i + n))
    return out


def _spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]


def _apply(seg: Segment, toks: list[str], changes: list[WordChange]) -> tuple[Segment, list[Edit]]:
    spans = _spans(seg.text)
    aligned = len(seg.words) == len(toks)
    edits = []
    for ch in changes:
        ids = tuple(seg.words[i].id for i in range(ch.i0, ch.i1)) if aligned else ()
        if ch.i1 > ch.i0:
            cs, ce = spans[ch.i0][0], spans[ch.i1 - 1][1]
        else:
            cs = ce = spans[ch.i0][0] if ch.i0 < len(spans) else len(seg.text)
        edits.append(Edit(segment_id=seg.id, before=ch.before, after=ch.after, source="bart", score=round(ch.prob, 4),
                          word_ids=ids, char_start=cs, char_end=ce, applied=ch.applied, reason=ch.reason))
    applied = sorted((c for c in changes if c.applied), key=lambda c: c.i0, reverse=True)
    if not applied:
        return seg, edits
    new_toks = list(toks)
    words = list(seg.words)
    for ch in applied:
        new_toks[ch.i0:ch.i1] = [ch.after]
        if aligned:
            first, last = seg.words[ch.i0], seg.words[ch.i1 - 1]
            words[ch.i0:ch.i1] = [Word(start=first.start, end=last.end, text=" " + ch.after,
                                       probability=round(ch.prob, 4), id=first.id)]
    lead = " " if seg.text.startswith(" ") else ""
    return (Segment(id=seg.id, start=seg.start, end=seg.end, text=lead + " ".join(new_toks), words=tuple(words),
                    avg_logprob=seg.avg_logprob, no_speech_prob=seg.no_speech_prob,
                    compression_ratio=seg.compression_ratio, speaker=seg.speaker), edits)


register("bart", BartCorrector)
