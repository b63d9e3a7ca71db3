"""Whole made-up consultations of common general-practice presentations that the tuning
consultations never held (a mechanical low back pain, an exertional chest pain, a urine
infection; ``tests/data/consultations/``): what a GP would write from each, and nothing the
patient did not say."""

from __future__ import annotations

from pathlib import Path

import pytest

from medasr.config import Settings
from medasr.note import structure
from medasr.note.grounding import assert_grounded
from medasr.note.io import parse_text
from medasr.note.linking import Linker, load_linker
from medasr.note.rules import RulesBackend
from medasr.note.social import habits_answered, social_positive
from medasr.note.phrase import attributes, radiation
from medasr.schema import Note

DATA = Path(__file__).parent / "data" / "consultations"


@pytest.fixture(scope="module")
def linker() -> Linker:
    return load_linker(Settings.resolve())


def note_of(name: str, linker: Linker) -> Note:
    tr = parse_text((DATA / f"{name}.txt").read_text(encoding="utf-8"))
    note = structure(tr, Settings.resolve(), backend=RulesBackend(linker))
    assert_grounded(note, tr)
    return note


def section(note: Note, name: str) -> list[str]:
    return [i.text for i in note.sections.get(name, ())]


def everything(note: Note) -> list[str]:
    return [i.text for items in note.sections.values() for i in items]


def test_low_back_pain_keeps_its_character_radiation_relief_and_the_red_flags_denied(linker: Linker) -> None:
    note = note_of("low_back_pain", linker)
    # "more of a dull ache, but it gets sharp when I bend over": the first said is its character
    assert section(note, "chief_complaint") == ["Lower back pain, dull, severity 6/10, radiating to right leg for 1 week"]
    assert "Tried ibuprofen, some relief" in section(note, "history_of_present_illness")  # "Have you taken anything for it?"
    assert {"No numbness", "No urinary symptoms", "No fever", "No weight loss"} <= set(section(note, "review_of_systems"))
    assert "Takes amlodipine 5 mg once a day" in section(note, "medications")  # the patient's own dose, in the statement
    assert section(note, "assessment") == ["Mechanical back pain"]
    assert [(p.text, p.icd10) for p in note.problems if p.kind == "assessment"] == [("mechanical back pain", "M54.50")]
    plan = section(note, "plan")
    assert {"Keep active", "Heat", "Refer to physiotherapy", "Review in 4-6 weeks if not improving"} <= set(plan)


def test_exertional_chest_pain_ex_smoker_and_a_diagnosis_word_that_is_no_drug(linker: Linker) -> None:
    note = note_of("exertional_chest_pain", linker)
    assert section(note, "chief_complaint") == ["Central chest pain, tight, worse on exertion, relieved by rest, radiating to left arm for 2 days"]
    # "I've got type 2 diabetes and high cholesterol": cholesterol is the diagnosis, never "Takes cholesterol"
    assert section(note, "medications") == ["Takes Metformin 500 mg twice a day", "Takes atorvastatin 20 mg at night"]
    assert [m.name.lower() for m in note.medications if m.status == "active"] == ["metformin", "atorvastatin"]
    social = section(note, "social_family_history")
    # "I used to smoke but I stopped five years ago. I drink maybe a couple of pints at the weekend."
    assert "Ex-smoker, stopped 5 years ago" in social and not any(t.startswith("Smokes") for t in social)
    assert "Drinks alcohol, a couple of pints at the weekend" in social
    plan = section(note, "plan")
    assert "GTN" in plan and "Refer to rapid access chest pain clinic" in plan
    assert "Rest" not in plan  # "if the pain comes on at rest": no advice to rest
    assert "Take GTN" in section(note, "patient_instructions")


def test_urine_infection_reaction_is_the_allergys_and_a_request_is_a_plan(linker: Linker) -> None:
    note = note_of("urine_infection", linker)
    hpi = section(note, "history_of_present_illness")
    assert any(t.startswith("Urinary frequency") for t in hpi) and any(t.startswith("Urinary urgency") for t in hpi)
    # "I'm allergic to penicillin, I get a rash": no rash now
    assert not any("rash" in t.lower() for t in hpi + section(note, "chief_complaint"))
    assert section(note, "allergies") == ["Allergic to penicillin (rash)"]
    assert "No abnormal discharge" in section(note, "review_of_systems")
    assert "Takes Microgynon" in section(note, "medications")  # "Which pill are you on?" "Microgynon."
    plan = section(note, "plan")
    assert "Urine sample" in plan  # "Could you also drop off a urine sample ...?"
    assert "Nitrofurantoin 100 mg twice a day for 3 days" in plan


def test_social_amounts_and_giving_up() -> None:
    said = habits_answered(("smoking", "alcohol"), ["I used to smoke but I stopped five years ago.", "I drink maybe a couple of pints at the weekend."], no=False)
    assert said == {"smoking": ("Ex-smoker, stopped 5 years ago", [0]), "alcohol": ("Drinks alcohol, a couple of pints at the weekend", [1])}
    assert habits_answered(("smoking",), ["No, I gave up smoking a couple of years ago."], no=True) == {"smoking": ("Ex-smoker, stopped 2 years ago", [0])}
    assert habits_answered(("smoking",), ["No, never."], no=True) == {"smoking": ("", [0])}
    assert social_positive("alcohol", "I have a few pints a week") == "Drinks alcohol, a few pints a week"
    assert social_positive("smoking", "Yeah, about ten a day") == "Smokes, ten a day"


def test_radiation_relief_and_the_first_character_said() -> None:
    assert radiation("It goes down my right leg sometimes") == "radiating to right leg"
    assert radiation("sometimes it spreads to my jaw") == "radiating to jaw"
    assert radiation("It doesn't go down my leg") == ""
    assert radiation("I went to the shop") == ""
    assert attributes("it goes away when I rest")["relief"] == "relieved by rest"
    assert attributes("a dull ache, but sharp when I bend")["character"] == "dull"
    assert attributes("sharp, not dull")["character"] == "sharp"
    assert "character" not in attributes("my blood pressure is fine")


def test_sore_throat_glands_examination_and_treatment_tried(linker: Linker) -> None:
    note = note_of("sore_throat", linker)
    assert section(note, "chief_complaint") == ["Sore throat for 5 days"]
    hpi = section(note, "history_of_present_illness")
    assert "Swollen glands" in hpi and "Swelling" not in hpi  # "they feel swollen": the glands asked about
    assert "Tried paracetamol, no relief" in hpi  # "Have you taken anything for it?" "... it doesn't really help."
    assert {"No cough", "No runny nose"} <= set(section(note, "review_of_systems"))
    assert section(note, "examination") == ["Tonsils swollen and red"]
    assert section(note, "assessment") == ["Tonsillitis"]
    assert {"Penicillin V 500 mg four times a day for 10 days", "Salt water gargles", "Review in 1 week if not improving"} <= set(section(note, "plan"))


def test_low_mood_core_symptoms_and_risk_are_recorded_and_flagged(linker: Linker) -> None:
    note = note_of("low_mood", linker)
    assert section(note, "chief_complaint") == ["Low mood for 2 months"]  # "feeling really low for the past couple of months"
    hpi = {i.text: i for i in note.sections["history_of_present_illness"]}
    assert {"Anhedonia", "Early morning waking", "Loss of appetite", "Weight loss", "Suicidal thoughts"} <= set(hpi)
    assert hpi["Suicidal thoughts"].uncertain  # "better off not here": said in other words, so flagged for the clinician
    # "Has anything happened recently that might have triggered this?" "I split up with my partner three months ago.":
    # a life event, not when the tiredness started
    assert not any("3 months" in t for t in hpi)
    assert "Drinks alcohol, a bottle of wine a few nights a week" in section(note, "social_family_history")
    assert {"Refer to talking therapy", "Sertraline 50 mg once a day", "Review in 2 weeks"} <= set(section(note, "plan"))


def test_chest_infection_what_brings_a_symptom_on_is_not_that_symptom(linker: Linker) -> None:
    note = note_of("chest_infection", linker)
    # "It hurts on the right side of my chest when I cough": a pain on coughing, the cough keeps its own words
    assert section(note, "chief_complaint") == ["Cough, productive for 10 days"]
    hpi = section(note, "history_of_present_illness")
    assert "Right chest pain, worse on breathing" in hpi and "Shortness of breath, worse on exertion" in hpi
    assert section(note, "examination") == ["Crackles at right base", "Temperature 38.2", "Oxygen saturations 95"]
    # "I think you have a chest infection, possibly a pneumonia, and it has made your asthma worse": the hedge is
    # the pneumonia's; the asthma is the patient's known asthma, no new diagnosis of it
    assert section(note, "assessment") == ["Chest infection", "Possible pneumonia"]
    assert "Asthma" in section(note, "past_history")


def test_child_history_examination_assessment_and_plan_said_of_him(linker: Linker) -> None:
    note = note_of("child_earache", linker)
    hpi = section(note, "history_of_present_illness")
    # a parent speaking of "him": "He was sick once last night", "I gave him calpol ... it brought the temperature down a bit"
    assert {"Ear pulling, since yesterday", "Vomiting, since last night", "Tried calpol, some relief", "Wet nappies as normal"} <= set(hpi)
    assert {"No rash", "No drowsiness"} <= set(section(note, "review_of_systems"))
    assert "Vaccinations up to date" in section(note, "past_history")
    assert section(note, "examination") == ["Left eardrum red and bulging", "Chest clear"]
    assert "Otitis media" in section(note, "assessment")
    plan = section(note, "plan")
    assert {"No need for antibiotics", "Calpol", "Ibuprofen", "Review in 3 days if not improving"} <= set(plan)


def test_eczema_flare_an_itchy_rash_by_site_and_a_cream_with_its_strength(linker: Linker) -> None:
    note = note_of("eczema_flare", linker)
    # "itchy rash on my arms ..." "About three weeks, it keeps coming and going." "Mostly at night"
    assert section(note, "chief_complaint") == ["Itchy rash on arms, intermittent, worse at night for 3 weeks"]
    assert "Tried E45, some relief" in section(note, "history_of_present_illness")
    # "a flare of eczema, possibly triggered by the new washing powder": the hedge is about the trigger
    assert section(note, "assessment") == ["Eczema"]
    assert "Hydrocortisone 1% twice a day for 1 week" in section(note, "plan")
    assert [(m.dose, m.unit, m.frequency) for m in note.medications if m.name == "hydrocortisone"] == [("1", "%", "twice a day")]


def test_a_creams_strength_and_a_week_said_with_a() -> None:
    from medasr.note.meds import dose_text, parse_instruction

    ins = parse_instruction("hydrocortisone 1% to use twice a day for a week")
    assert (ins.dose, ins.unit, ins.frequency, ins.duration) == ("1", "%", "twice a day", "1 week")
    assert dose_text("1", "%") == "1%" and dose_text("2", "tablets") == "2 tablets"
    assert parse_instruction("amoxicillin 500 mg three times a day for five days").duration == "5 days"


def test_right_iliac_fossa_pain_site_moves_with_the_patient_and_the_hospital_plan(linker: Linker) -> None:
    note = note_of("right_iliac_fossa_pain", linker)
    # "It started around my belly button and now it's moved to the lower right side."; "It's worse when I move or cough"
    assert section(note, "chief_complaint") == ["Severe right lower abdominal pain, constant, worse on movement, severity 8/10, since last night"]
    assert not any(t.startswith("Cough") for t in everything(note))  # the cough only brings the pain on
    # "Have you had any diarrhoea or constipation?" "No.": symptoms now, no history of constipation
    assert {"No diarrhoea", "No constipation"} <= set(section(note, "review_of_systems"))
    assert not any("history of constipation" in t for t in everything(note))
    assert section(note, "assessment") == ["Possible appendicitis"]
    assert ["Send to hospital", "To be seen by surgical team", "Not to eat or drink"] == section(note, "plan")[:3]


def test_palpitations_episode_length_and_advice_against_a_drug_is_no_prescription(linker: Linker) -> None:
    note = note_of("palpitations", linker)
    assert section(note, "chief_complaint") == ["Palpitations, lasting 10 minutes, a few times a day for 2 weeks"]
    plan = section(note, "plan")
    # "Try to cut down on the caffeine and energy drinks": never "Caffeine" to take
    assert "Cut down on caffeine and energy drinks" in plan and "Caffeine" not in plan
    assert not [m for m in note.medications if m.name.lower() == "caffeine"]
    assert {"Blood tests: thyroid function", "ECG", "Review next week"} <= set(plan)


def test_knee_injury_a_symptom_denied_by_name_in_a_longer_answer(linker: Linker) -> None:
    note = note_of("knee_injury", linker)
    assert section(note, "chief_complaint") == ["Right knee injury"]  # "I hurt my right knee playing football"
    hpi = section(note, "history_of_present_illness")
    assert {"Limp", "Clicking", "Tried ibuprofen"} <= set(hpi)  # "What have you been doing for it?"
    # "Does it lock or get stuck?" "Sometimes it clicks but it doesn't lock."
    assert "Locking" not in hpi and "No locking" in section(note, "review_of_systems")
    assert section(note, "examination") == ["Moderate effusion and tenderness along the medial joint line"]
    assert section(note, "assessment") == ["Knee sprain", "Possible meniscal tear"]
    assert {"Rest", "Compression", "Elevation", "May need MRI", "Refer to physiotherapy"} <= set(section(note, "plan"))


def test_positional_vertigo_what_brings_it_on_and_how_long_each_lasts(linker: Linker) -> None:
    note = note_of("positional_vertigo", linker)
    assert section(note, "chief_complaint") == ["Dizziness, lasting thirty seconds for the last week"]  # no number was said for the week
    assert "Vertigo, on head movement" in section(note, "history_of_present_illness")  # "When I turn over in bed or look up, the room starts spinning"
    assert section(note, "assessment") == ["Benign paroxysmal positional vertigo"]
    assert {"Epley manoeuvre", "Avoid driving", "Review in 2 weeks"} <= set(section(note, "plan"))


def test_blood_pressure_review_a_switch_keeps_each_drug_its_own_dose(linker: Linker) -> None:
    note = note_of("blood_pressure_review", linker)
    # "Have you been taking your amlodipine every day?" "Yes, 10 mg every morning."
    assert section(note, "medications") == ["Takes amlodipine 10 mg every morning"]
    assert section(note, "chief_complaint") == ["Ankle swelling"]
    plan = section(note, "plan")
    # "As the amlodipine is causing ankle swelling, I'd like to switch you to ramipril 2.5 mg once a day instead."
    assert plan[0] == "Switch amlodipine to ramipril 2.5 mg once a day"
    assert not any(t.startswith("Amlodipine") for t in plan)
    meds = {(m.name, m.status): (m.dose, m.unit) for m in note.medications}
    assert meds[("amlodipine", "active")] == ("10", "mg") and meds[("amlodipine", "stopped")] == ("", "")
    assert meds[("ramipril", "planned")] == ("2.5", "mg")
    assert "Stop amlodipine and take ramipril 2.5 mg once a day" in section(note, "patient_instructions")
    assert {"Blood tests: kidney function", "Cut down on salt", "Review in 4 weeks"} <= set(plan)


def test_gout_a_toe_by_its_foot_and_an_answer_in_other_words(linker: Linker) -> None:
    note = note_of("gout", linker)
    assert section(note, "chief_complaint") == ["Right big toe pain, started 2 days ago"]  # "big toe on my right foot is really painful"
    hpi = section(note, "history_of_present_illness")
    assert "Similar episode, 1 year ago" in hpi and "Feeling hot" not in hpi  # "it feels hot": the toe, not a fever
    # "Do you drink alcohol?" "I drink about twenty units a week": a yes in the answer's own words
    assert "Drinks alcohol, twenty units a week" in section(note, "social_family_history")
    assert section(note, "assessment") == ["Gout"]
    assert {"Naproxen 500 mg twice a day", "Elevation", "Ice", "Cut down on alcohol"} <= set(section(note, "plan"))


def test_conjunctivitis_sticky_eyes_and_hygiene_advice(linker: Linker) -> None:
    note = note_of("conjunctivitis", linker)
    assert section(note, "chief_complaint") == ["Eye discharge for 3 days"]
    assert {"No visual disturbance", "No photophobia"} <= set(section(note, "review_of_systems"))
    assert "Daughter also unwell with red eye" in section(note, "history_of_present_illness")
    assert section(note, "assessment") == ["Conjunctivitis"]
    assert {"Eyelid hygiene", "Do not share towels"} <= set(section(note, "plan"))


def test_a_no_in_the_answers_own_words_stays_a_no(linker: Linker) -> None:
    tr = parse_text("Doctor: Do you drink alcohol?\nPatient: I don't drink at all.\nDoctor: Any nausea or vomiting?\n"
                    "Patient: I feel sick with it. But no vomiting.\n")
    note = structure(tr, Settings.resolve(), backend=RulesBackend(linker))
    assert_grounded(note, tr)
    texts = everything(note)
    assert "No alcohol" in texts and not any(t.startswith("Drinks") for t in texts)
    assert "No vomiting" in texts and "Vomiting" not in texts


def test_sinusitis_what_was_tried_and_a_spray_dose(linker: Linker) -> None:
    note = note_of("sinusitis", linker)
    hpi = section(note, "history_of_present_illness")
    assert {"Nasal discharge", "Loss of smell", "Tried decongestant"} <= set(hpi)  # "Have you tried anything?"
    assert section(note, "assessment") == ["Sinusitis"]
    plan = section(note, "plan")
    assert plan[:3] == ["Stop decongestant spray", "Saline nasal rinses", "Mometasone 2 sprays once a day"]


def test_a_parent_naming_my_daughter_tells_the_patients_symptoms(linker: Linker) -> None:
    from medasr.note.dialogue import utterances
    from medasr.note.proxy import proxy_patient

    note = note_of("child_cough", linker)
    # "I'm here about my daughter Amy, she's two. My daughter has had a cough for three days": hers, the patient's
    assert section(note, "chief_complaint") == ["Cough for 3 days"]
    hpi = section(note, "history_of_present_illness")
    # "Is she drinking?" "She's drinking plenty.": fluids, never "Drinks alcohol"
    assert "Drinking fluids" in hpi and not any("alcohol" in t.lower() for t in everything(note))
    assert section(note, "examination") == ["Chest clear"]
    # an adult speaking of their own daughter is no proxy consultation
    adult = parse_text("Doctor: How can I help?\nPatient: I've had a cough for a week. My daughter has a cold too.\n")
    assert proxy_patient(utterances(adult, "conversation")) is None
    texts = [i.text for items in structure(adult, Settings.resolve(), backend=RulesBackend(linker)).sections.values() for i in items]
    assert "Cough for 1 week" in texts and not any(t.lower().startswith("cold") for t in texts)
