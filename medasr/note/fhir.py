"""FHIR R4 output: a document Bundle with a Composition (one section per note section),
Conditions (ICD-10-CM, from the vocabulary) and MedicationStatements, plus the Patient and
Device the references need. Evidence spans travel as an extension on every resource.
Validated in tests with ``fhir.resources`` (its R4B models: R4-compatible for these resources).
"""

from __future__ import annotations

import html
import uuid
from datetime import datetime, timezone
from typing import Any

from medasr import __version__
from medasr.note.meds import dose_text
from medasr.note.templates import layout
from medasr.schema import Evidence, Note

EVIDENCE_URL = "https://github.com/medasr/medasr/fhir/StructureDefinition/transcript-evidence"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"
_MED_STATUS = {"active": "active", "planned": "intended", "stopped": "stopped", "unknown": "unknown"}
_NS = uuid.UUID("6f1c1a52-6c1e-4c53-9a43-3f0b3a9f5c11")


def _ext(evidence: tuple[Evidence, ...]) -> list[dict[str, Any]]:
    return [{"url": EVIDENCE_URL, "valueString": f"segment {e.segment_id} chars {e.char_start}-{e.char_end}"} for e in evidence]


def _div(lines: list[str]) -> dict[str, str]:
    body = "".join(f"<li>{html.escape(x)}</li>" for x in lines) or "<li>none</li>"
    return {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml"><ul>{body}</ul></div>'}


def _decimal(s: str) -> float | None:
    try:
        return float(s)
    except ValueError:
        return None


def to_fhir(note: Note, *, now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(timezone.utc)
    stamp = now.isoformat(timespec="seconds")
    seed = f"{note.source}|{stamp}|{len(note.all_items())}"
    uid = lambda tag: f"urn:uuid:{uuid.uuid5(_NS, seed + '|' + tag)}"  # noqa: E731
    patient_url, device_url, comp_url = uid("patient"), uid("device"), uid("composition")
    entries: list[dict[str, Any]] = []
    patient = {"resourceType": "Patient", "active": True}
    device = {"resourceType": "Device", "deviceName": [{"name": f"medasr {__version__} ({note.backend}: {note.model})", "type": "model-name"}]}
    cond_urls, med_urls = [], []
    conditions = []
    for i, p in enumerate(note.problems):
        url = uid(f"condition{i}")
        cond_urls.append(url)
        code: dict[str, Any] = {"text": p.text}
        if p.icd10:
            code["coding"] = [{"system": ICD10CM, "code": p.icd10, "display": p.icd10_display or p.text}]
        conditions.append({"fullUrl": url, "resource": {
            "resourceType": "Condition",
            "extension": _ext(p.evidence),
            "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}]},
            "verificationStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                                               "code": "provisional" if p.uncertain else "confirmed"}]},
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-category",
                                      "code": "encounter-diagnosis" if p.kind == "assessment" else "problem-list-item"}]}],
            "code": code,
            "subject": {"reference": patient_url},
            "recordedDate": stamp,
        }})
    meds = []
    for i, m in enumerate(note.medications):
        url = uid(f"med{i}")
        med_urls.append(url)
        concept: dict[str, Any] = {"text": m.name}
        if m.drug_id.startswith("drugbank:"):
            concept["coding"] = [{"system": "https://go.drugbank.com/drugs", "code": m.drug_id.split(":", 1)[1], "display": m.name}]
        dosage_text = " ".join(x for x in (dose_text(m.dose, m.unit), m.route, m.frequency, f"for {m.duration}" if m.duration else "") if x)
        dosage: dict[str, Any] = {"text": dosage_text or "not stated"}
        if m.route:
            dosage["route"] = {"text": m.route}
        value = _decimal(m.dose)
        if value is not None:
            dosage["doseAndRate"] = [{"doseQuantity": {"value": value, "unit": m.unit or "unit"}}]
        res: dict[str, Any] = {
            "resourceType": "MedicationStatement",
            "extension": _ext(m.evidence),
            "status": _MED_STATUS.get(m.status, "unknown"),
            "medicationCodeableConcept": concept,
            "subject": {"reference": patient_url},
            "dateAsserted": stamp,
            "dosage": [dosage],
        }
        if m.indication:
            res["reasonCode"] = [{"text": m.indication}]
        meds.append({"fullUrl": url, "resource": res})
    sections = []
    for name, title in layout(note.template, list(note.sections)):
        items = note.section(name)
        lines = [it.text + (" [uncertain]" if it.uncertain else "") for it in items]
        refs: list[str] = []
        if name == "medications":
            if not note.template:  # older notes kept medications only in the coded list
                lines += [f"{m.name} {dose_text(m.dose, m.unit)} {m.frequency}".strip() for m in note.medications]
            refs = med_urls
        if name == "assessment":
            if not note.template:
                lines += [p.text + (f" ({p.icd10})" if p.icd10 else "") for p in note.problems]
            refs = cond_urls
        if not lines:
            continue
        sec: dict[str, Any] = {"title": title, "text": _div(lines)}
        if refs:
            sec["entry"] = [{"reference": r} for r in refs]
        sections.append(sec)
    composition = {
        "resourceType": "Composition",
        "status": "preliminary",
        "type": {"coding": [{"system": LOINC, "code": "11506-3", "display": "Progress note"}]},
        "subject": {"reference": patient_url},
        "date": stamp,
        "author": [{"reference": device_url}],
        "title": "Clinical note (draft, generated by medasr)",
        "section": sections or [{"title": "Note", "text": _div([])}],
    }
    entries.append({"fullUrl": comp_url, "resource": composition})
    entries.append({"fullUrl": patient_url, "resource": patient})
    entries.append({"fullUrl": device_url, "resource": device})
    entries += conditions + meds
    return {
        "resourceType": "Bundle",
        "identifier": {"system": "urn:ietf:rfc:3986", "value": uid("bundle")},
        "type": "document",
        "timestamp": stamp,
        "entry": entries,
    }


_STATUS = {
    "Composition": {"preliminary", "final", "amended", "entered-in-error"},
    "MedicationStatement": {"active", "completed", "entered-in-error", "intended", "stopped", "on-hold", "unknown", "not-taken"},
}


def validate_fhir(bundle: dict[str, Any]) -> None:
    """Validate with fhir.resources (structure, types, cardinality; raises its ValidationError),
    plus what it does not check: required status codes, a document Bundle's shape (Composition
    first, identifier, timestamp) and that every reference resolves inside the Bundle."""
    from fhir.resources.R4B.bundle import Bundle

    Bundle.model_validate(bundle)
    for e in bundle["entry"]:
        rt = e["resource"]["resourceType"]
        mod = __import__(f"fhir.resources.R4B.{rt.lower()}", fromlist=[rt])
        getattr(mod, rt).model_validate(e["resource"])
        allowed = _STATUS.get(rt)
        if allowed and e["resource"].get("status") not in allowed:
            raise ValueError(f"{rt}.status {e['resource'].get('status')!r} is not one of {sorted(allowed)}")
    if bundle.get("type") == "document":
        if not bundle["entry"] or bundle["entry"][0]["resource"]["resourceType"] != "Composition":
            raise ValueError("a document Bundle must start with its Composition")
        if not bundle.get("identifier") or not bundle.get("timestamp"):
            raise ValueError("a document Bundle needs an identifier and a timestamp")
    urls = {e.get("fullUrl") for e in bundle["entry"]}
    import json
    import re

    for ref in re.findall(r'"reference": "([^"]+)"', json.dumps(bundle)):
        if ref not in urls:
            raise ValueError(f"reference {ref} does not resolve inside the Bundle")
