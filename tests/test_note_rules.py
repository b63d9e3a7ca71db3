"""The rules backend (no model) on dictation and conversation, with the real vocabulary."""

from __future__ import annotations

import pytest

from medasr.config import Settings
from medasr.note import get_backend, structure
from fakes.note_vocab import FakeVocabulary
from medasr.note.grounding import assert_grounded
from medasr.note.io import parse_text
from medasr.note.linking import Linker, load_linker
from medasr.note.meds import parse_instruction
from medasr.note.rules import RulesBackend
from medasr.schema import Transcript

DICTATION = (
    "Chief complaint: cough and fever for three days.\n"
    "History of present illness: productive cough with green sputum, fever up to 39 degrees.\n"
    "Past medical history: asthma and type 2 diabetes. No history of hypertension.\n"
    "Medications: metformin 500 mg twice a day, salbutamol inhaler two puffs as needed.\n"
    "Allergies: allergic to penicillin.\n"
    "Examination: temperature 38.5, crackles at the right base.\n"
    "Assessment: community acquired pneumonia.\n"
    "Plan: doxycycline 100 mg by mouth once daily for seven days. Review in one week."
)
CONVERSATION = (
    "Doctor: Hello, how can I help you today?\n"
    "Patient: I've had really bad diarrhoea and tummy pain for three days.\n"
    "Doctor: Have you had any fever?\n"
    "Patient: Yes, on the first day.\n"
    "Doctor: Do you have any medical conditions?\n"
    "Patient: I have asthma.\n"
    "Doctor: Do you take any regular medication?\n"
    "Patient: Just my salbutamol inhaler.\n"
    "Doctor: Do you smoke?\n"
    "Patient: No, never.\n"
    "Doctor: I think this is most likely gastroenteritis, a tummy bug.\n"
    "Doctor: I'd recommend rest and plenty of fluids, and you can take paracetamol 1 gram four times a day.\n"
    "Doctor: If you are not better in five days, come back and see me."
)


@pytest.fixture(scope="module")
def linker() -> Linker:
    return load_linker(Settings.resolve())  # the real vocabulary (built once per session home)


def test_dictation_sections_meds_and_codes(linker: Linker) -> None:
    tr = Transcript.from_text(DICTATION)
    note = structure(tr, Settings.resolve(), backend=RulesBackend(linker))
    assert_grounded(note, tr)
    assert note.mode == "dictation" and note.backend == "rules"
    assert note.section("chief_complaint")[0].text == "cough and fever for three days."
    assert "penicillin" in note.section("allergies")[0].text
    assert "38.5" in note.section("examination")[0].text
    meds = {m.name.lower(): m for m in note.medications}
    assert set(meds) == {"metformin", "salbutamol", "doxycycline"}
    assert (meds["metformin"].dose, meds["metformin"].unit, meds["metformin"].frequency) == ("500", "mg", "twice a day")
    assert meds["metformin"].route == ""  # the inhaler belongs to salbutamol, not metformin
    assert (meds["salbutamol"].dose, meds["salbutamol"].unit, meds["salbutamol"].route) == ("2", "puffs", "inhaled")
    dox = meds["doxycycline"]
    assert (dox.dose, dox.route, dox.frequency, dox.duration) == ("100", "oral", "once daily", "7 days")
    assert all(m.drug_id.startswith("drugbank:") for m in meds.values())
    codes = {p.text.lower(): p.icd10 for p in note.problems}
    assert codes.get("asthma", "").startswith("J45") and codes.get("type 2 diabetes", "").startswith("E11")
    assert any(c.startswith("J18") for c in codes.values())  # pneumonia, through the vocabulary
    assert not any(c.startswith("I10") for c in codes.values())  # "no history of hypertension" is negated
    for p in note.problems:
        assert linker.icd10(p.icd10), f"{p.icd10} is not a valid ICD-10-CM code"


def test_conversation_speakers_pairs_and_assessment(linker: Linker) -> None:
    tr = parse_text(CONVERSATION)
    note = structure(tr, Settings.resolve(), backend=RulesBackend(linker))
    assert_grounded(note, tr)
    assert note.mode == "conversation"
    assert "diarrhoea" in note.section("chief_complaint")[0].text
    ros = [i.text for i in note.section("review_of_systems")]
    assert any("fever" in t and "Yes" in t for t in ros)  # question and answer kept together
    assert len(next(i for i in note.section("review_of_systems") if "fever" in i.text).evidence) == 2
    assert any("smoke" in i.text for i in note.section("social_family_history"))
    problems = {p.text.lower(): p for p in note.problems}
    assert problems["gastroenteritis"].kind == "assessment" and problems["gastroenteritis"].icd10 == "A09"
    assert problems["asthma"].kind == "history"
    meds = {m.name.lower(): m for m in note.medications}
    assert meds["paracetamol"].dose == "1" and meds["paracetamol"].unit == "g" and meds["paracetamol"].frequency == "four times a day"
    assert "salbutamol" in meds
    assert any("fluids" in i.text for i in note.section("plan"))


def test_hedged_assessment_is_flagged() -> None:
    tr = Transcript.from_text("Assessment: this might be asthma, not sure.")
    note = structure(tr, Settings.resolve(), backend=RulesBackend(Linker(FakeVocabulary())))
    assert note.problems and note.problems[0].uncertain and note.problems[0].reason == "hedged"
    assert_grounded(note, tr)


def test_instruction_parser() -> None:
    i = parse_instruction("amoxicillin five hundred milligrams by mouth three times a day for seven days")
    assert (i.dose, i.unit, i.route, i.frequency, i.duration) == ("500", "mg", "oral", "three times a day", "7 days")
    i = parse_instruction("I'm on sertraline 50 mg every morning")
    assert (i.dose, i.frequency, i.status) == ("50", "every morning", "active")
    assert parse_instruction("I stopped taking the ibuprofen").status == "stopped"
    assert parse_instruction("ibuprofen").dose == ""  # nothing invented


def test_backend_registry_and_errors() -> None:
    from medasr.errors import ConfigError, InputError

    s = Settings.resolve()
    assert get_backend("rules", s, linker=Linker(FakeVocabulary())).name == "rules"
    with pytest.raises(ConfigError, match="unknown note backend"):
        get_backend("gpt-17", s, linker=Linker(FakeVocabulary()))
    with pytest.raises(ConfigError, match="--llm-url"):
        get_backend("openai", s, linker=Linker(FakeVocabulary()))
    with pytest.raises(InputError, match="empty"):
        structure(Transcript(segments=()), s, backend=RulesBackend(Linker(FakeVocabulary())))
    with pytest.raises(ConfigError, match="mode"):
        structure(Transcript.from_text("x"), s, mode="poetry", backend=RulesBackend(Linker(FakeVocabulary())))


def test_import_loads_no_heavy_modules() -> None:
    import subprocess
    import sys

    code = "import sys, medasr.note, medasr.note.rules, medasr.note.llm, medasr.note.hf_backend; print(sorted(m for m in ('torch', 'transformers', 'httpx') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"
