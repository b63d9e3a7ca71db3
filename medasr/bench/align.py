"""Per-utterance alignment of normalized reference and hypothesis, errors marked.

Marking, one line per utterance: a correct word as is, a substitution ``[ref->hyp]``, a
deletion ``[-ref]``, an insertion ``[+hyp]``. Words of a medical term list are starred
(``*metformin*``) so a reader sees which errors hit medical words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from medasr.bench.metrics import TermSet


@dataclass(frozen=True)
class AlignedPair:
    op: str  # equal | replace | delete | insert
    ref: str
    hyp: str


def align(ref_norm: str, hyp_norm: str) -> list[AlignedPair]:
    r, h = ref_norm.split(), hyp_norm.split()
    out: list[AlignedPair] = []
    for op in Levenshtein.opcodes(r, h):
        tag = op.tag
        if tag == "equal":
            out += [AlignedPair("equal", r[i], h[j]) for i, j in zip(range(op.src_start, op.src_end), range(op.dest_start, op.dest_end))]
        elif tag == "replace":
            out += [AlignedPair("replace", r[i], h[j]) for i, j in zip(range(op.src_start, op.src_end), range(op.dest_start, op.dest_end))]
        elif tag == "delete":
            out += [AlignedPair("delete", r[i], "") for i in range(op.src_start, op.src_end)]
        else:
            out += [AlignedPair("insert", "", h[j]) for j in range(op.dest_start, op.dest_end)]
    return out


def _term_words(text_norm: str, termsets: Iterable[TermSet]) -> set[str]:
    words: set[str] = set()
    for ts in termsets:
        for t in ts.keep(text_norm):
            words.update(t.split("_"))
    return words


def mark(ref_norm: str, hyp_norm: str, termsets: Iterable[TermSet] = ()) -> str:
    """One line with the errors marked (see module docstring)."""
    termsets = list(termsets)
    med = _term_words(ref_norm, termsets) | _term_words(hyp_norm, termsets)

    def star(w: str) -> str:
        return f"*{w}*" if w in med else w

    parts = []
    for p in align(ref_norm, hyp_norm):
        if p.op == "equal":
            parts.append(star(p.ref))
        elif p.op == "replace":
            parts.append(f"[{star(p.ref)}->{star(p.hyp)}]")
        elif p.op == "delete":
            parts.append(f"[-{star(p.ref)}]")
        else:
            parts.append(f"[+{star(p.hyp)}]")
    return " ".join(parts)


def counts(ref_norm: str, hyp_norm: str) -> dict[str, int]:
    """Substitutions, deletions, insertions and hits of one alignment."""
    c = {"sub": 0, "del": 0, "ins": 0, "hit": 0}
    key = {"replace": "sub", "delete": "del", "insert": "ins", "equal": "hit"}
    for p in align(ref_norm, hyp_norm):
        c[key[p.op]] += 1
    return c
