"""The clinical checks one by one, on hand-made drafts: negation both ways, a question never
answered, a relative's illness, hypotheses and hedges, numbers, and who said a medicine."""

from __future__ import annotations

from medasr.note.checks import check_note
from medasr.note.io import parse_text
from medasr.note.text import make_evidence
from medasr.schema import Evidence, Note, NoteItem, Transcript

TR = parse_text(
    "Doctor: Any headaches?\n"  # 0
    "Patient: No.\n"  # 1
    "Patient: I've had a fever since yesterday.\n"  # 2
    "Doctor: Do you ever get dizzy?\n"  # 3
    "Doctor: And any rash?\n"  # 4  (3 is never answered: 4 is the question answered)
    "Patient: Yes, on my arm.\n"  # 5
    "Patient: My brother has asthma.\n"  # 6
    "Doctor: It might be a viral infection. We should exclude meningitis.\n"  # 7
    "Doctor: Take ibuprofen 400 mg three times a day.\n"  # 8
    "Patient: Maybe I'll stop the ibuprofen.\n"  # 9
)


def ev(tr: Transcript, *segs: int) -> tuple[Evidence, ...]:
    out = []
    for s in segs:
        e = make_evidence(tr, s, 0, len(tr.segment(s).text))
        out.append(Evidence(e.segment_id, e.char_start, e.char_end, e.text, e.word_ids, "patient" if tr.segment(s).speaker == "patient" else "clinician"))
    return tuple(out)


def checked(*items: tuple[str, str, tuple[int, ...]], tr: Transcript = TR) -> Note:
    sections: dict[str, list[NoteItem]] = {}
    for cat, text, segs in items:
        sections.setdefault(cat, []).append(NoteItem(text, ev(tr, *segs), category=cat))
    note = Note(sections={k: tuple(v) for k, v in sections.items()}, mode="conversation")
    return check_note(note, tr, template_section=lambda c: c)


def kept(note: Note) -> list[str]:
    return [i.text for v in note.sections.values() for i in v]


def test_negation_both_ways() -> None:
    note = checked(("hpi", "Headaches", (0, 1)), ("ros", "No headaches", (0, 1)), ("ros", "No fever", (2,)), ("hpi", "Fever since yesterday", (2,)))
    assert sorted(kept(note)) == ["Fever since yesterday", "No headaches"]
    assert note.grounding["negation_errors"] == 2


def test_only_asked_about_is_not_a_fact() -> None:
    note = checked(("hpi", "Dizziness", (3,)), ("hpi", "Rash on the arm", (4, 5)))
    assert kept(note) == ["Rash on the arm"] and note.grounding["asked_only"] == 1


def test_a_relatives_illness_is_not_the_patients() -> None:
    note = checked(("pmh", "Asthma", (6,)), ("family", "Brother: asthma", (6,)))
    assert kept(note) == ["Brother: asthma"] and note.grounding["family"] == 1


def test_an_unwell_contact_is_the_contacts_never_the_patients() -> None:
    """"Son also unwell with vomiting" from the patient's words naming the son stays; the son's
    vomiting filed as the patient's does not, nor a contact the cited words do not name, nor one
    cited from the clinician alone."""
    tr = parse_text(
        "Patient: I've had a sore throat since Monday.\n"  # 0
        "Patient: My son has been vomiting, he's poorly too.\n"  # 1
        "Doctor: So your son has been vomiting.\n"  # 2
    )
    note = checked(("hpi", "Son also unwell with vomiting", (1,)), ("hpi", "Vomiting", (1,)),
                   ("hpi", "Daughter also unwell with vomiting", (1,)), ("hpi", "Son also unwell with vomiting", (2,)), tr=tr)
    assert kept(note) == ["Son also unwell with vomiting"] and note.grounding["family"] == 3
    assert [e.segment_id for e in note.section("hpi")[0].evidence] == [1]


def test_hypotheses_and_hedges() -> None:
    note = checked(("assessment", "Meningitis", (7,)), ("assessment", "Viral infection", (7,)), ("plan", "To exclude meningitis", (7,)))
    assert sorted(kept(note)) == ["To exclude meningitis", "Viral infection"]
    viral = next(i for v in note.sections.values() for i in v if i.text == "Viral infection")
    assert viral.uncertain and "hedged" in viral.reason
    assert note.grounding["hypotheses"] == 1


def test_numbers_must_be_said() -> None:
    note = checked(("plan", "Ibuprofen 400 mg three times a day", (8,)), ("plan", "Ibuprofen 800 mg three times a day", (8,)), ("hpi", "Fever for 3 days", (2,)))
    assert kept(note) == ["Ibuprofen 400 mg three times a day"] and note.grounding["numbers"] == 2


def test_who_said_a_medicine() -> None:
    note = checked(("medication", "Takes ibuprofen 400 mg three times a day", (8,)), ("plan", "Stop ibuprofen", (9,)))
    assert "Takes ibuprofen 400 mg three times a day" in [i.text for i in note.section("plan")]  # the clinician's: a plan
    assert note.grounding["refiled"] == 1
    stop = next(i for i in note.section("plan") if i.text == "Stop ibuprofen")
    assert stop.uncertain and "patient" in stop.reason


def test_evidence_that_does_not_exist_is_dropped() -> None:
    note = Note(sections={"hpi": (NoteItem("Fever", (Evidence(99, 0, 4, "none"),), category="hpi"),)}, mode="conversation")
    assert check_note(note, TR).sections == {}
