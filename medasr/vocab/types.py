"""Typed objects of the medical vocabulary: entries, match candidates and build statistics."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Kinds of entry. The first nine are the issue's; ``route``, ``frequency`` and ``dose_form``
# come from our curated lists; ``term`` is a medwer term not otherwise classified.
KINDS: tuple[str, ...] = (
    "diagnosis",
    "symptom",
    "drug",
    "brand",
    "procedure",
    "anatomy",
    "lab",
    "abbreviation",
    "unit",
    "route",
    "frequency",
    "dose_form",
    "term",
)


@dataclass(frozen=True)
class Entry:
    """One vocabulary term.

    ``written`` is the canonical written form ("Metformin", "E11.9"'s description, "b.i.d.");
    ``codes`` are identifiers ("icd10cm:E11.9", "drugbank:DB00331", "medlineplus:a696005",
    "generic:metformin" for a brand); ``spoken`` are how a clinician says it (at least one);
    ``synonyms`` are other written variants that the matcher also knows.
    """

    id: int
    written: str
    kind: str
    codes: tuple[str, ...] = ()
    spoken: tuple[str, ...] = ()
    source: str = ""
    synonyms: tuple[str, ...] = ()

    @property
    def icd10(self) -> str | None:
        for c in self.codes:
            if c.startswith("icd10cm:"):
                return c.split(":", 1)[1]
        return None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("codes", "spoken", "synonyms"):
            d[k] = list(d[k])
        return d


@dataclass(frozen=True)
class Candidate:
    """A ranked match: ``score`` in [0, 1]; ``method`` says how it was found
    ("exact", "spelling", "phonetic", "spelling+phonetic"); ``surface`` is the form that matched."""

    entry: Entry
    score: float
    method: str
    surface: str = ""


@dataclass(frozen=True)
class VocabStats:
    version: str
    path: str
    built_at: str
    build_seconds: float
    entries: int
    surfaces: int
    by_kind: dict[str, int] = field(default_factory=dict)
    by_source: dict[str, int] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # source -> version
    icd10_codes: int = 0
    drugs_with_brands: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
