"""Note writers: FHIR R4 Bundle validated with fhir.resources, Markdown, JSON round trip."""

from __future__ import annotations

import json

import pytest

from medasr.config import Settings
from medasr.note import render, structure
from fakes.note_vocab import FakeVocabulary
from medasr.note.fhir import to_fhir, validate_fhir
from medasr.note.grounding import assert_grounded
from medasr.note.linking import Linker
from medasr.note.rules import RulesBackend
from medasr.schema import Note, Transcript

TEXT = (
    "Chief complaint: cough and fever for three days.\n"
    "Past medical history: asthma.\n"
    "Medications: salbutamol inhaler two puffs as needed.\n"
    "Assessment: this might be community acquired pneumonia.\n"
    "Plan: amoxicillin 500 mg three times a day for five days."
)


@pytest.fixture(scope="module")
def note_and_tr() -> tuple[Note, Transcript]:
    tr = Transcript.from_text(TEXT, audio="dictation-1.wav")
    note = structure(tr, Settings.resolve(), backend=RulesBackend(Linker(FakeVocabulary())))
    assert_grounded(note, tr)
    return note, tr


def test_fhir_bundle_validates(note_and_tr) -> None:
    pytest.importorskip("fhir.resources")
    note, _ = note_and_tr
    bundle = json.loads(render(note, "fhir"))
    validate_fhir(bundle)
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds[0] == "Composition" and kinds.count("Condition") == len(note.problems) == 2
    assert kinds.count("MedicationStatement") == len(note.medications) == 2
    conds = {e["resource"]["code"]["text"]: e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Condition"}
    pneu = conds["community acquired pneumonia"]
    assert pneu["code"]["coding"][0] == {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "J18.9", "display": "Pneumonia, unspecified organism"}
    assert pneu["verificationStatus"]["coding"][0]["code"] == "provisional"  # "might be"
    assert pneu["extension"][0]["valueString"].startswith("segment 3 chars")
    amox = next(e["resource"] for e in bundle["entry"] if e["resource"].get("medicationCodeableConcept", {}).get("text") == "amoxicillin")
    assert amox["dosage"][0]["doseAndRate"][0]["doseQuantity"] == {"value": 500.0, "unit": "mg"}
    # every reference resolves inside the bundle
    urls = {e["fullUrl"] for e in bundle["entry"]}
    refs = json.dumps(bundle)
    import re

    for ref in re.findall(r'"reference": "([^"]+)"', refs):
        assert ref in urls


def test_invalid_fhir_is_rejected(note_and_tr) -> None:
    pytest.importorskip("fhir.resources")
    note, _ = note_and_tr
    import copy

    good = to_fhir(note)
    validate_fhir(good)
    cases = {
        "status": lambda b: b["entry"][0]["resource"].update(status="signed-by-a-robot"),
        "subject": lambda b: next(e for e in b["entry"] if e["resource"]["resourceType"] == "Condition")["resource"].pop("subject"),
        "DateTime": lambda b: b["entry"][0]["resource"].update(date="yesterday"),
        "resolve": lambda b: b["entry"][0]["resource"]["author"][0].update(reference="urn:uuid:nowhere"),
    }
    for msg, mutate in cases.items():
        bad = copy.deepcopy(good)
        mutate(bad)
        with pytest.raises(ValueError, match=msg):  # pydantic's ValidationError is a ValueError
            validate_fhir(bad)


def test_markdown_and_json(note_and_tr) -> None:
    note, tr = note_and_tr
    md = render(note, "md")
    assert "## Chief complaint" in md and "ICD-10-CM J18.9" in md and "[uncertain: possible (hedged)]" in md
    assert "### Problems (coded)" in md and " clinician]" in md  # who said the evidence
    assert "s4:" in md  # evidence shown
    back = Note.from_dict(json.loads(render(note, "json")))
    assert back == note
    assert_grounded(back, tr)
    from medasr.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown note format"):
        render(note, "pdf")
