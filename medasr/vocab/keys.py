"""Matching keys shared by the build and the matcher: a spelling key and a phonetic key."""

from __future__ import annotations

import re
import unicodedata

import jellyfish

from medasr.vocab.normalize import number_to_words

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_DIGITS = re.compile(r"\d+")


def norm(text: str) -> str:
    """Lowercase, accents dropped, punctuation to spaces, spaces collapsed:
    "Metformin-HCl 500mg" -> "metformin hcl 500mg", "Brémelanotide" -> "bremelanotide"."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NON_ALNUM.sub(" ", text.lower()).strip()


def compact(normed: str) -> str:
    """The spelling key: the normalized text without spaces, so word splits do not matter."""
    return normed.replace(" ", "")


def phonetic(normed: str) -> str:
    """The sound key: metaphone of the whole phrase with digits read as words and spaces removed,
    so "met for men" and "metformin" share "MTFRMN"."""
    if not normed:
        return ""
    spelled = _DIGITS.sub(lambda m: number_to_words(int(m.group(0))) if len(m.group(0)) < 10 else m.group(0), normed)
    return jellyfish.metaphone(spelled.replace(" ", "")) or compact(normed).upper()
