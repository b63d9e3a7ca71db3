"""The corrector's edit-list target: the model writes only what to change, never the whole segment.

A corrector that rewrites the whole segment must copy every correct word, and a small model
trained from scratch copies badly on text unlike its training data: on conversation it
recited its clinical templates. In the edit-list form the model writes
``heard words => intended words || ... `` (nothing at all when the segment is right), and each
``heard words`` must be found in the input (verbatim, else a span that looks and sounds like
them), so a change can only land on words that were actually heard; an item whose heard words
fit nowhere is dropped.

Here: the format (``format_items``, ``parse_items``), each item's probability and anchoring
generated items on the input (``apply_items``). The training targets are derived from
(hypothesis, reference) pairs in :mod:`medasr.train.corrector.targets`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from medasr.text import norm_word

ARROW = "=>"
SEP = "||"


@dataclass(frozen=True)
class EditItem:
    before: str
    after: str
    logprob: float = 0.0  # the model's log-probability of the whole item


def format_items(items: Sequence[EditItem]) -> str:
    """The target text; empty when there is nothing to change."""
    if not items:
        return ""
    return " " + f" {SEP} ".join(f"{it.before} {ARROW} {it.after}".rstrip() for it in items)


def parse_items(text: str, logprobs: Sequence[float] | None = None) -> list[EditItem]:
    """Items of a generated target; malformed items (no arrow, nothing heard) are skipped.

    ``logprobs``, when given, is one log-probability per item-separated part of ``text``.
    """
    out = []
    for k, part in enumerate(text.split(SEP)):
        if ARROW not in part:
            continue
        before, after = (s.strip() for s in part.split(ARROW, 1))
        if not before:
            continue
        lp = logprobs[k] if logprobs is not None and k < len(logprobs) else 0.0
        out.append(EditItem(before, after.replace(ARROW, "").strip(), lp))
    return out


def item_logprobs(pieces: Sequence[str], token_logprobs: Sequence[float]) -> list[float]:
    """Per ``SEP``-separated part of ``"".join(pieces)``: the log-probability of what it writes.

    That is the sum over the tokens after the part's ``ARROW`` (the intended words), the same
    measure as a rewriting model's word probability; copying the heard words is not counted,
    since they only say where the change goes. A part with nothing after its arrow (a deletion)
    or with no arrow counts all its tokens. A token belongs to where its first character falls.
    """
    text = "".join(pieces)
    parts, k = [], 0  # (start, arrow end or -1, end) per part
    for chunk in text.split(SEP):
        end = k + len(chunk)
        a = chunk.find(ARROW)
        arrow_end = k + a + len(ARROW) if a >= 0 and chunk[a + len(ARROW):].strip() else -1
        parts.append((k, arrow_end, end))
        k = end + len(SEP)
    sums = [0.0] * len(parts)
    pos = 0
    for piece, lp in zip(pieces, token_logprobs):
        if piece.strip() and not piece.strip().strip("|"):  # the separator: the choice to go on
            pos += len(piece)
            continue
        p = next((n for n, (s0, _, e) in enumerate(parts) if pos < e or n == len(parts) - 1), len(parts) - 1)
        s0, arrow_end, e = parts[p]
        if arrow_end < 0 or arrow_end <= pos < e:
            sums[p] += lp
        pos += len(piece)
    return sums


MIN_ANCHOR_SIMILARITY = 0.5


def _anchor(norm: Sequence[str], bw: Sequence[str], free) -> tuple[int, int] | None:
    """Where heard words ``bw`` sit in ``norm``: verbatim first, else the most similar free span.

    A small model does not always copy a rare heard word exactly ("metate" for "methatrexate");
    the closest span of about the same length (spelling and sound similarity at least
    ``MIN_ANCHOR_SIMILARITY``) is taken then. It is safe: the gate judges the change against
    the words actually heard there, never against what the model wrote as heard.
    """
    from medasr.correction.bart.diff import similarity

    n = len(bw)
    for i in range(len(norm) - n + 1):
        if norm[i:i + n] == list(bw) and free(i, i + n):
            return i, i + n
    best, where = MIN_ANCHOR_SIMILARITY, None
    text = " ".join(bw)
    for m in range(max(1, n - 1), n + 2):
        for i in range(len(norm) - m + 1):
            if not free(i, i + m) or not all(norm[i:i + m]):
                continue
            sim = similarity(" ".join(norm[i:i + m]), text)
            if sim > best:
                best, where = sim, (i, i + m)
    return where


def apply_items(words: Sequence[str], items: Sequence[EditItem]) -> tuple[list[str], list[float], int]:
    """Apply anchored items to ``words``: (new words, a probability per new word, items dropped).

    Each item's heard words must match input words (normalized) that no earlier item took:
    verbatim where they occur, else the closest span (:func:`_anchor`); an item that fits
    nowhere is dropped. Words an item writes get the item's probability, the others 1.
    Trailing punctuation of the replaced words is kept, and so is a leading capital.
    """
    norm = [norm_word(w) for w in words]
    taken: list[tuple[int, int, EditItem]] = []
    dropped = 0

    def free(a: int, b: int) -> bool:
        return not any(a < e and s < b for s, e, _ in taken)

    for it in items:
        bw = [w for w in (norm_word(x) for x in it.before.split()) if w]
        place = _anchor(norm, bw, free) if bw else None
        if place is None:
            dropped += 1
            continue
        taken.append((place[0], place[1], it))
    out_words: list[str] = []
    out_probs: list[float] = []
    i = 0
    for s, e, it in sorted(taken, key=lambda x: x[0]):
        out_words += words[i:s]
        out_probs += [1.0] * (s - i)
        new = it.after.split()
        if new:
            tail = re.search(r"[^\w'%]+$", words[e - 1])
            if tail and not re.search(r"[^\w'%]$", new[-1]):
                new[-1] += tail.group(0)
            if words[s][:1].isupper() and new[0][:1].islower():
                new[0] = new[0][0].upper() + new[0][1:]
        out_words += new
        out_probs += [math.exp(it.logprob)] * len(new)
        i = e
    out_words += words[i:]
    out_probs += [1.0] * (len(words) - i)
    return out_words, out_probs, dropped
