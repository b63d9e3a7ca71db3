"""The ``rules`` backend: a concise extractor of clinical facts, no model.

Conversation: symptoms (present or denied, with duration and attributes), history,
medications, allergies, family and social history, the assessment and the plan, each a brief
statement with its evidence (``extract_symptoms``, ``extract_history``, ``extract_plan``).
Dictation that names its sections aloud keeps the clinician's own sentences under those
headings (they are already a note); dictation without headings goes through the extractor.
It is the fallback when no model is available, and the source of the candidates every
model backend is shown and must account for.
"""

from __future__ import annotations

from dataclasses import replace

from medasr.note import sections as S
from medasr.note.contacts import contact_facts
from medasr.note.dialogue import evidence, utterances
from medasr.note.extract_history import history_facts
from medasr.note.exam import exam_facts
from medasr.note.extract_plan import plan_facts
from medasr.note.extract_symptoms import symptom_facts
from medasr.note.facts import Fact, merge_facts, to_note
from medasr.note.ice import ice_facts
from medasr.note.linking import Linker
from medasr.note.templates import Template, load_template
from medasr.schema import Note, Transcript

# heading section (medasr.note.sections) -> fact category
HEADING_CATEGORY = {
    "chief_complaint": "complaint", "history_of_present_illness": "hpi", "past_history": "pmh",
    "medications": "medication", "allergies": "allergy", "social_family_history": "social",
    "review_of_systems": "ros", "examination": "exam", "assessment": "assessment", "plan": "plan",
}
PLAN_FROM = 0.4  # in a conversation, plan actions come from the clinician's later statements


def extract_facts(transcript: Transcript, linker: Linker, mode: str) -> list[Fact]:
    """Every fact the rules find, merged and deduplicated, in note order."""
    utts = utterances(transcript, mode)
    first = next((i for i, u in enumerate(utts) if S.heading(u.text)), None) if mode == "dictation" else None
    if first is not None:  # the sentences before the first heading are read like undictated ones
        before = _extract(transcript, utts[:first], linker, mode) if first else []
        return merge_facts(before + _dictated(transcript, utts[first:], linker))
    return _extract(transcript, utts, linker, mode)


def _extract(transcript: Transcript, utts, linker: Linker, mode: str) -> list[Fact]:  # type: ignore[no-untyped-def]
    start = int(len(utts) * PLAN_FROM) if mode == "conversation" else 0
    facts = symptom_facts(utts, transcript, mode)
    hpi = [f for f in facts if f.category == "hpi"]
    if hpi:
        facts[facts.index(hpi[0])] = replace(hpi[0], category="complaint")
    facts += history_facts(utts, transcript, linker, mode)
    facts += ice_facts(utts, transcript)
    if mode == "conversation":
        facts += contact_facts(utts, transcript) + exam_facts(utts, transcript)
    facts += plan_facts(utts[start:], transcript, linker, mode)
    facts = merge_facts(facts)
    facts += [Fact("instruction", f.attrs["instruction"], f.evidence, key=f"instruction:{f.key}") for f in facts
              if f.category == "plan" and f.attrs.get("instruction")]
    return facts


def _dictated(transcript: Transcript, utts, linker: Linker) -> list[Fact]:  # type: ignore[no-untyped-def]
    """Dictation with spoken headings: each sentence under its heading, the heading cut off."""
    facts: list[Fact] = []
    current = "hpi"
    for u in utts:
        text, offset = u.text, 0
        h = S.heading(u.text)
        if h is not None:
            section, cut = h
            current = HEADING_CATEGORY.get(section, "hpi")
            rest = u.text[cut:]
            offset = cut + (len(rest) - len(rest.lstrip()))
            text = u.text[offset:]
        if not text.strip():
            continue
        hedged = bool(S.HEDGE.search(text)) and current in ("assessment", "pmh")
        ev = (evidence(transcript, u, offset),)
        facts.append(Fact(current, text.rstrip(), ev, uncertain=hedged, reason="possible (hedged)" if hedged else ""))
    return facts


class RulesBackend:
    name = "rules"
    model = "rules-v2"

    def __init__(self, linker: Linker, template: Template | None = None, *, notice: str = "") -> None:
        self.linker = linker
        self.template = template or load_template()
        self.notice = notice  # why the rules backend stands in for a model, if it does

    def draft(self, transcript: Transcript, *, mode: str) -> Note:
        facts = extract_facts(transcript, self.linker, mode)
        return to_note(facts, self.template, mode, backend=self.name, model=self.model, source=transcript.audio,
                       warnings=(self.notice,) if self.notice else ())
