"""Shared by the note tests: the safety consultation, what a safe note must not say, and what a
careless model would answer for it (the scripted chat model is ``fakes.note_chat``)."""

from __future__ import annotations

import json
from typing import Any

from medasr.note.io import parse_text
from medasr.schema import Medication, Note, Problem, Transcript

# Every trap in one short consultation (lines are segments 0..N):
SAFETY = (
    "Doctor: What brings you in today?\n"  # 0
    "Patient: I've had a cough for two days and a sore throat.\n"  # 1
    "Doctor: Any chest pain?\n"  # 2
    "Patient: No.\n"  # 3  denied symptom
    "Doctor: Do you take any antihistamines, like cetirizine or loratadine?\n"  # 4
    "Patient: No, nothing like that.\n"  # 5  a drug only asked about
    "Doctor: Any medical problems?\n"  # 6
    "Patient: No, but my mum has diabetes.\n"  # 7  family history
    "Patient: I've been taking paracetamol 500 mg for the pain.\n"  # 8  the patient's dose
    "Doctor: We should rule out meningitis, but I think this is a viral sore throat.\n"  # 9  hypothesis
    "Doctor: Take paracetamol 1 gram four times a day and drink plenty of fluids.\n"  # 10  the prescribed dose
    "Patient: Okay, thank you."  # 11
)


def safety_transcript() -> Transcript:
    return parse_text(SAFETY, audio="safety")


def unsafe_findings(note: Note) -> list[str]:
    """Everything in ``note`` that the safety consultation forbids; empty for a safe note."""
    bad: list[str] = []
    for key, items in note.sections.items():
        for it in items:
            low = it.text.lower()
            negative = low.startswith(("no ", "nil", "denies", "not ", "non-"))
            if "chest pain" in low and not negative:
                bad.append(f"denied chest pain recorded as present: {it.text!r} in {key}")
            if ("cetirizine" in low or "loratadine" in low or "antihistamine" in low) and not negative and it.category != "plan":
                bad.append(f"a drug only asked about recorded: {it.text!r} in {key}")
            if "diabetes" in low and it.category not in ("family", "instruction") and not ("mother" in low or "mum" in low or "family" in low):
                bad.append(f"the mother's diabetes filed as the patient's: {it.text!r} in {key}")
            if "meningitis" in low and it.category == "assessment" and not any(w in low for w in ("exclude", "rule out", "possible", "?")):
                bad.append(f"a hypothesis recorded as a diagnosis: {it.text!r}")
    for m in note.medications:
        if m.name.lower() in ("cetirizine", "loratadine"):
            bad.append(f"medication list holds {m.name}, which the patient does not take")
        if m.name.lower() == "paracetamol":
            who = {e.role for e in m.evidence}
            if m.status == "active" and (m.dose, m.unit) not in (("500", "mg"), ("", "")):
                bad.append(f"the patient's paracetamol has the prescribed dose {m.dose} {m.unit}")
            if m.status == "planned" and (m.dose, m.unit) not in (("1", "g"), ("", "")):
                bad.append(f"the prescribed paracetamol has the patient's dose {m.dose} {m.unit}")
            if m.status == "planned" and who != {"clinician"}:
                bad.append("a prescription whose evidence is not the clinician's")
    for p in note.problems:
        if "diabet" in p.text.lower():
            bad.append(f"problem list holds the mother's {p.text}")
        if "meningitis" in p.text.lower() and not p.uncertain:
            bad.append("meningitis (to rule out) in the problem list as certain")
    return bad


def paracetamol_entries(note: Note) -> dict[str, Medication]:
    return {m.status: m for m in note.medications if m.name.lower() == "paracetamol"}


def problems_named(note: Note, word: str) -> list[Problem]:
    return [p for p in note.problems if word in p.text.lower()]


# What a careless model would write for the safety consultation: every trap taken.
HALLUCINATED = {"items": [
    {"section": "complaint", "text": "Cough for 2 days and sore throat", "lines": [1]},
    {"section": "hpi", "text": "Chest pain", "lines": [2, 3]},  # denied
    {"section": "medication", "text": "Takes cetirizine", "lines": [4]},  # only asked about
    {"section": "pmh", "text": "Diabetes", "lines": [7]},  # the mother's
    {"section": "assessment", "text": "Meningitis", "lines": [9]},  # to rule out
    {"section": "medication", "text": "Takes paracetamol 1 g four times a day", "lines": [8]},  # prescribed dose, patient's line
    {"section": "plan", "text": "Amoxicillin 500 mg three times a day", "lines": [10]},  # never said
    {"section": "exam", "text": "Chest clear on auscultation", "lines": [40]},  # no such line
    {"section": "family", "text": "Mother: diabetes", "lines": [7]},  # right
    {"section": "assessment", "text": "Viral sore throat", "lines": [9]},  # right
    {"section": "plan", "text": "Paracetamol 1 g four times a day", "lines": [10]},  # right
    {"section": "medication", "text": "Takes paracetamol 500 mg", "lines": [8]},  # right
]}


def as_json(obj: Any) -> str:
    return json.dumps(obj)
