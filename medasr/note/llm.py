"""Shared LLM note drafting: prompt, JSON schema, validation, bounded repair, conversion.

A ``ChatClient`` only has to turn messages into text. ``LLMBackend`` asks for JSON that
follows ``NOTE_SCHEMA`` (items quote the transcript verbatim), validates it, asks again with
the error when it is not valid (at most ``max_repairs`` times), then builds a ``Note``: quotes
become evidence spans via ``grounding.locate``, codes and drug ids come from the vocabulary
(any code the model wrote is ignored). ``structure`` then runs the grounding check.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any, Protocol

from medasr.errors import BackendError
from medasr.note.grounding import locate
from medasr.note.linking import Linker
from medasr.note.meds import parse_instruction
from medasr.schema import NOTE_SECTIONS, Medication, Note, NoteItem, Problem, Transcript

log = logging.getLogger("medasr.note")

_ITEM = {
    "type": "object",
    "properties": {
        "section": {"type": "string", "enum": [s for s in NOTE_SECTIONS if s != "medications"]},
        "text": {"type": "string"},
        "quote": {"type": "string"},
        "uncertain": {"type": "boolean"},
    },
    "required": ["section", "text", "quote"],
}
_MED = {
    "type": "object",
    "properties": {k: {"type": "string"} for k in ("name", "dose", "unit", "route", "frequency", "duration", "indication", "quote")},
    "required": ["name", "quote"],
}
_PROBLEM = {
    "type": "object",
    "properties": {"text": {"type": "string"}, "kind": {"type": "string", "enum": ["assessment", "history"]}, "quote": {"type": "string"}, "uncertain": {"type": "boolean"}},
    "required": ["text", "quote"],
}
NOTE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "items": {"type": "array", "items": _ITEM},
        "medications": {"type": "array", "items": _MED},
        "problems": {"type": "array", "items": _PROBLEM},
    },
    "required": ["items", "medications", "problems"],
}

SYSTEM = (
    "You are a clinical scribe. From the transcript, write a clinical note as JSON only, no prose.\n"
    'Format: {"items": [{"section": S, "text": short fact, "quote": exact words copied from the transcript}], '
    '"medications": [{"name", "dose", "unit", "route", "frequency", "duration", "indication", "quote"}], '
    '"problems": [{"text": diagnosis, "kind": "assessment" or "history", "quote", "uncertain": true/false}]}.\n'
    "S is one of: " + ", ".join(s for s in NOTE_SECTIONS if s != "medications") + ".\n"
    "Rules: use only facts said in the transcript; every quote must be copied word for word from it; "
    "leave a field empty (\"\") when it was not said; set uncertain true when the speaker was unsure; "
    "no ICD codes; keep it short."
)


class ChatClient(Protocol):
    name: str
    model: str

    def chat(self, messages: list[dict[str, str]], schema: dict[str, Any]) -> str: ...


def transcript_prompt(transcript: Transcript, mode: str) -> str:
    lines = []
    for s in transcript.segments:
        t = s.text.strip()
        if t:
            label = s.role or s.speaker  # a role (clinician, patient) says more to the model than an id
            who = f"{label.upper()}: " if label else ""
            lines.append(f"{who}{t}")
    kind = "doctor-patient conversation" if mode == "conversation" else "clinician's dictation"
    return f"Transcript ({kind}):\n" + "\n".join(lines) + "\n\nReturn the JSON note."


def extract_json(text: str) -> Any:
    """Parse the first JSON object in ``text`` (tolerates ``` fences and chatter around it)."""
    t = text.strip()
    fence = re.search(r"```(?:json)?\s*(.*?)```", t, re.S)
    if fence:
        t = fence.group(1).strip()
    start = t.find("{")
    if start < 0:
        raise ValueError("no JSON object in the answer")
    obj, _ = json.JSONDecoder().raw_decode(t[start:])
    return obj


def salvage_json(text: str) -> Any:
    """A cut-off answer (the token limit hit mid-object): keep every complete array element
    and close the brackets. Raises ValueError when nothing complete is left."""
    start = text.find("{")
    if start < 0:
        raise ValueError("no JSON object in the answer")
    stack: list[str] = []
    in_str = esc = False
    cut: tuple[int, list[str]] | None = None
    for i in range(start, len(text)):
        ch = text[i]
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
            continue
        if ch == '"':
            in_str = True
        elif ch in "{[":
            stack.append("}" if ch == "{" else "]")
        elif ch in "}]":
            if not stack:
                break
            stack.pop()
            if stack:
                cut = (i + 1, list(stack))  # just closed a complete value: a valid place to stop
    if cut is None:
        raise ValueError("the answer was cut off before any complete item")
    end, open_ = cut
    return json.loads(text[start:end] + "".join(reversed(open_)))


def validate(obj: Any) -> list[str]:
    """Errors against ``NOTE_SCHEMA`` (empty when valid). Unknown keys are tolerated."""
    errs: list[str] = []
    if not isinstance(obj, dict):
        return ["the answer must be a JSON object"]
    specs = {"items": _ITEM, "medications": _MED, "problems": _PROBLEM}
    for key, spec in specs.items():
        val = obj.get(key, [])
        if not isinstance(val, list):
            errs.append(f"{key} must be a list")
            continue
        for i, it in enumerate(val):
            if not isinstance(it, dict):
                errs.append(f"{key}[{i}] must be an object")
                continue
            for req in spec["required"]:
                if not isinstance(it.get(req), str) or not it.get(req).strip():
                    errs.append(f"{key}[{i}].{req} must be a non-empty string")
            for k, p in spec["properties"].items():
                v = it.get(k)
                if v is None:
                    continue
                if p["type"] == "string" and not isinstance(v, (str, int, float)):
                    errs.append(f"{key}[{i}].{k} must be a string")
                if p["type"] == "boolean" and not isinstance(v, bool):
                    errs.append(f"{key}[{i}].{k} must be true or false")
                if "enum" in p and isinstance(v, str) and v not in p["enum"]:
                    errs.append(f"{key}[{i}].{k} must be one of {', '.join(p['enum'])}")
    if not any(k in obj for k in specs):
        errs.append("the object needs items, medications and problems")
    return errs


class LLMBackend:
    """Drafts a note with any ``ChatClient``; bounded repair on invalid output."""

    def __init__(self, client: ChatClient, linker: Linker, *, max_repairs: int = 2) -> None:
        self.client = client
        self.linker = linker
        self.max_repairs = max_repairs
        self.name = client.name
        self.model = client.model

    def ask(self, transcript: Transcript, mode: str) -> tuple[dict[str, Any], list[str]]:
        messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": transcript_prompt(transcript, mode)}]
        warnings: list[str] = []
        for attempt in range(self.max_repairs + 1):
            answer = self.client.chat(messages, NOTE_SCHEMA)
            log.debug("LLM answer (attempt %d): %s", attempt + 1, answer)
            try:
                obj = extract_json(answer)
                errs = validate(obj)
            except ValueError as e:  # json.JSONDecodeError is a ValueError
                obj, errs = None, [f"invalid JSON: {e}"]
                try:  # a truncated answer: keep its complete items rather than ask again
                    obj = salvage_json(answer)
                    if not validate(obj):
                        warnings.append(f"attempt {attempt + 1}: answer cut off; kept its complete items")
                        return obj, warnings
                except ValueError:
                    pass
            if not errs:
                return obj, warnings
            warnings.append(f"attempt {attempt + 1}: {errs[0]}")
            log.info("LLM answer rejected (attempt %d): %s", attempt + 1, errs[0])
            messages = messages[:2] + [
                {"role": "assistant", "content": answer[:4000]},
                {"role": "user", "content": "That answer is not valid: " + "; ".join(errs[:5]) + ". Return only the corrected JSON object."},
            ]
        raise BackendError(
            f"{self.name} backend ({self.model}) returned no valid note JSON after {self.max_repairs + 1} attempts: {warnings[-1]}"
        )

    def draft(self, transcript: Transcript, *, mode: str) -> Note:
        obj, warnings = self.ask(transcript, mode)
        sections: dict[str, list[NoteItem]] = {}
        unlocated = 0
        for it in obj.get("items") or []:
            ev = locate(str(it["quote"]), transcript)
            if ev is None:
                unlocated += 1
            sections.setdefault(it["section"], []).append(
                NoteItem(str(it["text"]).strip(), (ev,) if ev else (), uncertain=bool(it.get("uncertain", False)))
            )
        meds = []
        for m in obj.get("medications") or []:
            ev = locate(str(m["quote"]), transcript)
            unlocated += ev is None
            link = self.linker.link_drug(str(m["name"]))
            name = str(m["name"]).strip()
            if ev is not None:  # name the drug as it was said, when the quote contains it
                said = [x for x in self.linker.find("drug", ev.text) if link is None or x.code == link.code]
                if said:
                    link, name = link or said[0], said[0].surface
            fields = {k: str(m.get(k) or "").strip() for k in ("dose", "unit", "route", "frequency", "duration", "indication")}
            status = parse_instruction(ev.text).status if ev else "unknown"
            meds.append(
                Medication(
                    name=name, drug_id=link.code if link else "",
                    status=status, evidence=(ev,) if ev else (), uncertain=link is None,
                    reason="" if link else "not in the drug vocabulary", **fields,
                )
            )
        problems = []
        for p in obj.get("problems") or []:
            ev = locate(str(p["quote"]), transcript)
            unlocated += ev is None
            link = self.linker.link_diagnosis(str(p["text"]))
            uncertain = bool(p.get("uncertain", False)) or link is None
            problems.append(
                Problem(
                    text=str(p["text"]).strip(), icd10=link.code if link else "", icd10_display=link.display if link else "",
                    kind=p.get("kind") if p.get("kind") in ("assessment", "history") else "assessment",
                    evidence=(ev,) if ev else (), uncertain=uncertain,
                    reason="" if link else "no ICD-10-CM code in the vocabulary",
                )
            )
        if unlocated:
            warnings.append(f"{unlocated} quotes from the model were not found in the transcript")
        return Note(
            sections={k: tuple(v) for k, v in sections.items()},
            medications=tuple(meds),
            problems=tuple(problems),
            backend=self.name,
            model=self.model,
            mode=mode,
            source=transcript.audio,
            warnings=tuple(warnings),
        )
