"""The BART model as a judge of sound-alike vocabulary terms, in context.

Generation alone fails where the model has not learned the language around a term: on
conversation, a small corrector trained on dictation recites dictation. Judging is easier than
writing. For each suspicious span of a chunk (a word that is neither English nor a term, or one
Whisper doubted; :meth:`LexiconCorrector.proposals`) up to three sound-alike vocabulary terms are
put in its place, one at a time, and the model is asked two things about each:

* would it write the candidate for the chunk as heard? log P(candidate | heard) - log P(heard | heard);
* would it leave the candidate's chunk alone, more than it would the heard one?
  log P(candidate | candidate) - log P(heard | heard). A from-scratch corrector copies hard, so the
  first question alone favours the heard words even when they are a misspelling; the second asks
  whether the model sees anything to correct in either (``VerifyPolicy.self_check``).

The sum of the two (``score_batch``: summed log-probabilities of the target given the source) is
the model's preference. The change is applied only when the model prefers it to the heard words
by ``margin`` nats and to every other candidate for the span by ``runner_up`` nats, and the heard
words look and sound much like it (``min_match_apply``); anything weaker is kept as a suggestion.

This stands in for the lexicon pass's list of cue words ("mg", "history of"): the model reads
the context instead, with or without a dose in sight, and picks among the sound-alikes.

A second source of candidates needs no suspicious word: the training pairs' confusions
(:mod:`medasr.correction.confusions`), heard words that stood for a term in training often
enough ("rush" for rash in 65 of 74 hypotheses). Such a candidate is judged the same way and
needs the same margin; its evidence is the training count, so it is spared ``min_match_apply``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from medasr.correction.bart.diff import WordChange
from medasr.text import norm_word


@dataclass(frozen=True)
class VerifyPolicy:
    """Chosen on held-out data the corrector never trained on and the benchmark never scores
    (600 synth dev-split pairs, 600 spoken consultation turns, and the 80 PriMock utterances that
    ``primock:40`` leaves out; benchmarks/results/corrector-verify and corrector-context). The
    candidate's match score separates right from wrong changes better than the model does; the
    model's judgement lifts precision. Over 868 trials, at match >= 0.85 and runner-up 1: both questions
    with margin 3 apply 83 right / 7 wrong / 0 harmful; the first question alone (margin 1) 63 / 3 / 0;
    every best candidate, unjudged, 168 / 53 / 8. Adding the learned confusions (the ``confusion_*``
    defaults) to the whole stage on the same dev rows (1,440 with the PriMock ones): 6 more edits,
    5 of them right, 0 harmful (benchmarks/results/corrector-confusions)."""

    margin: float = 3.0  # nats by which the model must prefer the term to the heard words
    runner_up: float = 1.0  # ... and to the span's next best candidate
    min_match: float = 0.75  # lowest vocabulary match score (spelling + sound) of a candidate tried
    min_match_apply: float = 0.85  # ... of one applied; a weaker match stays a suggestion
    k: int = 3  # candidates per span
    min_suggest: float = -1.0  # a weaker preference than this is not even suggested
    self_check: bool = True  # also ask whether the model would leave each version alone (see above)
    # terms the heard words stood for in training (medasr.correction.confusions); such a candidate
    # needs the same margin, not min_match_apply: its evidence is the training count, not the spelling
    confusions: bool = True
    confusion_min_count: int = 2  # training hypotheses in which the heard words stood for the term
    confusion_min_posterior: float = 0.3  # ... out of those in which they were heard at all
    confusion_min_match: float = 0.6  # spelling similarity of heard words and term
    # heard words that are all ordinary English need more: "diary" (2 of 2) -> diarrhea, "a normal" (3 of 7) -> abnormal
    confusion_min_count_everyday: int = 5
    confusion_min_posterior_everyday: float = 0.5


@dataclass(frozen=True)
class Trial:
    """One candidate put in place: chunk ``chunk``, words ``[i0, i1)`` replaced by ``after``."""

    chunk: int
    i0: int
    i1: int
    before: str
    after: str
    match: float
    target: str
    evidence: str = ""  # for a training confusion (VerifyPolicy.confusions): how often it was seen

    @property
    def learned(self) -> bool:
        return bool(self.evidence)


def target_text(kind: str, words: Sequence[str], i0: int, i1: int, after: str | None) -> str:
    """What a model of target ``kind`` ("text" or "edits") would write for ``words`` with
    ``[i0, i1)`` replaced by ``after`` (``after=None``: the words as they are)."""
    from medasr.correction.bart.edits import EditItem, format_items
    from medasr.correction.bart.format import make_target

    if kind == "edits":
        return "" if after is None else format_items([EditItem(" ".join(words[i0:i1]), after)])
    new = list(words) if after is None else in_place(words, i0, i1, after)
    return make_target(" ".join(new))


def in_place(words: Sequence[str], i0: int, i1: int, after: str) -> list[str]:
    """``words`` with ``[i0, i1)`` replaced by the one item ``after``."""
    return list(words[:i0]) + [after] + list(words[i1:])


def trials(chunk: int, words: Sequence[str], proposals, protected: frozenset[int], kind: str = "text") -> list[Trial]:
    """The chunk's words with each proposal put in place, as targets of a model of ``kind``
    (proposals over protected words, and ones that do not really replace words, are skipped)."""
    from medasr.correction.lexicon import EDGE_WORDS

    out = []
    seen = set()
    for p in proposals:
        if any(i in protected for i in range(p.lo, p.hi)) or (p.lo, p.hi, p.after) in seen:
            continue
        a, b = _trimmed([norm_word(w) for w in words[p.lo:p.hi]], [norm_word(w) for w in p.after.split()])
        if not a or not b or (a[0] in EDGE_WORDS and a[0] != b[0]) or (a[-1] in EDGE_WORDS and a[-1] != b[-1]):
            continue  # "pain in the soid" -> "pain in throat" really replaces "the soid": it eats a "the"
        seen.add((p.lo, p.hi, p.after))
        out.append(Trial(chunk, p.lo, p.hi, " ".join(words[p.lo:p.hi]), p.after, p.score,
                         target_text(kind, words, p.lo, p.hi, p.after), p.reason if p.learned else ""))
    return out


def _trimmed(a: list[str], b: list[str]) -> tuple[list[str], list[str]]:
    """The words that really change: ``a`` and ``b`` less the words they begin and end with alike."""
    while a and b and a[0] == b[0]:
        a, b = a[1:], b[1:]
    while a and b and a[-1] == b[-1]:
        a, b = a[:-1], b[:-1]
    return a, b


def decide(trials_: Sequence[Trial], deltas: Sequence[float], policy: VerifyPolicy) -> list[WordChange]:
    """One change per span at most, non-overlapping, strongest preference first.

    ``deltas[i]``: how much the model prefers trial i's chunk to the chunk as heard, in nats
    (log P(trial | heard) - log P(heard | heard), plus with ``self_check`` log P(trial | trial) - log P(heard | heard))."""
    by_span: dict[tuple[int, int], list[tuple[float, Trial]]] = {}
    for t, d in zip(trials_, deltas):
        by_span.setdefault((t.i0, t.i1), []).append((d, t))
    ranked = []
    for span, rows in by_span.items():
        rows.sort(key=lambda r: -r[0])
        best_d, best = rows[0]
        second = rows[1][0] if len(rows) > 1 else -math.inf
        ranked.append((best_d, best, second))
    ranked.sort(key=lambda r: -r[0])
    taken: set[int] = set()
    out = []
    for d, t, second in ranked:
        if d < policy.min_suggest or not taken.isdisjoint(range(t.i0, t.i1)):
            continue
        taken.update(range(t.i0, t.i1))
        prob = 1.0 / (1.0 + math.exp(-d))
        what = f"{t.evidence}; candidate" if t.learned else "vocabulary candidate"
        head = f"{what} {t.after!r} (match {t.match:.2f}); model prefers it to the heard words by {d:.1f} nats"
        if d < policy.margin:
            applied, reason = False, f"suggestion: {head} (needs {policy.margin:.1f})"
        elif t.match < policy.min_match_apply and not t.learned:
            applied, reason = False, f"suggestion: {head}, but the words only sound a little like it (needs {policy.min_match_apply:.2f})"
        elif d - second < policy.runner_up:
            applied, reason = False, f"suggestion: {head}, but barely more than another candidate ({d - second:.1f})"
        else:
            applied, reason = True, head
        out.append(WordChange(t.i0, t.i1, t.before, t.after, prob, applied, reason))
    return sorted(out, key=lambda c: c.i0)
