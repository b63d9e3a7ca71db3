"""Word-level diff of the corrector's output against its input, and the gate that decides
which changes are applied and which stay suggestions.

Differences of case and punctuation alone are ignored (the corrector is not a punctuator).
A change is applied only when the model is confident and either the new words are a
vocabulary term that sounds or is spelt like the old ones, or the change is small (a couple
of characters) and very probable. Everything else becomes a suggestion (``applied=False``).
A change never alters digits unless it lands on a vocabulary term, and never replaces a
vocabulary term with a different one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from medasr.text import norm_word

TermCheck = Callable[[str], bool]


@dataclass(frozen=True)
class GatePolicy:
    min_prob_term: float = 0.5  # lowest word probability of the new words for a vocabulary edit
    # mean of spelling and sound similarity of old and new words for a vocabulary edit: 0.61-0.96
    # for tiny.en's real drug-name errors ("trimester in"/"trimethoprim", "met form in"/"metformin"),
    # 0.45-0.53 for everyday words a hallucinating model turned into "metformin"
    min_similarity: float = 0.6
    min_prob_small: float = 0.9
    max_small_chars: int = 2
    max_span_words: int = 5
    min_suggest_prob: float = 0.05  # below this a change is noise: not even suggested


@dataclass(frozen=True)
class WordChange:
    """Replace input words ``[i0, i1)`` by ``after`` (``i0 == i1``: an insertion)."""

    i0: int
    i1: int
    before: str
    after: str
    prob: float  # lowest probability among the new words (the whole output's, for a pure deletion)
    applied: bool
    reason: str


def diff_blocks(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int, int, int]]:
    """Differing blocks ``(i0, i1, j0, j1)`` of two word lists, adjacent Levenshtein ops merged."""
    from rapidfuzz.distance import Levenshtein

    blocks: list[list[int]] = []
    for op in Levenshtein.opcodes(a, b):
        if op.tag == "equal":
            continue
        if blocks and blocks[-1][1] == op.src_start and blocks[-1][3] == op.dest_start:
            blocks[-1][1], blocks[-1][3] = op.src_end, op.dest_end
        else:
            blocks.append([op.src_start, op.src_end, op.dest_start, op.dest_end])
    return [tuple(x) for x in blocks]


def word_changes(src_words: Sequence[str], out_words: Sequence[str], out_probs: Sequence[float]) -> list[tuple[int, int, int, int]]:
    """Differing blocks ``(i0, i1, j0, j1)`` between input and output words, compared normalized."""
    a = [norm_word(w) for w in src_words]
    b = [norm_word(w) for w in out_words]
    blocks = diff_blocks(a, b)
    # a block that only differs in empty tokens (punctuation) is not a change
    return [x for x in blocks if " ".join(filter(None, a[x[0]:x[1]])) != " ".join(filter(None, b[x[2]:x[3]]))]


def _letters(s: str) -> str:
    return re.sub(r"[^a-z0-9]", "", s.lower())


def similarity(before: str, after: str) -> float:
    """Mean of spelling similarity and sound (metaphone) similarity, 0..1."""
    import jellyfish
    from rapidfuzz import fuzz

    a, b = _letters(before), _letters(after)
    if not a or not b:
        return 0.0
    spell = fuzz.ratio(a, b) / 100
    ma = "".join(jellyfish.metaphone(w) for w in before.split())
    mb = "".join(jellyfish.metaphone(w) for w in after.split())
    sound = fuzz.ratio(ma, mb) / 100 if ma and mb else 0.0
    return (spell + sound) / 2


def _has_term(words: Sequence[str], is_term: TermCheck) -> bool:
    ws = [norm_word(w) for w in words]
    for n in range(min(4, len(ws)), 0, -1):
        for i in range(len(ws) - n + 1):
            phrase = " ".join(ws[i:i + n])
            if phrase and is_term(phrase):
                return True
    return False


def gate(src_words: Sequence[str], out_words: Sequence[str], out_probs: Sequence[float], is_term: TermCheck,
         policy: GatePolicy = GatePolicy(), protected: frozenset[int] = frozenset(),
         seq_prob: float = 1.0) -> list[WordChange]:
    """Every change between input and output, each with its decision and reason.

    Changes touching a ``protected`` input word (one another stage already edited) are dropped,
    and so are changes the model itself gives less than ``min_suggest_prob``. ``seq_prob``
    (the output's mean token probability) stands in for the confidence of a pure deletion.
    """
    from rapidfuzz.distance import Levenshtein

    changes = []
    for i0, i1, j0, j1 in word_changes(src_words, out_words, out_probs):
        if any(i in protected for i in range(i0, max(i1, i0 + 1))):
            continue
        before = " ".join(src_words[i0:i1])
        after = " ".join(out_words[j0:j1])
        prob = min(out_probs[j0:j1]) if j1 > j0 else seq_prob
        if prob < policy.min_suggest_prob:
            continue
        digits_same = re.findall(r"\d+", before) == re.findall(r"\d+", after)
        after_term = j1 > j0 and _has_term(out_words[j0:j1], is_term)
        before_term = i1 > i0 and _has_term(src_words[i0:i1], is_term)
        sim = similarity(before, after) if i1 > i0 and j1 > j0 else 0.0
        chars = Levenshtein.distance(_letters(before), _letters(after))
        if i1 == i0 or j1 == j0:
            applied, reason = False, "insertion or deletion: suggestion only"
        elif max(i1 - i0, j1 - j0) > policy.max_span_words:
            applied, reason = False, "span too long: suggestion only"
        elif before_term and after_term:
            applied, reason = False, "would replace one vocabulary term with another: suggestion only"
        elif after_term and prob >= policy.min_prob_term and sim >= policy.min_similarity:
            applied, reason = True, f"vocabulary term; p={prob:.2f}, similarity={sim:.2f}"
        elif not before_term and digits_same and chars <= policy.max_small_chars and prob >= policy.min_prob_small:
            applied, reason = True, f"small change ({chars} chars); p={prob:.2f}"
        else:
            why = []
            if not after_term:
                why.append("not a vocabulary term")
            if prob < policy.min_prob_term:
                why.append(f"low confidence p={prob:.2f}")
            if after_term and sim < policy.min_similarity:
                why.append(f"dissimilar to the heard words ({sim:.2f})")
            if not digits_same:
                why.append("changes a number")
            if before_term:
                why.append("replaces a vocabulary term")
            applied, reason = False, "suggestion: " + ", ".join(why or ["not confident enough"])
        changes.append(WordChange(i0, i1, before, after, prob, applied, reason))
    return changes
