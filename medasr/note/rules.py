"""The ``rules`` backend: extractive, no model. Every item quotes a transcript sentence.

Dictation: spoken headings switch the section; sentences without one are classified.
Conversation: sentences are classified by cue words and speaker; a doctor's symptom question
and the patient's short answer form one review-of-systems item with both spans as evidence.
Drugs and diagnoses are found through the vocabulary; instructions by ``meds.parse_instruction``.
"""

from __future__ import annotations

import re
from dataclasses import replace

from medasr.note import sections as S
from medasr.note.linking import Linker, Mention
from medasr.note.meds import parse_instruction
from medasr.note.text import Unit, make_evidence, sentence_units, unit_evidence
from medasr.schema import Evidence, Medication, Note, NoteItem, Problem, Transcript

_NO = re.compile(r"^\W*(no|nope|not|never|none|nothing|i don't|i haven't)\b", re.I)
CLASS_CODES = ("mesh:",)  # drug classes ("antibiotic", "anti-inflammatories"), not a medication
PAIRED = ("past_history", "medications", "allergies", "social_family_history")
MIN_SCORE = {"conversation": 2.0, "dictation": 1.0}
_STRONG_HEDGE = S.HEDGE


class RulesBackend:
    name = "rules"
    model = "rules-v1"

    def __init__(self, linker: Linker) -> None:
        self.linker = linker

    def draft(self, transcript: Transcript, *, mode: str) -> Note:
        units = sentence_units(transcript)
        placed: dict[str, list[NoteItem]] = {}
        meds: dict[str, Medication] = {}
        problems: dict[str, Problem] = {}

        def add(section: str, item: NoteItem) -> None:
            placed.setdefault(section, []).append(item)

        current: str | None = None
        used: set[int] = set()
        cc_done = False
        for u in units:
            if u.index in used:
                continue
            text, offset = u.text, 0
            if mode == "dictation":
                h = S.heading(u.text)
                if h is not None:
                    current, cut = h
                    rest = u.text[cut:]
                    offset = cut + (len(rest) - len(rest.lstrip()))
                    text = u.text[offset:]
                    if not text.strip():
                        continue
            ev = make_evidence(transcript, u.segment_id, u.start + offset, u.end)
            drugs = [
                m for m in self.linker.find("drug", text)
                if not S.negated(text, m.start) and not m.code.startswith(CLASS_CODES)
            ]
            section, score = S.classify(text, u.speaker, has_drug=bool(drugs))
            if mode == "dictation" and current is not None:
                section = current
            elif score < MIN_SCORE.get(mode, 2.0):
                section = None
            if mode == "conversation":
                nxt = units[u.index + 1] if u.index + 1 < len(units) else None
                if u.is_doctor and u.is_question and nxt is not None and nxt.is_patient and len(nxt.text.split()) <= 10:
                    # a question and its short answer are one fact: "Do you smoke? No."
                    qsec = section if section in PAIRED else "review_of_systems" if S.SYMPTOMS.search(text) else None
                    if qsec is not None:
                        evs = (ev, unit_evidence(transcript, nxt))
                        add(qsec, NoteItem(f"{text} {nxt.text}", evs, speaker="doctor+patient"))
                        used.add(nxt.index)
                        if qsec == "past_history" and not _NO.match(nxt.text):
                            self._add_problems(problems, f"{text} {nxt.text}", evs, "history", False)
                        continue
                if not cc_done and u.is_patient and S.SYMPTOMS.search(text) and len(text.split()) >= 4:
                    add("chief_complaint", NoteItem(text, (ev,), speaker=u.speaker))
                    cc_done = True
                    continue
                if u.is_doctor and u.is_question:
                    section = None  # an unanswered question is not a fact
            if section is None:
                if not drugs:
                    continue
                section = "medications"
            hedged = bool(_STRONG_HEDGE.search(text)) and section in ("assessment", "past_history")
            add(section, NoteItem(text, (ev,), uncertain=hedged, reason="hedged" if hedged else "", speaker=u.speaker))
            if section == "allergies" or S.ALLERGY.search(text):
                drugs = []  # "allergic to penicillin": an allergen, not a medication
            for i, m in enumerate(drugs):
                clause_end = drugs[i + 1].start if i + 1 < len(drugs) else len(text)
                self._add_med(meds, transcript, u, text[:clause_end], offset, m)
            if section in ("assessment", "past_history"):
                kind = "assessment" if section == "assessment" else "history"
                self._add_problems(problems, text, (ev,), kind, hedged)
        return Note(
            sections={k: tuple(v) for k, v in placed.items()},
            medications=tuple(meds.values()),
            problems=tuple(problems.values()),
            backend=self.name,
            model=self.model,
            mode=mode,
            source=transcript.audio,
        )

    def _add_problems(self, problems: dict[str, Problem], text: str, evs: tuple[Evidence, ...], kind: str, hedged: bool) -> None:
        for m in self.linker.find("diagnosis", text):
            if S.negated(text, m.start) or m.code.startswith("R"):
                continue  # negated, or a symptom (ICD-10-CM chapter R) rather than a diagnosis
            if m.code in problems:
                p = problems[m.code]
                new = tuple(e for e in evs if e not in p.evidence)
                problems[m.code] = replace(p, evidence=p.evidence + new)
                continue
            problems[m.code] = Problem(m.surface, m.code, m.display, kind, evs, uncertain=hedged, reason="hedged" if hedged else "")

    def _add_med(self, meds: dict[str, Medication], tr: Transcript, u: Unit, text: str, offset: int, m: Mention) -> None:
        ins = parse_instruction(text[m.start :])
        ins = replace(ins, status=parse_instruction(text).status)  # "I will prescribe X": cue before the name
        ev: Evidence = make_evidence(tr, u.segment_id, u.start + offset, u.end)
        indication = ""
        after = text[m.end :]
        at = after.lower().find(" for ")
        if at >= 0:
            dx = self.linker.find("diagnosis", after[at + 5 : at + 60])
            if dx:
                indication = dx[0].surface
        med = Medication(
            name=m.surface, drug_id=m.code, dose=ins.dose, unit=ins.unit, route=ins.route,
            frequency=ins.frequency, duration=ins.duration, indication=indication,
            status=ins.status, evidence=(ev,),
        )
        old = meds.get(m.code)
        if old is None:
            meds[m.code] = med
            return
        merged = {f: getattr(old, f) or getattr(med, f) for f in ("dose", "unit", "route", "frequency", "duration", "indication")}
        status = old.status if old.status != "unknown" else med.status
        evidence = old.evidence if ev in old.evidence else old.evidence + (ev,)
        meds[m.code] = replace(old, evidence=evidence, status=status, **merged)
