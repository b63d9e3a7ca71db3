"""Facts: the short clinical statements every backend proposes before a template lays them out.

A ``Fact`` is a statement in one category (``medasr.note.templates.CATEGORIES``) with its
evidence. ``merge_facts`` joins facts with the same key (one symptom said three times) and
drops near-duplicates; ``to_note`` places facts in a template's sections.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from medasr.note.lexicon import number_value
from medasr.note.templates import Template
from medasr.note.text import tokens
from medasr.schema import Evidence, Medication, Note, NoteItem, Problem

ROLE_LABEL = {"clinician": "clinician", "patient": "patient"}


@dataclass(frozen=True)
class Fact:
    category: str
    text: str
    evidence: tuple[Evidence, ...]
    key: str = ""  # facts with one key are one fact ("symptom:fever")
    negated: bool = False
    uncertain: bool = False
    reason: str = ""
    source: str = "rules"  # rules | model
    attrs: dict[str, str] = field(default_factory=dict)

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.role for e in self.evidence if e.role))


def _similar(a: str, b: str) -> bool:
    ta, tb = set(tokens(a)), set(tokens(b))
    if not ta or not tb:
        return False
    return len(ta & tb) / min(len(ta), len(tb)) >= 0.85 and abs(len(ta) - len(tb)) <= 2


def merge_facts(facts: list[Fact]) -> list[Fact]:
    """One fact per key (the first text, all evidence, uncertain if any is); then drop facts
    whose text nearly repeats an earlier one of the same category."""
    by_key: dict[str, Fact] = {}
    order: list[str] = []
    for i, f in enumerate(facts):
        k = f.key or f"#{i}"
        old = by_key.get(k)
        if old is None:
            by_key[k] = f
            order.append(k)
            continue
        ev = old.evidence + tuple(e for e in f.evidence if e not in old.evidence)
        attrs = {**f.attrs, **{a: v for a, v in old.attrs.items() if v}}
        by_key[k] = replace(old, evidence=ev, attrs=attrs, uncertain=old.uncertain and f.uncertain, reason=old.reason if old.uncertain and f.uncertain else "")
    out: list[Fact] = []
    for k in order:
        f = by_key[k]
        if any(o.category == f.category and _similar(o.text, f.text) for o in out):
            continue
        out.append(f)
    return out


_GROUP = {"complaint": "symptom", "hpi": "symptom", "ros": "symptom"}
_STOPWORDS = frozenset("with from have been when that this for and the not no".split())


def _content(text: str) -> set[str]:
    """Content words, numbers written either way ("three" and "3" are one word)."""
    out = {number_value(t) for t in tokens(text) if t not in ("a", "an")}
    return {t for t in out if (len(t) > 3 or t.isdigit()) and t not in _STOPWORDS}


def covered(fact: Fact, others: list[Fact]) -> bool:
    """Does one of ``others`` say the same thing: same kind of section, a shared evidence
    segment and a shared content word?"""
    group = _GROUP.get(fact.category, fact.category)
    segs = {e.segment_id for e in fact.evidence}
    words = _content(fact.text)
    for o in others:
        if _GROUP.get(o.category, o.category) != group:
            continue
        shared = words & _content(o.text)
        if segs & {e.segment_id for e in o.evidence} and (any(not w.isdigit() for w in shared) or _similar(fact.text, o.text)):
            return True
    return False


def union(model: list[Fact], rules: list[Fact]) -> list[Fact]:
    """Both lists, each thing said once: where a model fact and a rules fact say the same thing,
    the one with more content words stays ("headache" gives way to "Left headache, throbbing
    since mid-day"). Ordered by where the evidence starts in the transcript."""
    kept_model = [m for m in model if not any(covered(m, [r]) and len(_content(r.text)) > len(_content(m.text)) for r in rules)]
    kept_rules = [r for r in rules if not covered(r, kept_model)]
    merged = sorted(kept_rules + kept_model, key=lambda f: min((e.segment_id for e in f.evidence), default=10**9))
    return merge_facts(merged)


def _speaker(fact: Fact) -> str | None:
    roles = fact.roles
    return "+".join(roles) if roles else None


def to_note(facts: list[Fact], template: Template, mode: str, *, medications: tuple[Medication, ...] = (),
            problems: tuple[Problem, ...] = (), backend: str = "", model: str = "", source: str | None = None,
            warnings: tuple[str, ...] = ()) -> Note:
    """The note: facts in their template sections (template order; within a section, its
    categories' order, then the order said), the coded lists beside."""
    placed: dict[str, list[NoteItem]] = {k: [] for k in template.keys()}
    for f in facts:
        key = template.section_for(f.category, mode)
        if key is None:
            continue
        placed[key].append(
            NoteItem(f.text, f.evidence, uncertain=f.uncertain, reason=f.reason, speaker=_speaker(f), category=f.category)
        )
    order = {s.key: s.categories for s in template.sections}
    for k, items in placed.items():  # a section of several categories lists them in its order ("family", then "social")
        items.sort(key=lambda i: order[k].index(i.category) if i.category in order[k] else len(order[k]))
    return Note(
        sections={k: tuple(v) for k, v in placed.items() if v},
        medications=medications,
        problems=problems,
        backend=backend,
        model=model,
        mode=mode,
        source=source,
        warnings=warnings,
        template=template.name,
    )
