"""The coded lists beside the statements: medications (drug ids) and problems (ICD-10-CM).

Every code comes from the vocabulary through ``Linker``, found in the evidence the statement
cites, never from a model. A medication's dose, route and frequency are parsed from the
words of the evidence that names the drug; the patient's own report (status active) and the
clinician's prescription (planned) stay separate entries, each with its own dose.
"""

from __future__ import annotations

import re
from dataclasses import replace

from medasr.note.linking import Linker
from medasr.note.meds import parse_instruction
from medasr.schema import Evidence, Medication, Note, NoteItem, Problem, Transcript

MED_CATEGORIES = {"medication": "active", "plan": "planned"}
CLASS_CODES = ("mesh:",)  # drug classes ("antibiotics"): not a medication entry
_NEGATIVE = re.compile(r"^\s*(no|nil|not|denies|never|non-|avoid|cut down on|stop|reduce)\b", re.I)  # "Cut down on caffeine": no medication


def _ev_text(e: Evidence, tr: Transcript) -> str:
    return e.text or tr.segment(e.segment_id).text[e.char_start : e.char_end]


def _medications(facts: list[NoteItem], tr: Transcript, linker: Linker) -> tuple[Medication, ...]:
    meds: dict[tuple[str, str], Medication] = {}
    for f in facts:
        status = MED_CATEGORIES.get(f.category)
        if status is None or _NEGATIVE.match(f.text):
            continue
        texts = [_ev_text(e, tr) for e in f.evidence]
        for j, e in enumerate(f.evidence):
            text = texts[j]
            found = [m for m in linker.find("drug", text) if not m.code.startswith(CLASS_CODES)]
            for k, m in enumerate(found):
                if m.surface.lower() not in f.text.lower():
                    continue
                end = found[k + 1].start if k + 1 < len(found) else len(text)  # "X 500 mg, Y inhaler": Y's words are not X's
                ins = parse_instruction(text[m.start : end])
                cited = (e,)
                if k + 1 == len(found) and not ins.dose and j + 1 < len(texts) and not linker.find("drug", texts[j + 1]):
                    # "... your amlodipine every day?" "Yes, 10 mg every morning.": the dose in the answer cited with it
                    joined = parse_instruction(f"{text[m.start :]} {texts[j + 1]}")
                    if joined.dose:
                        ins, cited = joined, (e, f.evidence[j + 1])
                if f.category == "plan" and re.match(rf"switch {re.escape(m.surface)}\b", f.text, re.I):
                    ins = replace(ins, status="stopped")  # "Switch amlodipine to ramipril"
                if f.category == "plan" and e.role == "patient":
                    continue  # the patient's words are not the prescription
                st = "active" if e.role == "patient" and status == "planned" else status
                key = (m.code, st)
                if key in meds:
                    continue
                meds[key] = Medication(
                    name=m.surface, drug_id=m.code, dose=ins.dose, unit=ins.unit, route=ins.route, frequency=ins.frequency,
                    duration=ins.duration, status=ins.status if ins.status == "stopped" else st, evidence=cited,
                    uncertain=f.uncertain, reason=f.reason,
                )
    return tuple(meds.values())


def _problems(facts: list[NoteItem], tr: Transcript, linker: Linker) -> tuple[Problem, ...]:
    out: dict[str, Problem] = {}
    for f in facts:
        if f.category not in ("pmh", "assessment") or _NEGATIVE.match(f.text):
            continue
        kind = "history" if f.category == "pmh" else "assessment"
        for e in f.evidence:
            for m in linker.find("diagnosis", _ev_text(e, tr)):
                if m.code.startswith("R") or m.code in out or m.surface.lower() not in f.text.lower():
                    continue
                out[m.code] = Problem(m.surface, m.code, m.display, kind, (e,), uncertain=f.uncertain, reason=f.reason)
    return tuple(out.values())


def with_coded_lists(note: Note, tr: Transcript, linker: Linker) -> Note:
    """The note with its medications and problems linked from its (checked) statements."""
    from dataclasses import replace

    items = [i for v in note.sections.values() for i in v]
    return replace(note, medications=_medications(items, tr, linker), problems=_problems(items, tr, linker))
