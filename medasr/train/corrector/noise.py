"""Text-level ASR noise learned from real (hypothesis, reference) pairs.

``ConfusionModel.fit(pairs)`` aligns hypothesis and reference words and keeps every
substituted span (``spironolactone`` -> ``spy on lactone``). ``noisy(text, rng)`` then rewrites
a clean reference the way the ASR model got similar text wrong: learned confusions where the
reference span was seen, and generic phonetic-style damage otherwise (a long word split into
pieces, two words merged, a dropped letter, number and unit forms, punctuation and case).
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from medasr.text import align_words, norm_word

_NUM_WORDS = {
    "0": "zero", "1": "one", "2": "two", "3": "three", "4": "four", "5": "five", "6": "six",
    "7": "seven", "8": "eight", "9": "nine", "10": "ten", "12": "twelve", "15": "fifteen",
    "20": "twenty", "25": "twenty five", "30": "thirty", "40": "forty", "50": "fifty",
    "75": "seventy five", "100": "one hundred", "200": "two hundred", "250": "two hundred and fifty",
    "300": "three hundred", "400": "four hundred", "500": "five hundred", "1000": "one thousand",
}
_UNIT_FORMS = {
    "milligrams": ("mg", "milligram", "milli grams", "mcg"),
    "micrograms": ("mcg", "micrograms", "micro grams", "milligrams"),
    "milliliters": ("ml", "millilitres", "mils"),
    "units": ("unit", "you knits"),
}


@dataclass
class ConfusionModel:
    """Span confusions ref -> [hyp variants] learned from ASR output."""

    table: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    n_pairs: int = 0

    def fit(self, pairs: Iterable[tuple[str, str]]) -> ConfusionModel:
        for hyp, ref in pairs:
            self.n_pairs += 1
            for tag, r, h in align_words(hyp, ref):
                if tag in ("replace", "delete") and r and len(r) <= 4 and len(h) <= 5:
                    self.table[" ".join(r)].append(" ".join(h))
        return self

    @property
    def n_confusions(self) -> int:
        return sum(len(v) for v in self.table.values())

    def noisy(self, text: str, rng: random.Random, *, rate: float = 0.35) -> str:
        words = text.split()
        out: list[str] = []
        i = 0
        while i < len(words):
            done = False
            for n in (3, 2, 1):
                key = " ".join(norm_word(w) for w in words[i:i + n])
                if i + n <= len(words) and key in self.table and rng.random() < rate * 1.5:
                    rep = rng.choice(self.table[key])
                    if rep:
                        out.append(rep + _trailing_punct(words[i + n - 1]))
                    i += n
                    done = True
                    break
            if done:
                continue
            w = words[i]
            if rng.random() < rate / 3:
                w = _generic(w, words[i + 1] if i + 1 < len(words) else None, rng)
                if w.endswith("\x00"):  # merged with the next word
                    w = w[:-1]
                    i += 1
            out.append(w)
            i += 1
        s = " ".join(x for x in out if x)
        if rng.random() < 0.3:
            s = s.replace(",", "") if rng.random() < 0.5 else s.rstrip(".")
        return s


def _trailing_punct(w: str) -> str:
    m = re.search(r"[.,;:!?]+$", w)
    return m.group(0) if m else ""


def _generic(w: str, nxt: str | None, rng: random.Random) -> str:
    core = norm_word(w)
    tail = _trailing_punct(w)
    if core in _NUM_WORDS and rng.random() < 0.6:
        return _NUM_WORDS[core] + tail
    if core in _UNIT_FORMS:
        return rng.choice(_UNIT_FORMS[core]) + tail
    if len(core) >= 7 and core.isalpha():
        r = rng.random()
        if r < 0.5:  # split into 2-3 pieces, as Whisper does with unknown drug names
            cuts = sorted(rng.sample(range(2, len(core) - 2), k=min(2, len(core) - 4) if rng.random() < 0.4 else 1))
            pieces, prev = [], 0
            for c in cuts + [len(core)]:
                pieces.append(core[prev:c])
                prev = c
            return " ".join(pieces) + tail
        if r < 0.8:  # drop or swap a letter
            j = rng.randrange(1, len(core) - 1)
            return (core[:j] + core[j + 1:] if rng.random() < 0.5 else core[:j] + rng.choice("aeioulnrst") + core[j + 1:]) + tail
        return core.capitalize() + tail
    if nxt is not None and len(core) <= 4 and core.isalpha() and norm_word(nxt).isalpha() and rng.random() < 0.5:
        return core + norm_word(nxt) + _trailing_punct(nxt) + "\x00"
    return w
