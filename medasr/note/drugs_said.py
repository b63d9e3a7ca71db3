"""Drugs in the patient's own words: which are named (never one inside a diagnosis said), what
they take with its dose ("Takes amlodipine 5 mg once a day"), what they tried for this complaint
and whether it helped ("Tried ibuprofen, some relief"), and an allergy's reaction ("(rash)")."""

from __future__ import annotations

import re

from medasr.note.extract_symptoms import REACTION_SAID, symptom_mentions
from medasr.note.linking import Linker
from medasr.note.meds import dose_text, parse_instruction

CLASS_CODES = ("mesh:",)  # drug classes ("antibiotics"): tried, never a medication entry

FOR_IT_Q = re.compile(r"\b(?:taken|tried|take|took|used|had|using|taking) (?:anything|something|any painkillers|any pain ?killers|any pain relief)"
                       r"(?: \w+)? for (?:it|the \w+|this|that|them|your \w+)\b|\banything (?:that )?(?:helps?|helped)\b"
                       r"|\b(?:doing|done|been doing) (?:anything )?for (?:it|the \w+|this|that|them)\b|\btried anything\b", re.I)
# taken for this complaint: "I tried ibuprofen", "I've been trying to, like, take ibuprofen", "I've taken some
# paracetamol" (but "I have taken metformin for ten years" is a regular medication)
_TRIED = re.compile(r"\btr(?:ied|ying)\b(?! to)|\btrying to\W+(?:like\W+)?take\b|\b(?:i|we) (?:gave|have given|'ve given) (?:him|her|them)\b(?: some)?", re.I)
_TAKEN = re.compile(r"\b(?:i'?ve|i have|having)\W+(?:\w+\W+)?taken\b", re.I)
_REGULAR_USE = re.compile(r"\bfor (?:\w+ ){0,2}(?:years?|months?|ages|a long time)\b|\bsince\b|\bevery (?:day|morning|night|evening)\b|"
                          r"\b(?:daily|regularly|long[- ]term|always)\b", re.I)


def tried_at(text: str, at: int) -> bool:
    """Does the patient say, just before the drug at ``at``, that they tried it for this complaint?"""
    before = text[max(0, at - 40) : at]
    return bool(_TRIED.search(before) or _TAKEN.search(before) and not _REGULAR_USE.search(text[at : at + 60]))


def drugs_named(linker: Linker, text: str) -> list[tuple[str, str, int]]:
    """Drugs named in ``text``; never one inside a diagnosis said ("high cholesterol", "vitamin D
    deficiency")."""
    found = [m for m in linker.find("drug", text) if not m.code.startswith(CLASS_CODES)]
    dx = [(d.start, d.end) for d in linker.find("diagnosis", text)] if found else []
    return [(m.surface, m.code, m.start) for m in found
            if not any(a <= m.start and m.end <= b and (a, b) != (m.start, m.end) for a, b in dx)]


def takes_phrase(name: str, text: str) -> str:
    """"Takes amlodipine 5 mg once a day": the dose and frequency said right after the drug."""
    ins = parse_instruction(text)
    bits = [f"Takes {name}", dose_text(ins.dose, ins.unit) if ins.dose else "", ins.frequency]
    return " ".join(b for b in bits if b)


_NO_RELIEF = re.compile(r"\b(?:didn'?t|did not|hasn'?t|has not|doesn'?t|does not|not) (?:really |seem to |seemed to )*(?:help\w*|work\w*|do (?:much|anything))\b|\bno (?:relief|difference)\b", re.I)
_SOME_RELIEF = re.compile(r"\bhelp(?:ed|s|ing)? (?:a (?:little|bit)|slightly|a little bit)\b|\btakes? the edge off\b"
                           r"|\b(?:brought|brings|bring) (?:the |his |her |my )?(?:temperature|temp|fever|pain) down\b", re.I)


def relief(after: str) -> str:
    """What the tried treatment did, said after it in the sentence: ", no relief" / ", some relief"."""
    if _NO_RELIEF.search(after):
        return ", no relief"
    return ", some relief" if _SOME_RELIEF.search(after) else ""


_REACTION_AFTER = re.compile(rf"^\s*[,;.]?\s*{REACTION_SAID}", re.I)


def reaction(after: str) -> str:
    """"allergic to penicillin, I get a rash" -> " (rash)": the reaction said right after the allergy."""
    m = _REACTION_AFTER.match(after)
    found = symptom_mentions(after[m.end() : m.end() + 60]) if m else []
    return f" ({found[0][0]})" if found else ""
