"""Note writers: Markdown (evidence shown inline), JSON, FHIR R4 (``medasr.note.fhir``)."""

from __future__ import annotations

import json
from dataclasses import replace

from medasr.errors import ConfigError
from medasr.note.meds import dose_text
from medasr.note.templates import groups, layout
from medasr.schema import Evidence, Note

FORMATS = ("md", "json", "fhir")


def _ev(evidence: tuple[Evidence, ...]) -> str:
    return ", ".join(f"s{e.segment_id}:{e.char_start}-{e.char_end}" + (f" {e.role}" if e.role else "") for e in evidence)


def _flag(item) -> str:  # type: ignore[no-untyped-def]
    return f" **[uncertain: {item.reason or 'flagged'}]**" if item.uncertain else ""


def _coded(note: Note) -> list[str]:
    out: list[str] = []
    if note.medications:
        out += ["### Medications (coded)", "", "| medication | dose | route | frequency | duration | indication | status | evidence |", "|---|---|---|---|---|---|---|---|"]
        for m in note.medications:
            name_cell = m.name + (f" ({m.drug_id})" if m.drug_id else "") + _flag(m)
            dose = dose_text(m.dose, m.unit)
            out.append(f"| {name_cell} | {dose} | {m.route} | {m.frequency} | {m.duration} | {m.indication} | {m.status} | {_ev(m.evidence)} |")
        out.append("")
    if note.problems:
        out += ["### Problems (coded)", ""]
        for p in note.problems:
            code = f" — ICD-10-CM {p.icd10} {p.icd10_display}" if p.icd10 else " — no ICD-10-CM code"
            out.append(f"- **{p.text}** ({p.kind}){code}{_flag(p)} [{_ev(p.evidence)}]")
        out.append("")
    return out


def to_markdown(note: Note) -> str:
    out = ["# Clinical note", ""]
    meta = f"_Backend: {note.backend} ({note.model}); mode: {note.mode}"
    if note.template:
        meta += f"; template: {note.template}"
    if note.source:
        meta += f"; source: {note.source}"
    out += [meta + "._", ""]
    legacy = not note.template  # older notes: coded lists inside their sections
    heads, group = groups(note.template), ""
    for name, title in layout(note.template, list(note.sections)):
        items = note.section(name)
        probs = [p for p in note.problems if (p.kind == "history") == (name == "past_history")] if legacy and name in ("assessment", "past_history") else []
        extra = legacy and ((name == "medications" and note.medications) or probs)
        if not items and not extra:
            continue
        if heads.get(name) and heads[name] != group:
            group = heads[name]
            out += [f"## {group}", ""]
        if title != group:
            out.append(f"{'###' if group else '##'} {title}")
        if legacy and name == "medications" and note.medications:
            out += _coded(replace(note, problems=()))[2:]
        for p in probs:
            code = f" — ICD-10-CM {p.icd10} {p.icd10_display}" if p.icd10 else " — no ICD-10-CM code"
            out.append(f"- **{p.text}** ({p.kind}){code}{_flag(p)} [{_ev(p.evidence)}]")
        for it in items:
            out.append(f"- {it.text}{_flag(it)} [{_ev(it.evidence)}]")
        out.append("")
    if not legacy and (note.medications or note.problems):
        out += ["## Coded (through the vocabulary)", "", *_coded(note)]
    if note.warnings:
        out += ["## Warnings", *[f"- {w}" for w in note.warnings], ""]
    out.append("_Evidence: `sN:a-b` is characters a..b of transcript segment N, with who said it where known._")
    return "\n".join(out) + "\n"


def render_note(note: Note, fmt: str) -> str:
    fmt = fmt.lower()
    if fmt in ("md", "markdown"):
        return to_markdown(note)
    if fmt == "json":
        return json.dumps(note.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if fmt == "fhir":
        from medasr.note.fhir import to_fhir

        return json.dumps(to_fhir(note), indent=2, ensure_ascii=False) + "\n"
    raise ConfigError(f"unknown note format {fmt!r}; choose one of {', '.join(FORMATS)}")
