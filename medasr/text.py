"""Text helpers shared by the correctors, training and the benchmark: one home for each.

``norm_word`` (a word compared without case and punctuation; ``norm_phrase`` for several), ``align_words`` (a merged
Levenshtein word alignment of a hypothesis against a reference) and ``normalize`` (Whisper's
English normalizer, the benchmark's and medwer's scoring space).
"""

from __future__ import annotations

import functools
import re

_PUNCT = re.compile(r"[^\w'.%-]+|(?<!\d)\.|\.(?!\d)")


def norm_word(w: str) -> str:
    """Lowercase, punctuation stripped (keeps digits, decimal points, apostrophes)."""
    return _PUNCT.sub("", w.lower()).strip("'")


def norm_phrase(text: str) -> str:
    """Every word of ``text`` through :func:`norm_word`, the empty ones dropped, joined by spaces."""
    return " ".join(w for w in (norm_word(x) for x in text.split()) if w)


def align_words(hyp: str, ref: str) -> list[tuple[str, list[str], list[str]]]:
    """Levenshtein word alignment on normalized words: (op, ref words, hyp words) blocks, adjacent
    differences merged (``spironolactone`` -> ``spy on lactone`` is one block, not an insert and a replace)."""
    from rapidfuzz.distance import Levenshtein

    r = [norm_word(w) for w in ref.split()]
    h = [norm_word(w) for w in hyp.split()]
    out: list[tuple[str, list[str], list[str]]] = []
    for op in Levenshtein.opcodes(r, h):
        rs, hs = r[op.src_start:op.src_end], h[op.dest_start:op.dest_end]
        if op.tag != "equal" and out and out[-1][0] != "equal":  # one block per run of differences
            out[-1] = ("replace", out[-1][1] + rs, out[-1][2] + hs)
        else:
            out.append((op.tag, rs, hs))
    return out


@functools.lru_cache(maxsize=1)
def _normalizer():  # whisper-normalizer builds large regex tables: once per process
    from whisper_normalizer.english import EnglishTextNormalizer

    return EnglishTextNormalizer()


def normalize(text: str) -> str:
    """Whisper's English normalizer (pinned whisper-normalizer 0.1.12), whitespace-collapsed."""
    return " ".join(_normalizer()(text).split())
