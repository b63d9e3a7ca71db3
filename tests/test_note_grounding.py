"""The safety net: evidence spans, quote location, dropping and flagging ungrounded items."""

from __future__ import annotations

import pytest

from medasr.note.grounding import assert_grounded, ground_note, locate, support, ungrounded_items, verify_evidence
from medasr.note.text import make_evidence, sentence_units
from medasr.schema import Evidence, Medication, Note, NoteItem, Problem, Segment, Transcript, Word

TR = Transcript.from_text(
    "Patient has had a productive cough for three days.\n"
    "Temperature 38.5 degrees, crackles at the right base.\n"
    "Plan: amoxicillin 500 mg three times a day for five days."
)


def test_sentence_units_are_exact_spans() -> None:
    units = sentence_units(TR)
    assert [u.text for u in units][:2] == ["Patient has had a productive cough for three days.", "Temperature 38.5 degrees, crackles at the right base."]
    for u in units:
        assert TR.segment(u.segment_id).text[u.start : u.end] == u.text


def test_locate_exact_and_fuzzy() -> None:
    ev = locate("productive cough", TR)
    assert ev is not None and ev.segment_id == 0 and ev.text == "productive cough"
    fuzzy = locate("crackles at right base", TR)  # a word dropped by the model
    assert fuzzy is not None and fuzzy.segment_id == 1 and "crackles" in fuzzy.text
    assert locate("chest pain radiating to the left arm", TR) is None


def test_verify_evidence_rejects_bad_spans() -> None:
    good = make_evidence(TR, 0, 0, 7)
    assert verify_evidence(good, TR)
    assert not verify_evidence(Evidence(9, 0, 4), TR)  # no such segment
    assert not verify_evidence(Evidence(0, 5, 500), TR)  # past the end
    assert not verify_evidence(Evidence(0, 0, 7, text="Doctor"), TR)  # quote does not match


def test_ground_note_drops_flags_and_clears() -> None:
    ev0 = make_evidence(TR, 0, 0, len(TR.segment(0).text))
    ev2 = make_evidence(TR, 2, 6, len(TR.segment(2).text))
    note = Note(
        sections={
            "history_of_present_illness": (
                NoteItem("productive cough for three days", (ev0,)),
                NoteItem("chest pain radiating to the arm", (ev0,)),  # evidence does not say it
                NoteItem("cough with haemoptysis", (ev0,)),  # half supported -> flagged
                NoteItem("fever", ()),  # no evidence at all
            )
        },
        medications=(
            Medication("amoxicillin", dose="875", unit="mg", frequency="three times a day", evidence=(ev2,)),
            Medication("warfarin", dose="5", unit="mg", evidence=(ev2,)),
        ),
        problems=(Problem("pneumonia", evidence=(ev0,)),),
    )
    out = ground_note(note, TR)
    texts = [i.text for i in out.section("history_of_present_illness")]
    assert texts == ["productive cough for three days", "cough with haemoptysis"]
    assert out.section("history_of_present_illness")[1].uncertain
    assert [m.name for m in out.medications] == ["amoxicillin"]
    amox = out.medications[0]
    assert amox.dose == "" and amox.unit == "" and amox.frequency == "three times a day" and amox.uncertain
    assert out.problems == ()
    assert out.grounding["dropped"] == 4 and out.grounding["proposed"] == 7
    assert_grounded(out, TR)
    with pytest.raises(AssertionError):
        assert_grounded(note, TR)


def test_support_of_a_possessive_and_of_an_unwell_contact() -> None:
    """"my daughter's got it too" says "daughter"; "the same" is "similar"; "poorly" is "unwell";
    "anyone" is one of the contacts; "kids" are children."""
    assert support("Daughter similarly unwell", "Anyone else unwell? my daughter's got the same") == 1.0
    assert support("Wife and children also unwell", "my wife and kids are poorly too") == 1.0
    assert support("No unwell contacts", "Is anyone else unwell? No.") == 1.0
    assert support("Daughter similarly unwell", "my son's got it") < 0.5


def test_support_counts_content_words_and_number_words() -> None:
    assert support("cough for 3 days", "a cough for three days") == 1.0
    assert support("seizure", "a cough for three days") == 0.0
    assert support("Patient reports cough for three days", "a cough for three days") == 1.0  # boilerplate
    assert support("Patient denies cough", "a cough for three days") < 1.0  # a negation is a claim


def test_word_ids_follow_the_span() -> None:
    words = tuple(Word(i * 0.5, i * 0.5 + 0.4, f" {w}", 0.9, f"0.{i}") for i, w in enumerate("take metformin twice daily".split()))
    tr = Transcript(segments=(Segment(0, 0.0, 2.0, " take metformin twice daily", words),))
    ev = locate("metformin twice", tr)
    assert ev is not None and ev.word_ids == ("0.1", "0.2")
    assert ungrounded_items(Note(medications=(Medication("metformin", evidence=(ev,)),)), tr) == []


def test_support_reads_plurals_and_the_patients_words() -> None:
    """A plural in the evidence supports the singular ("rashes" -> "No rash"), and the lay words for
    a symptom support its name ("it's itchy" -> "Itching", "my head felt a bit dizzy" ->
    "Dizziness", "it doesn't hurt" -> "No pain"); an unrelated word still does not."""
    assert support("No rash", "rashes No, I haven't noticed anything like that.") >= 0.75
    assert support("Itching", "itchiness Yeah, it's itchy.") >= 0.75
    assert support("Dizziness", "my head felt a bit dizzy") >= 0.75
    assert support("No pain", "It doesn't hurt.") >= 0.75
    assert support("No thoughts of self-harm", "harming yourself No.") >= 0.5
    assert support("Cough", "I coughed up a bit of blood on two occasions.") < 0.5
    assert support("Rash", "I have a rush on") < 0.5
