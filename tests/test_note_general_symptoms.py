"""Symptoms of general practice that the tuning consultations never discussed
(``medasr.note.lexicon_general``): pains by body part, ear-nose-throat, gut, neurological and
other presentations, each present, denied or left out exactly as a known symptom is."""

from __future__ import annotations

import pytest

from medasr.config import Settings
from medasr.note import structure
from medasr.note.extract_symptoms import symptom_mentions
from medasr.note.grounding import assert_grounded
from medasr.note.io import parse_text
from medasr.note.lexicon import SYMPTOMS
from medasr.note.lexicon_general import BODY_PAIN, GENERAL_SYMPTOMS
from medasr.note.linking import Linker, load_linker
from medasr.note.phrase import symptom_phrase
from medasr.note.rules import RulesBackend


@pytest.fixture(scope="module")
def linker() -> Linker:
    return load_linker(Settings.resolve())


def texts_of(dialogue: str, linker: Linker) -> list[str]:
    tr = parse_text(dialogue)
    note = structure(tr, Settings.resolve(), backend=RulesBackend(linker))
    assert_grounded(note, tr)
    return [i.text for items in note.sections.values() for i in items]


def names(text: str) -> list[tuple[str, str]]:
    return [(n, text[a:b]) for n, a, b in symptom_mentions(text)]


def test_the_lexicons_name_each_symptom_once_and_a_site_pain_never_takes_a_symptoms_span() -> None:
    assert not set(SYMPTOMS) & set(GENERAL_SYMPTOMS) and not set(GENERAL_SYMPTOMS) & set(BODY_PAIN)
    assert names("I've had a pain in my left knee") == [("knee pain", "pain in my left knee")]
    assert names("my knees hurt when I walk") == [("knee pain", "my knees hurt")]
    assert names("pain on the left side of my head") == [("headache", "pain on the left side of my head")]
    assert names("pain on the left side of my tummy") == [("abdominal pain", "pain on the left side of my tummy")]
    assert names("my eyes are really itchy") == [("itchy eyes", "my eyes are really itchy")]
    assert names("coughing up blood") == [("haemoptysis", "coughing up blood")]
    assert names("a faint rash") == [("rash", "rash")]  # "faint" alone is no fainting
    assert names("on the other hand it's fine") == []
    assert symptom_phrase("knee pain", {"site": "left knee"}) == "Left knee pain"  # the part is said once


def test_a_knee_pain_with_a_swelling_and_gut_and_chest_questions(linker: Linker) -> None:
    texts = texts_of(
        "Doctor: Hello, what brings you in today?\n"
        "Patient: I've had a pain in my left knee for about two weeks, and it's getting worse.\n"
        "Doctor: Is it swollen at all?\n"
        "Patient: A bit, yeah.\n"
        "Doctor: Any pain in your other joints?\n"
        "Patient: No.\n"
        "Doctor: Have you had any heartburn or indigestion?\n"
        "Patient: I do get a lot of heartburn after meals.\n"
        "Doctor: Any trouble swallowing?\n"
        "Patient: No.\n"
        "Doctor: Have you ever passed out or fainted?\n"
        "Patient: No, never.\n"
        "Doctor: Are you coughing anything up?\n"
        "Patient: Yes, some green phlegm.\n"
        "Doctor: OK. I'll refer you for an X-ray of the knee.\n",
        linker,
    )
    assert "Left knee pain, worsening for 2 weeks" in texts, texts
    # a no to "any pain in your other joints?" while the knee hurts: the swelling is not "not painful"
    assert "Swelling" in texts and not any("not painful" in t for t in texts), texts
    assert "Heartburn, after meals" in texts and "No indigestion" not in texts, texts  # the yes named only heartburn
    assert "No difficulty swallowing" in texts and "No fainting" in texts, texts
    assert any(t.startswith("Cough, productive") for t in texts), texts  # phlegm says how the cough is
    assert "X-ray" in texts and not any(t.startswith("Refer to") for t in texts), texts  # an X-ray is no referral


def test_ear_nose_throat_and_what_is_not_the_patients(linker: Linker) -> None:
    texts = texts_of(
        "Doctor: What can I do for you?\n"
        "Patient: I've had a sore throat and a hoarse voice for five days, and I keep sneezing.\n"
        "Doctor: Any ringing in your ears or any discharge from your ears?\n"
        "Patient: No, nothing like that.\n"
        "Doctor: Are your eyes itchy or watery?\n"
        "Patient: Yeah, my eyes are really itchy.\n"
        "Doctor: And are you having any trouble sleeping?\n"
        "Patient: I can't sleep because of the cough.\n"
        "Doctor: My wife has had heartburn.\n"
        "Doctor: If you get any nosebleeds, come back.\n"
        "Doctor: Do you get up at night to pee?\n"
        "Patient: No.\n",
        linker,
    )
    assert "Sore throat for 5 days" in texts and "Hoarse voice for 5 days" in texts and "Sneezing" in texts, texts
    assert "No tinnitus" in texts and "No ear discharge" in texts and "No nocturia" in texts, texts
    assert "Itchy eyes" in texts and "Watery eyes" not in texts and "No watery eyes" not in texts, texts
    # "can't sleep because of the cough": the "can't" is about sleep, the cough is present
    assert "Cough" in texts and "No cough" not in texts and "Insomnia" in texts, texts
    assert "Heartburn" not in texts and "Nosebleeds" not in texts, texts  # the clinician's wife; a hypothesis


def test_a_bare_swelling_is_the_named_swelling_it_was_said_of(linker: Linker) -> None:
    """"Where do you feel it's swollen?" "On the right-hand side." after "swelling in my lips":
    one item, "Right lip swelling", not "Lip swelling" beside "Right swelling"."""
    texts = texts_of(
        "Doctor: What's been happening?\n"
        "Patient: I got stung by a bee, and there's a bit of swelling in my lips.\n"
        "Doctor: Your lips don't seem swollen to me right now. Can you show me with your finger where you feel it's swollen?\n"
        "Patient: Yeah, it's just kind of on the right-hand side. And it's just a bit sore, maybe it hasn't fully swollen up yet.\n",
        linker,
    )
    assert "Right lip swelling" in texts and "Right swelling" not in texts and "Lip swelling" not in texts, texts


def test_a_lump_keeps_its_site_and_a_no_to_pain_makes_it_painless(linker: Linker) -> None:
    texts = texts_of(
        "Doctor: What brings you in?\n"
        "Patient: I found a lump in my left breast about a week ago.\n"
        "Doctor: Is it painful?\n"
        "Patient: No, it doesn't hurt.\n"
        "Doctor: Any discharge from the nipple?\n"
        "Patient: No.\n",
        linker,
    )
    assert texts[0] == "Left breast lump, not painful, started 1 week ago", texts
    assert "No nipple discharge" in texts, texts


def test_previous_episodes_said_or_answered_and_a_no_still_a_no(linker: Linker) -> None:
    said = texts_of(
        "Doctor: How can I help?\n"
        "Patient: I've had this headache since this morning. I had a similar headache about two weeks ago, it went away with paracetamol.\n",
        linker,
    )
    assert "Similar episode, 2 weeks ago" in said, said
    answered = texts_of(
        "Doctor: How can I help?\n"
        "Patient: My tummy's been hurting for three days.\n"
        "Doctor: Has this ever happened before?\n"
        "Patient: Yes, a few months ago.\n",
        linker,
    )
    assert answered[0] == "Abdominal pain for 3 days" and "Previous episodes, a few months ago" in answered, answered
    denied = texts_of(
        "Doctor: How can I help?\n"
        "Patient: My tummy's been hurting for three days.\n"
        "Doctor: Has this ever happened before?\n"
        "Patient: No, never.\n"
        "Patient: I've never had anything like this before.\n",
        linker,
    )
    assert "No previous episodes" in denied and not any(t.startswith(("Previous", "Similar")) for t in denied), denied


def test_a_feared_illness_in_lay_words_is_a_concern_never_a_diagnosis(linker: Linker) -> None:
    texts = texts_of(
        "Doctor: How can I help?\n"
        "Patient: I've had this headache for two days.\n"
        "Doctor: Is there anything in particular you're worried about?\n"
        "Patient: I'm a bit scared it might be a brain tumour, to be honest.\n"
        "Patient: My friend had a stroke last year.\n"
        "Patient: I'm not worried about cancer.\n",
        linker,
    )
    assert "Worried about brain tumour" in texts, texts
    assert not any("stroke" in t.lower() or "cancer" in t.lower() for t in texts), texts  # a friend's; a denial
    assert not any("tumour" in t.lower() for t in texts if not t.startswith("Worried")), texts


def test_common_primary_care_advice_is_planned_and_a_maybe_or_the_patients_words_are_not(linker: Linker) -> None:
    texts = texts_of(
        "Doctor: What happened?\n"
        "Patient: I twisted my ankle yesterday and it really hurts.\n"
        "Doctor: Can you walk on it?\n"
        "Patient: Just about.\n"
        "Doctor: OK. It sounds like a sprain.\n"
        "Doctor: I'd like you to rest it, put some ice on it and keep your ankle raised.\n"
        "Doctor: I'll also refer you to physiotherapy.\n"
        "Doctor: And I'd like the nurse to check your blood pressure.\n"
        "Patient: I stopped smoking last year.\n",
        linker,
    )
    assert texts[0] == "Ankle pain, since yesterday", texts
    for t in ("Rest", "Ice", "Elevation", "Refer to physiotherapy", "Blood pressure check"):
        assert t in texts, texts
    assert "Smoking cessation advice" not in texts, texts  # the patient's own history, not advice given


def test_what_the_clinician_sees_on_a_video_call_is_the_examination(linker: Linker) -> None:
    tr = parse_text(
        "Patient: I've been short of breath since yesterday.\n"
        "Doctor: OK. Your breathing seems all right to me right now.\n"
        "Doctor: You don't look short of breath, and you're speaking in full sentences.\n"
        "Doctor: You seem quite comfortable.\n"
        "Doctor: If you look unwell later, call us.\n"
    )
    note = structure(tr, Settings.resolve(), backend=RulesBackend(linker))
    assert_grounded(note, tr)
    exam = [i.text for i in note.section("examination")]
    assert exam == ["Breathing normal", "Not short of breath", "Speaking in full sentences", "Looks comfortable"], exam
    assert [i.text for i in note.section("chief_complaint")] == ["Shortness of breath, since yesterday"]  # the patient's, kept


def test_ideas_concerns_and_expectations_in_the_patients_words(linker: Linker) -> None:
    texts = texts_of(
        "Doctor: How can I help?\n"
        "Patient: I've had diarrhoea for two days. I think it's from the takeaway we had on Friday.\n"
        "Patient: I think it's getting worse.\n"
        "Doctor: Is there anything you're worried about?\n"
        "Patient: I'm a bit scared it might be something serious.\n"
        "Patient: I was hoping to get some antibiotics.\n"
        "Patient: My friend thinks it's because of the water.\n",
        linker,
    )
    for t in ("Thinks it is from the takeaway", "Worried about something serious", "Hoping for antibiotics"):
        assert t in texts, texts
    assert not any("worse" in t.lower() and t.startswith("Thinks") or "water" in t.lower() for t in texts), texts
    assert "Antibiotics" not in texts, texts  # hoped for, not planned


def test_operations_and_recreational_drugs_asked_or_said(linker: Linker) -> None:
    texts = texts_of(
        "Doctor: How can I help?\n"
        "Patient: I've had a cough for a week.\n"
        "Doctor: Any medical problems or operations in the past?\n"
        "Patient: No, nothing.\n"
        "Doctor: Do you use any recreational drugs?\n"
        "Patient: No, never.\n"
        "Doctor: Are you allergic to any drugs?\n"
        "Patient: No.\n",
        linker,
    )
    for t in ("No previous surgery", "No significant past medical history", "No recreational drug use", "No known drug allergies"):
        assert t in texts, texts
    only_ops = texts_of("Doctor: Have you had any operations?\nPatient: No.\n", linker)
    assert only_ops == ["No previous surgery"], only_ops  # not asked about illnesses: no "No significant PMH"
    said = texts_of("Patient: I haven't had any operations before, and I'm not on any medication.\n", linker)
    assert "No previous surgery" in said, said


def test_what_makes_it_worse_is_said_of_the_symptom_even_in_the_next_sentence(linker: Linker) -> None:
    texts = texts_of(
        "Doctor: What's been going on?\n"
        "Patient: I've had this chest pain for a week. It gets worse when I walk up the stairs.\n"
        "Doctor: Anything else?\n"
        "Patient: And I get heartburn after I eat.\n"
        "Patient: My knee hurts when I bend it.\n"
        "Doctor: Does anything make the knee worse at night?\n"
        "Patient: No.\n",
        linker,
    )
    assert texts[0] == "Chest pain, worse on exertion for 1 week", texts
    assert "Heartburn, after meals" in texts and "Knee pain, worse on movement" in texts, texts
    assert not any("at night" in t for t in texts), texts  # asked, denied
