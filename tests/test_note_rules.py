"""The rules backend (no model): a concise extractor on dictation and conversation, with the
real vocabulary. Statements are brief and written, never pasted sentences."""

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
from medasr.note.templates import load_template
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
    "Doctor: Any blood in your stools?\n"
    "Patient: No.\n"
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
    assert note.mode == "dictation" and note.backend == "rules" and note.template == "soap"
    assert note.section("chief_complaint")[0].text == "cough and fever for three days."
    assert "penicillin" in note.section("allergies")[0].text
    assert "38.5" in note.section("examination")[0].text
    meds = {(m.name.lower(), m.status): m for m in note.medications}
    assert {n for n, _ in meds} == {"metformin", "salbutamol", "doxycycline"}
    met = meds["metformin", "active"]
    assert (met.dose, met.unit, met.frequency, met.route) == ("500", "mg", "twice a day", "")  # the inhaler is salbutamol's
    sal = meds["salbutamol", "active"]
    assert (sal.dose, sal.unit, sal.route) == ("2", "puffs", "inhaled")
    dox = meds["doxycycline", "planned"]
    assert (dox.dose, dox.route, dox.frequency, dox.duration) == ("100", "oral", "once daily", "7 days")
    assert all(m.drug_id.startswith("drugbank:") for m in meds.values())
    codes = {p.text.lower(): p.icd10 for p in note.problems}
    assert codes.get("asthma", "").startswith("J45") and codes.get("type 2 diabetes", "").startswith("E11")
    assert any(c.startswith("J18") for c in codes.values())  # pneumonia, through the vocabulary
    assert not any(c.startswith("I10") for c in codes.values())  # "no history of hypertension" is negated
    for p in note.problems:
        assert linker.icd10(p.icd10), f"{p.icd10} is not a valid ICD-10-CM code"


def test_conversation_is_brief_written_statements(linker: Linker) -> None:
    tr = parse_text(CONVERSATION)
    note = structure(tr, Settings.resolve(), backend=RulesBackend(linker))
    assert_grounded(note, tr)
    assert note.mode == "conversation"
    text = lambda key: [i.text for i in note.section(key)]  # noqa: E731
    assert text("chief_complaint") == ["Severe diarrhoea for 3 days"]
    hpi = text("history_of_present_illness")
    assert any(t.endswith("abdominal pain for 3 days") for t in hpi) and "Fever" in hpi
    fever = next(i for i in note.section("history_of_present_illness") if i.text == "Fever")
    assert [e.role for e in fever.evidence] == ["clinician", "patient"]  # the question and its yes
    assert "No blood in stool" in text("review_of_systems")
    assert "Non-smoker" in text("social_family_history")
    assert "Asthma" in text("past_history")
    assert any(t.startswith("Likely gastroenteritis") for t in text("assessment"))
    plan = text("plan")
    assert "Rest" in plan and "Push fluids" in plan and "Paracetamol 1 g four times a day" in plan
    assert "Review in 5 days if not improving" in plan
    assert "Drink plenty of fluids" in text("patient_instructions")
    problems = {p.text.lower(): p for p in note.problems}
    assert problems["gastroenteritis"].kind == "assessment" and problems["gastroenteritis"].icd10 == "A09"
    assert problems["asthma"].kind == "history"
    meds = {(m.name.lower(), m.status): m for m in note.medications}
    para = meds["paracetamol", "planned"]
    assert (para.dose, para.unit, para.frequency) == ("1", "g", "four times a day")
    assert ("salbutamol", "active") in meds
    for items in note.sections.values():  # brief: no statement is a pasted sentence
        assert all(len(i.text.split()) <= 12 for i in items)


def test_history_physical_template(linker: Linker) -> None:
    tr = parse_text(CONVERSATION)
    note = structure(tr, Settings.resolve(), backend=RulesBackend(linker, load_template("history_physical")))
    assert note.template == "history_physical"
    assert "Non-smoker" in [i.text for i in note.section("past_social_history")]
    assert "Asthma" in [i.text for i in note.section("past_medical_history")]
    assert list(note.sections)[0] == "chief_complaint"


def test_hedged_assessment_is_flagged() -> None:
    tr = Transcript.from_text("Assessment: this might be asthma, not sure.")
    note = structure(tr, Settings.resolve(), backend=RulesBackend(Linker(FakeVocabulary())))
    assert note.problems and note.problems[0].uncertain and "hedged" in note.problems[0].reason
    assert_grounded(note, tr)


def test_instruction_parser() -> None:
    i = parse_instruction("amoxicillin five hundred milligrams by mouth three times a day for seven days")
    assert (i.dose, i.unit, i.route, i.frequency, i.duration) == ("500", "mg", "oral", "three times a day", "7 days")
    i = parse_instruction("I'm on sertraline 50 mg every morning")
    assert (i.dose, i.frequency, i.status) == ("50", "every morning", "active")
    assert parse_instruction("I stopped taking the ibuprofen").status == "stopped"
    assert parse_instruction("ibuprofen").dose == ""  # nothing invented
    from medasr.note.meds import dose_text

    assert (dose_text("1", "tablets"), dose_text("2", "puffs"), dose_text("500", "mg")) == ("1 tablet", "2 puffs", "500 mg")


def test_backend_registry_and_errors() -> None:
    from medasr.errors import ConfigError, InputError

    s = Settings.resolve()
    assert get_backend("rules", s, linker=Linker(FakeVocabulary())).name == "rules"
    with pytest.raises(ConfigError, match="unknown note backend"):
        get_backend("gpt-17", s, linker=Linker(FakeVocabulary()))
    with pytest.raises(ConfigError, match="--llm-url"):
        get_backend("openai", s, linker=Linker(FakeVocabulary()))
    with pytest.raises(ConfigError, match="unknown note template"):
        get_backend("rules", Settings.resolve({"note_template": "poem"}), linker=Linker(FakeVocabulary()))
    with pytest.raises(InputError, match="empty"):
        structure(Transcript(segments=()), s, backend=RulesBackend(Linker(FakeVocabulary())))
    with pytest.raises(ConfigError, match="mode"):
        structure(Transcript.from_text("x"), s, mode="poetry", backend=RulesBackend(Linker(FakeVocabulary())))
    with pytest.raises(ConfigError, match="llm_style"):
        Settings.resolve({"llm_style": "freestyle"})


def test_import_loads_no_heavy_modules() -> None:
    import subprocess
    import sys

    code = ("import sys, medasr.note, medasr.note.rules, medasr.note.llm, medasr.note.hf_backend, medasr.note.llamacpp; "
            "print(sorted(m for m in ('torch', 'transformers', 'httpx', 'xllamacpp') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


def test_auto_falls_back_to_rules_without_a_local_model(tmp_path) -> None:
    s = Settings.resolve({"note_backend": "auto", "llm_model": str(tmp_path / "none.gguf")})
    backend = get_backend(None, s, linker=Linker(FakeVocabulary()))
    assert backend.name == "rules" and "no local model" in backend.notice
    note = structure(Transcript.from_text("Assessment: asthma."), s, backend=backend)
    assert any("no local model" in w for w in note.warnings)


def rules_texts(tr: Transcript, linker: Linker) -> list[str]:
    """The rules note's statements (checked grounded first)."""
    note = structure(tr, Settings.resolve(), backend=RulesBackend(linker))
    assert_grounded(note, tr)
    return [i.text for items in note.sections.values() for i in items]


def test_no_other_family_history_keeps_what_was_said(linker: Linker) -> None:
    """"Any other family history?" "No." after the patient named a relative's illness is not
    "No relevant family history": the earlier answer stands and the negative says "other"."""
    tr = parse_text(
        "Doctor: Does anything run in the family?\n"
        "Patient: My mum has migraines.\n"
        "Doctor: OK. Apart from migraines, any other family history?\n"
        "Patient: No.\n"
    )
    texts = rules_texts(tr, linker)
    assert "No relevant family history" not in texts, texts
    assert "No other relevant family history" in texts and any(t.startswith("Mother: migraine") for t in texts), texts


def test_a_no_to_food_or_pets_is_not_no_drug_allergies(linker: Linker) -> None:
    """"I'm allergic to penicillin" ... "Any allergies to cats or dogs?" "No." ... "No food
    allergies?" "No.": the note keeps the penicillin allergy and says what the noes were about,
    never "No known drug allergies"."""
    tr = parse_text(
        "Doctor: Do you have any allergies?\n"
        "Patient: I'm allergic to penicillin.\n"
        "Doctor: And do you have allergies to cats, or dogs, or pets?\n"
        "Patient: No, not that I know of.\n"
        "Doctor: And no food allergies as far as you're aware?\n"
        "Patient: No.\n"
    )
    texts = rules_texts(tr, linker)
    assert "No known drug allergies" not in texts, texts
    assert "Allergic to penicillin" in texts and "No known food allergies" in texts and "No known animal allergies" in texts, texts
    plain = parse_text("Doctor: Are you allergic to any medicines?\nPatient: No.\n")  # a drug question's no is NKDA
    assert "No known drug allergies" in rules_texts(plain, linker)


def test_a_family_answer_is_the_relatives_illness_and_social_answers_are_written(linker: Linker) -> None:
    """The illness named in answer to a family question is the relative's (the relative may come in
    the next sentence), never the patient's history; travel, a job after fillers, an insect sting."""
    tr = parse_text(
        "Doctor: What brings you in today?\n"
        "Patient: I got stung by a wasp this morning and my lip is swollen.\n"
        "Doctor: Are there any illnesses in your family at all?\n"
        "Patient: The main one would be heart attack. My father passed away of that.\n"
        "Doctor: Have you been abroad anywhere recently?\n"
        "Patient: Yes, I have actually.\n"
        "Doctor: What do you work as?\n"
        "Patient: Uh, I am a, uh, computer scientist.\n"
    )
    texts = rules_texts(tr, linker)
    assert "Father: heart attack" in texts and "Heart attack" not in texts, texts
    assert "Recent foreign travel" in texts and "Works as a computer scientist" in texts and "Insect sting, since this morning" in texts, texts
    note = structure(tr, Settings.resolve(), backend=RulesBackend(linker))
    assert not any("heart" in p.text.lower() for p in note.problems)  # not on the patient's problem list
    no_travel = parse_text("Doctor: Have you travelled abroad recently?\nPatient: No.\n")
    assert "No recent foreign travel" in rules_texts(no_travel, linker)


def test_dysuria_in_the_patients_words(linker: Linker) -> None:
    """"It's, uh, hurting when I, , when I use the bathroom, when I pee" is dysuria (grounded in
    those words); a no to "Does it hurt when you pee?" is "No dysuria"."""
    said = parse_text("Doctor: How can I help?\nPatient: It's, it's uh, hurting when I, , when I use the bathroom, when I pee.\n")
    assert "Dysuria" in rules_texts(said, linker)
    denied = parse_text("Doctor: Does it hurt when you pee?\nPatient: No.\n")
    assert "No dysuria" in rules_texts(denied, linker)


def test_an_or_list_carries_the_denial(linker: Linker) -> None:
    """"it hasn't really been burning, specifically, or hurting when I pee" denies dysuria (it
    was written "Dysuria" before); "but" ends the denial."""
    denied = parse_text("Doctor: Any pain?\nPatient: The urine was a little pink. But it hasn't really been burning, specifically or hurting when I pee.\n")
    texts = rules_texts(denied, linker)
    assert "Dysuria" not in texts and "No dysuria" in texts, texts
    said = parse_text("Doctor: How can I help?\nPatient: I don't have a fever, but it's hurting when I pee.\n")
    assert "Dysuria" in rules_texts(said, linker)


def test_medications_named_in_answer_and_the_clinicians_recap(linker: Linker) -> None:
    """Drugs named over the next turns after "Which medications do you take?" are taken ("So,
    it's, Metformin?"), as is the clinician's recap ("Lisinopril, OK."); "apart from the inhaler,
    any other medication?" "No." is "No other regular medications"; a drug tried is not taken."""
    tr = parse_text(
        "Doctor: And which medications do you take on a regular basis?\n"
        "Patient: Let me check. So, it's, Metformin?\n"
        "Doctor: That's correct, OK.\n"
        "Patient: And there's another one.\n"
        "Doctor: Lisinopril, OK.\n"
        "Patient: And a wee bit of aspirin every now and again.\n"
        "Doctor: Do you smoke?\n"
        "Patient: No.\n"
        "Doctor: Have you taken anything for the pain?\n"
        "Patient: I tried ibuprofen for the pain.\n"
    )
    texts = rules_texts(tr, linker)
    for t in ("Takes Metformin", "Takes Lisinopril", "Takes aspirin", "Tried ibuprofen", "Non-smoker"):
        assert t in texts, texts
    assert "Takes ibuprofen" not in texts, texts
    inhaler = parse_text(
        "Doctor: Are you fit and well otherwise?\nPatient: Yeah, I use an inhaler for asthma.\n"
        "Doctor: Apart from the inhalers, do you take any other medications?\nPatient: No.\n"
    )
    texts = rules_texts(inhaler, linker)
    assert "Uses an inhaler" in texts and "No other regular medications" in texts and "No regular medications" not in texts, texts
    fragment = parse_text("Doctor: Do you have any allergies at all? Medication?\nPatient: No, just a pollen allergy.\n")
    assert "No regular medications" not in rules_texts(fragment, linker)


def test_a_no_to_a_named_finding_and_past_diagnoses(linker: Linker) -> None:
    """"Has this happened before?" "No." -> "No previous episodes"; "Do you suffer from eczema?"
    "No." -> "No history of eczema" (unless the patient says they have it); a relative's
    diagnosis asked about is not the patient's; "You've been diagnosed with high blood pressure"
    is history, not today's assessment."""
    tr = parse_text(
        "Doctor: Has this happened before?\nPatient: No.\n"
        "Doctor: Any injury to it?\nPatient: No, not really.\n"
        "Doctor: Do you suffer from eczema at all?\nPatient: No.\n"
        "Doctor: They've been diagnosed with migraines?\nPatient: No.\n"
        "Doctor: Any recent head injuries at all?\nPatient: Uh, no.\n"
        "Doctor: Any problems with your urine, or waterworks?\nPatient: No.\n"
        "Doctor: You've been diagnosed with high blood pressure, OK.\n"
    )
    texts = rules_texts(tr, linker)
    for t in ("No previous episodes", "No trauma", "No history of eczema", "No head injury", "No urinary symptoms"):
        assert t in texts, texts
    assert not any("migraine" in t.lower() for t in texts), texts
    note = structure(tr, Settings.resolve(), backend=RulesBackend(linker))
    assert [i.text for i in note.section("past_history")][-1] == "High blood pressure"
    assert not note.section("assessment")
    has = parse_text("Doctor: Do you suffer from eczema?\nPatient: No.\nPatient: Well, I've had eczema before.\n")
    assert "No history of eczema" not in rules_texts(has, linker)


def test_conditional_tests_and_up_to_doses(linker: Linker) -> None:
    """"we might need to arrange some blood tests" is "May need blood tests", not booked tests;
    "up to six times a day" keeps its "up to"; "figure out whether you have a pneumonia" is not
    a diagnosis; "avoid it" is not a plan item."""
    tr = parse_text(
        "Doctor: How can I help?\nPatient: I've got a cough.\n" * 3
        + "Doctor: If things are not getting better, we might need to arrange some blood tests.\n"
        "Doctor: You can take Piriton, one tablet, up to about six times a day.\n"
        "Doctor: We need to figure out whether you have a pneumonia.\n"
        "Doctor: Try and avoid it.\n"
    )
    texts = rules_texts(tr, linker)
    assert "May need blood tests" in texts and "Blood tests" not in texts, texts
    assert any(t.startswith("Piriton") and "up to about six times a day" in t for t in texts), texts
    assert not any(t.lower() in ("pneumonia", "avoid it") for t in texts), texts


def test_living_and_work_after_fillers(linker: Linker) -> None:
    tr = parse_text(
        "Doctor: Who's at home with you?\n"
        "Patient: Um so, not my brother. He doesn't live with me. I live with my, um, sister and my mum.\n"
        "Doctor: What do you do for work?\n"
        "Patient: So I work at a, I I work at um an office.\n"
        "Patient: I live on my own now, actually.\n"
    )
    texts = rules_texts(tr, linker)
    assert "Lives with sister and mum" in texts and "Lives with me" not in texts, texts
    assert "Works at office" in texts and "Works at a" not in texts, texts


def test_social_and_gynaecological_answers_and_concerns(linker: Linker) -> None:
    """Pets, exercise, sexual activity, the last period (the patient's correction wins),
    pregnancy denied, eating and drinking, and a worry the patient names (not a diagnosis)."""
    tr = parse_text(
        "Doctor: Do you have any pets at home?\nPatient: Yes, we have a cat.\n"
        "Doctor: How much exercise would you do normally?\nPatient: I try to go running at least three times a week.\n"
        "Doctor: Are you currently sexually active?\nPatient: Yes, with my regular partner.\n"
        "Doctor: When was your last period?\nPatient: About three weeks ago. I mean, two weeks ago.\n"
        "Doctor: Is there any chance you could be pregnant?\nPatient: Uh, I don't think so.\n"
        "Doctor: Are you eating and drinking OK?\nPatient: Yeah, fine.\n"
        "Patient: I'm worried that it might be meningitis.\n"
    )
    texts = rules_texts(tr, linker)
    for t in ("Has a cat", "Exercises three times a week", "Sexually active with a regular partner",
              "Last menstrual period 2 weeks ago", "Does not think she could be pregnant", "Eating and drinking normally",
              "Worried about meningitis"):
        assert t in texts, texts
    note = structure(tr, Settings.resolve(), backend=RulesBackend(linker))
    assert not note.section("assessment") and not note.section("past_history") and not note.problems


def test_answers_that_say_yes_in_other_words() -> None:
    from medasr.note.dialogue import polarity

    assert polarity("Um, there was a little bit of blood earlier today") is True
    assert polarity("Um so I, yeah I think I'm pretty hot") is True
    assert polarity("I've had it before, yes") is True
    assert polarity("I've had no fever") is None and polarity("It was fine, no.") is None
    assert polarity("There was nothing") is None and polarity("No, not really.") is False


def test_assessment_rather_than_and_hedges_after_the_name(linker: Linker) -> None:
    """"it seems more like a chest infection, rather than a lung cancer": the cancer is not an
    assessment; "The other possibility is migraine" and "a viral illness perhaps" are possible."""
    tr = parse_text(
        "Doctor: How can I help?\nPatient: I've had a cough.\n" * 2
        + "Doctor: At the moment it seems more like a chest infection, rather than a lung cancer.\n"
        "Doctor: The other possibility is, um, migraine as well.\n"
        "Doctor: I think what you have is a bit of a viral illness perhaps.\n"
    )
    note = structure(tr, Settings.resolve(), backend=RulesBackend(linker))
    assessed = [i.text for i in note.section("assessment")]
    assert not any("cancer" in t.lower() for t in assessed), assessed
    assert {"Possible migraine", "Possible viral illness"} <= set(assessed), assessed
    assert all(i.uncertain for i in note.section("assessment") if i.text.startswith("Possible"))


def test_when_it_all_started_goes_to_the_complaint(linker: Linker) -> None:
    """A long answer to "When did your symptoms all start?" gives the complaint its onset (the
    last time said), not the symptom discussed last."""
    tr = parse_text(
        "Doctor: How can I help?\nPatient: I've got a cough.\n"
        "Doctor: Any sore throat?\nPatient: Yes, a bit.\n"
        "Doctor: And when did your symptoms all start?\n"
        "Patient: Well, it was the weekend, I was out for my wife's birthday, and I remember saying to her "
        "I'm not feeling great, so, I think it was about six days ago, no, five days ago.\n"
    )
    texts = rules_texts(tr, linker)
    assert "Cough, started 5 days ago" in texts and "Sore throat" in texts, texts


def test_safety_netting_says_what_to_come_back_for(linker: Linker) -> None:
    """"things to look out for would be worsening tummy pain, vomiting" and "if you're having
    problems with your vision, or weakness in your arms and legs ... Just give me a call" say
    what to return for; a symptom in advice about a medicine ("paracetamol if you are feeling
    feverish") is not a reason to return."""
    tr = parse_text(
        "Doctor: How can I help?\nPatient: I've got a headache.\n" * 3
        + "Doctor: You can take regular paracetamol if you are feeling feverish.\n"
        "Doctor: But if your symptoms aren't settling down, I want you to give me a call back.\n"
        "Doctor: Things to look out for would be worsening tummy pain, or vomiting.\n"
        "Doctor: So, if you're having any problems with your vision, or weakness in your arms and legs. Just give me a call.\n"
    )
    texts = rules_texts(tr, linker)
    said = [t for t in texts if t.startswith("Return if")]
    assert said == ["Return if worsening abdominal pain, vomiting, visual disturbance or limb weakness"], texts


def test_how_it_affects_the_patient_and_amount_answers(linker: Linker) -> None:
    """"I can't really do my job", "it woke me up", "work's a bit stressful" are written as their
    effect, grounded in those words; "pints a week" answers "Do you drink much?" with a yes."""
    tr = parse_text(
        "Doctor: How can I help?\nPatient: My hands are sore and I can't really do my job.\n"
        "Doctor: OK.\nPatient: Yeah, it woke me up quite early this morning.\n"
        "Doctor: Are you under any stress?\nPatient: Um, work's kind of a bit stressful at the moment.\n"
        "Doctor: Do you drink much in the way of alcohol?\nPatient: Maybe six pints a week.\n"
    )
    texts = rules_texts(tr, linker)
    for t in ("Affecting work", "Disturbing sleep", "Stress at work", "Drinks alcohol, six pints a week"):
        assert t in texts, texts
    calm = parse_text("Doctor: Any stress?\nPatient: No, I'm not stressed at all.\n")
    assert not any("stress" in t.lower() and not t.startswith("No") for t in rules_texts(calm, linker))


def test_the_complaints_onset_said_beside_it(linker: Linker) -> None:
    tr = parse_text(
        "Doctor: Tell me what's been happening.\n"
        "Patient: Yeah. Um, I just noticed this like about a week ago, or something? Um, have like a weird swelling on, on, on my elbow.\n"
    )
    assert "Elbow swelling, started 1 week ago" in rules_texts(tr, linker)


def test_uk_brand_names_link_to_their_generic(linker: Linker) -> None:
    """Microgynon, Implanon, Dioralyte, E45: brands the drug lists lack, linked to the generic
    they name, so they are medications with drug ids."""
    tr = parse_text("Doctor: Do you take any regular medications?\nPatient: Just microgynon, the pill.\n")
    note = structure(tr, Settings.resolve(), backend=RulesBackend(linker))
    assert "Takes microgynon" in [i.text for i in note.section("medications")]
    assert [(m.name, m.drug_id) for m in note.medications] == [("microgynon", "drugbank:DB00367")]
    for brand in ("implanon", "dioralyte", "E45"):
        assert linker.find("drug", f"some {brand} please"), brand


def test_dysuria_and_frequency_in_more_lay_words(linker: Linker) -> None:
    """"a sort of burning, stinging, when I when I go to the toilet", "it quite hurts when I kind
    of pee", "I'm going to the toilet a lot more"."""
    tr = parse_text(
        "Doctor: How can I help?\nPatient: It quite hurts when I kind of pee. And I'm going to the toilet a lot more.\n"
        "Doctor: OK.\nPatient: I notice a sort of burning, stinging, when I when I go to the toilet, yeah.\n"
    )
    texts = rules_texts(tr, linker)
    assert any(t.startswith("Dysuria") for t in texts) and "Urinary frequency" in texts, texts


def test_lexicon_tables_have_no_repeated_keys() -> None:
    """A key written twice in a dict literal silently drops the first entry."""
    import ast
    from pathlib import Path

    import medasr.note as pkg

    for path in Path(pkg.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Dict):
                keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
                assert len(keys) == len(set(keys)), (path.name, node.lineno, sorted({k for k in keys if keys.count(k) > 1}))


def test_an_answer_that_names_one_of_the_symptoms_asked(linker: Linker) -> None:
    """"Have you had a fever or any shortness of breath?" "I had a high fever last week": fever,
    not shortness of breath."""
    tr = parse_text("Doctor: Have you had a fever or any shortness of breath?\nPatient: I had a high fever last week, and I still feel tired.\n")
    texts = rules_texts(tr, linker)
    assert any(t.startswith("Fever") for t in texts) and not any("breath" in t.lower() for t in texts), texts
    later = parse_text("Doctor: Any other symptoms, any sore throats, any ear pain?\nPatient: Yeah, yeah. I've had a bit of a sore throat.\n")
    texts = rules_texts(later, linker)  # the answer's naming sentence need not be its first
    assert "Sore throat" in texts and not any("ear" in t.lower() for t in texts), texts
    both = parse_text("Doctor: Any fever or cough?\nPatient: Yes.\n")
    assert {"Fever", "Cough"} <= {t.split(",")[0] for t in rules_texts(both, linker)}


def test_what_the_clinician_sees_in_a_conversation(linker: Linker) -> None:
    tr = parse_text(
        "Doctor: What's brought you in today?\n"
        "Patient: My lips swelled up after a bee sting on my arm.\n"
        "Doctor: Your lips don't seem swollen to me right now.\n"
        "Doctor: Can I have a look at your arm? I can see a puncture mark, but I can't see any swelling.\n"
        "Doctor: Your throat looks a bit red. And you look well.\n"
        "Doctor: If your arm looks red tomorrow, give me a call.\n"  # a conditional: no finding
        "Doctor: Does your throat look swollen to you?\n"  # a question: no finding
        "Doctor: Your arm doesn't look like an infection.\n"  # a comparison: no finding
        "Patient: OK, thank you."
    )
    note = structure(tr, Settings.resolve(), backend=RulesBackend(linker))
    assert_grounded(note, tr)
    exam = [i.text for i in note.section("examination")]
    assert exam == ["No swelling of the lips", "Puncture mark seen", "No swelling seen", "Throat red", "Looks well"], exam  # in the order said
    assert all(item.evidence[0].role == "clinician" for item in note.section("examination"))


def test_a_yes_then_a_no_says_neither_and_lay_words_for_symptoms(linker: Linker) -> None:
    """"Any neck pain or neck stiffness?" "Yeah." "No." records neither as present or denied;
    hay fever is not a fever; sweating "during the the night" is night sweats; "the light is
    quite annoying, my eyes" is photophobia."""
    tr = parse_text(
        "Doctor: What's the problem?\n"
        "Patient: I've had a headache for three days, and the light is quite annoying, my eyes.\n"
        "Patient: I'm sweating during the the night as well.\n"
        "Doctor: Any neck pain or neck stiffness?\n"
        "Patient: Yeah.\n"
        "Patient: No.\n"
        "Doctor: Do you have any medical problems?\n"
        "Patient: Just hay fever.\n"
    )
    texts = rules_texts(tr, linker)
    assert any(t.startswith("Photophobia") for t in texts) and any(t.startswith("Night sweats") for t in texts), texts
    assert not any("neck" in t.lower() for t in texts), texts
    assert not any(t.startswith(("Fever", "No fever")) for t in texts) and any("Hay fever" in t for t in texts), texts


def test_a_yes_to_the_last_of_two_questions_that_names_the_first(linker: Linker) -> None:
    """"Any blood in your urine? Any darkening of your urine?" "There was a little bit of blood
    earlier today": haematuria is present; a bare "No." to two such questions denies nothing it
    did not hear (the later question is the one answered)."""
    tr = parse_text(
        "Doctor: What's brought you in?\n"
        "Patient: It burns when I pee.\n"
        "Doctor: Has there been any blood in your urine? Have you noticed any darkening of your urine?\n"
        "Patient: Um, there was a little bit of blood earlier today, but besides that, not at all, no.\n"
        "Doctor: Any fever? Any pain in your back?\n"
        "Patient: No.\n"
        "Doctor: And your bowels, do you mean you're going to the toilet more often? Or are your stools more loose?\n"
        "Patient: Yeah, so it's like loose and watery stool, going to the toilet quite often.\n"
    )
    texts = rules_texts(tr, linker)
    assert "Haematuria" in texts, texts
    assert not any("fever" in t.lower() for t in texts), texts
    assert not any("urinary frequency" in t.lower() for t in texts), texts  # "toilet ... often" names no symptom


def test_the_clinicians_recap_of_a_symptom(linker: Linker) -> None:
    """"You mentioned that you felt quite nauseous" and "you've got some sensitivity to light" are
    the patient's symptoms said back; a recap in a conditional, a denial or about someone else is not."""
    tr = parse_text(
        "Doctor: How can I help?\n"
        "Patient: I've had a headache since this morning.\n"
        "Doctor: Um and you mentioned that you felt quite nauseous.\n"
        "Doctor: What makes migraine more likely is that you've got some sensitivity to light.\n"
        "Doctor: If you've got a fever, take paracetamol.\n"
        "Doctor: You haven't had any vomiting.\n"
        "Doctor: Your son has been having a rash, you said.\n"
    )
    texts = rules_texts(tr, linker)
    assert "Nausea" in texts and "Photophobia" in texts, texts
    assert not any(t.startswith(("Fever", "Vomiting", "Rash")) for t in texts), texts
    assert "Headache, since this morning" in texts, texts  # the onset said once (it had been said twice)


def test_dose_in_the_next_sentence_painless_swelling_desk_job_and_exercise(linker: Linker) -> None:
    """The dose said after the drug ("I would take ibuprofen regularly. ... That's four hundred
    milligrams, two times a day"), a swelling that is not painful, "I just sit at a desk" and "I run
    regularly" are written; a dose corrected in passing ("two tablets, uh, one tablet") is the last
    one said, and a prescription sent to the pharmacy is not bought over the counter."""
    tr = parse_text(
        "Doctor: Tell me what's been happening.\n"
        "Patient: I noticed a weird swelling on my elbow about a week ago.\n"
        "Patient: It's not painful at all, I feel fine.\n"
        "Doctor: In terms of your job, do you do anything physical?\n"
        "Patient: Not really. No, I just, you know, sit at a desk.\n"
        "Doctor: Are you normally fit and well? Mobile and active?\n"
        "Patient: Yeah. I do some sports. I run regularly, like two, three times a week.\n"
        "Doctor: We'll get some blood tests done. We can check your full blood count and your kidney function.\n"
        "Doctor: I would take Ibuprofen regularly, OK. You can get that over the counter. Um, that's four hundred milligrams, two times a day.\n"
        "Doctor: I'll send it straight to your pharmacy, something called Trimethoprim. You can take two tablets, uh, one tablet twice a day for three days.\n"
    )
    texts = rules_texts(tr, linker)
    assert "Elbow swelling, not painful, started 1 week ago" in texts, texts
    assert "Desk job" in texts and "Exercises regularly" in texts, texts
    assert "Ibuprofen 400 mg two times a day (over the counter)" in texts, texts
    assert "Trimethoprim 1 tablet twice a day for 3 days" in texts, texts
    assert "Blood tests: full blood count, kidney function" in texts, texts
    assert not any(t.startswith("No pain") for t in texts), texts


def test_spoken_number_doses() -> None:
    assert parse_instruction("that's four hundred milligrams, two times a day").dose == "400"
    assert parse_instruction("two hundred and fifty mg three times a day").dose == "250"
    assert parse_instruction("twenty five milligrams once a day").dose == "25"
    assert parse_instruction("take two tablets, uh, one tablet twice a day").dose == "1"
    assert parse_instruction("two tablets twice a day, one tablet at night").dose == "2"  # not a repair


def test_a_denied_pain_alone_and_a_painful_complaint(linker: Linker) -> None:
    """"It doesn't hurt" with no painful complaint is "No pain"; beside a headache it is not."""
    alone = rules_texts(parse_text("Doctor: What's the matter?\nPatient: I've been coughing for a week. It doesn't hurt.\n"), linker)
    assert "No pain" in alone, alone
    with_pain = rules_texts(parse_text("Doctor: What's the matter?\nPatient: I've had a headache for two days.\n"
                                       "Doctor: Any other pain?\nPatient: No, it doesn't hurt anywhere else.\n"), linker)
    assert not any(t.startswith("No pain") for t in with_pain), with_pain


def test_coughing_up_blood_is_haemoptysis_not_a_cough(linker: Linker) -> None:
    texts = rules_texts(parse_text("Doctor: What's been happening?\n"
                                   "Patient: Well, I coughed up a bit of blood on two occasions.\n"), linker)
    assert any(t.startswith("Haemoptysis") for t in texts) and not any(t.startswith("Cough") for t in texts), texts


def test_where_the_patient_travelled_is_not_when_the_symptom_started(linker: Linker) -> None:
    tr = parse_text("Doctor: Any joints sore?\nPatient: Not really. I often have problems with back pain.\n"
                    "Doctor: Have you been abroad anywhere recently?\nPatient: Yes, I have actually.\n"
                    "Doctor: Where have you been?\nPatient: I went to Vietnam. I came back four weeks ago now.\n")
    texts = rules_texts(tr, linker)
    assert "Back pain" in texts and "Recent foreign travel" in texts, texts


def test_a_recap_cue_after_the_symptom(linker: Linker) -> None:
    """"So, bit of a runny nose, you mentioned" is the patient's runny nose said back."""
    tr = parse_text("Doctor: How can I help?\nPatient: I've had a cough for five days.\n"
                    "Doctor: So, bit of a runny, bit of a runny nose, you mentioned.\n"
                    "Doctor: If your nose gets blocked, use a spray.\n")
    texts = rules_texts(tr, linker)
    assert "Runny nose" in texts and not any("blocked" in t.lower() for t in texts), texts


def test_how_a_symptom_is_said_in_the_answer(linker: Linker) -> None:
    """"Any pain in your tummy?" "Yeah. I feel a cramp." gives crampy; "in the middle ... Not on
    any side, left or right" is central (the sides were denied); "it's been about three days now"
    is how long; "Not all the time" is intermittent, never constant."""
    tr = parse_text(
        "Doctor: How can I help?\nPatient: I've got diarrhoea.\n"
        "Doctor: When did it all start, your symptoms?\nPatient: So I think it was about three, it's been about three days now.\n"
        "Doctor: Any pain in your tummy?\nPatient: Yeah. I mean I, it, I feel, I feel a cramp.\n"
        "Doctor: Is it in the middle, or is it to one particular side?\nPatient: Like in the middle, to me. Not on any side, left or right.\n"
        "Doctor: Have you any itchiness?\nPatient: Yeah, it's itchy. Not all the time, but yeah, it does get itchy.\n"
    )
    texts = rules_texts(tr, linker)
    assert "Diarrhoea for 3 days" in texts, texts
    assert "Central abdominal pain, crampy" in texts, texts
    assert "Itching, intermittent" in texts, texts


def test_what_a_tried_treatment_did(linker: Linker) -> None:
    """"I tried E45 cream but it didn't really help" -> "Tried E45, no relief"; a drug class tried is
    written too ("I also tried an antihistamine, it helped a little" -> some relief)."""
    tr = parse_text(
        "Doctor: What's the matter?\nPatient: My hands are sore.\nDoctor: Have you tried anything?\n"
        "Patient: I tried E45 cream but it didn't really help.\n"
        "Patient: I also tried an antihistamine, it helped a little.\n"
    )
    texts = rules_texts(tr, linker)
    assert "Tried E45, no relief" in texts and "Tried antihistamine, some relief" in texts, texts


def test_the_complaints_onset_speed_and_course_from_short_answers(linker: Linker) -> None:
    """"When did your symptoms all start?" "About two days ago." dates the complaint (the first
    named), not the symptom said after it; "more gradual" is how it came on, kept beside when; the
    first sentence of a long answer to "Is it constant?" is read; a question in the answer ("what
    day is it today?") dates nothing; "Just today really" is since today."""
    tr = parse_text(
        "Doctor: How can I help?\n"
        "Patient: I'm having some pain in my tummy, like the lower part of my tummy. And I've been feeling quite sweaty.\n"
        "Doctor: When did your symptoms all start?\nPatient: About two days ago.\n"
        "Doctor: Did the pain come on quite suddenly, or was it more gradual?\nPatient: It hasn't been, it's more gradual and it is getting a bit worse now.\n"
        "Doctor: Is the pain constant, or does it come and go?\n"
        "Patient: It's pretty constant. I can still move and walk around, I mean I'm still kind of functioning, it's just that I'm aware of it all the time, even at night when I try to sleep.\n"
        "Doctor: Any cough?\nPatient: Yes.\nDoctor: How long has that been going on for?\nPatient: Just, just today really.\n"
        "Doctor: Any tiredness?\nPatient: Yes.\nDoctor: When did that start?\nPatient: I would say what day is it today?\n"
    )
    texts = rules_texts(tr, linker)
    assert "Lower abdominal pain, constant, worsening, gradual onset, started 2 days ago" in texts, texts
    assert "Sweating" in texts and "Cough, since today" in texts and "Fatigue" in texts, texts


def test_what_the_clinician_decided_against(linker: Linker) -> None:
    """"I don't think you need any allergy testing" is in the plan as "No need for allergy testing";
    "if you needed antibiotics" is not a decision."""
    tr = parse_text("Doctor: How can I help?\nPatient: I got stung by a wasp.\n"
                    "Doctor: On the basis of what you've told me, I don't think you need any allergy testing.\n"
                    "Doctor: If it gets worse we might say you don't need antibiotics, but we'd see.\n")
    texts = rules_texts(tr, linker)
    assert "No need for allergy testing" in texts and not any("antibiotics" in t.lower() for t in texts), texts


def test_the_diagnosis_keeps_its_modifier(linker: Linker) -> None:
    tr = parse_text("Doctor: How can I help?\nPatient: I got stung by a wasp and my arm is red.\n"
                    "Doctor: It seems to me like this is a localised allergic reaction.\n")
    texts = rules_texts(tr, linker)
    assert "Localised allergic reaction" in texts, texts


def test_severity_character_course_and_relief_from_questions(linker: Linker) -> None:
    """A number alone after "on a scale of one to ten ... How would you rate it?" is the score;
    "Is it sharp? Is it dull? ... Is it throbbing?" is answered by "it's dull"; a yes to "you think
    it's getting worse?" is worsening; "Did that help?" "It doesn't really help, no." after a
    treatment tried is "no relief"."""
    tr = parse_text(
        "Doctor: How can I help?\nPatient: I've had a headache, it started three days ago.\n"
        "Doctor: If I was to ask you on a scale of one to ten, ten being the worst pain you ever had. How would you rate this headache?\n"
        "Patient: Ohh it's probably a eight.\n"
        "Doctor: Is it sharp? Is it dull? Is it throbbing?\nPatient: Um, it's kind of dull.\n"
        "Doctor: So, you think the headache is getting worse?\nPatient: Yeah.\n"
        "Doctor: Have you tried anything?\nPatient: I tried ibuprofen.\n"
        "Doctor: Did that help?\nPatient: It doesn't really help, no.\n"
        "Patient: But usually after I take ibuprofen it kind of goes away.\n"
    )
    texts = rules_texts(tr, linker)
    assert "Headache, dull, worsening, severity 8/10, started 3 days ago" in texts, texts
    assert "Tried ibuprofen, no relief" in texts, texts
    assert not any(t.lower().startswith("takes ibuprofen") for t in texts), texts  # tried for this, not a regular medicine


def _item(tr: Transcript, linker: Linker, text: str):  # type: ignore[no-untyped-def]
    note = structure(tr, Settings.resolve(), backend=RulesBackend(linker))
    assert_grounded(note, tr)
    found = [i for items in note.sections.values() for i in items if i.text == text]
    assert found, [i.text for items in note.sections.values() for i in items]
    return found[0]


def test_unwell_contacts_said_unasked_and_answered(linker: Linker) -> None:
    """"My wife and kids are poorly too, they've got diarrhoea" is the wife's and children's
    diarrhoea, never the patient's (who denied it); "Is anyone else at home unwell?" "Yeah, my
    son had the same." is a contact similarly unwell, cited with the question."""
    tr = parse_text(
        "Doctor: What brings you in today?\nPatient: I've been vomiting since yesterday.\n"
        "Patient: My wife and kids are poorly too, they've got diarrhoea.\n"
        "Doctor: Any diarrhoea yourself?\nPatient: No.\n"
        "Doctor: Is anyone else at home unwell?\nPatient: Yeah, my son had the same.\n"
    )
    texts = rules_texts(tr, linker)
    assert "No diarrhoea" in texts and "Diarrhoea" not in texts, texts
    family = _item(tr, linker, "Wife and children also unwell with diarrhoea")
    assert [e.text for e in family.evidence] == ["My wife and kids are poorly too, they've got diarrhoea."]
    son = _item(tr, linker, "Son similarly unwell")
    assert [(e.role, e.text) for e in son.evidence] == [("clinician", "Is anyone else at home unwell?"), ("patient", "Yeah, my son had the same.")]
    assert not son.uncertain and son.category == "hpi"


def test_no_unwell_contacts_and_questions_not_about_contacts(linker: Linker) -> None:
    """A "No" to "Has anyone around you had diarrhoea?" is "No contacts with diarrhoea" (and says
    nothing of the patient's own diarrhoea); one to "Anyone else unwell?" is "No unwell contacts"; "Anyone else at home with you?" and a relative's
    migraines asked about are not questions about unwell contacts; a brother who "had something
    like this" had similar symptoms."""
    tr = parse_text(
        "Doctor: How can I help?\nPatient: I've had diarrhoea for two days.\n"
        "Doctor: Has anyone around you had diarrhoea?\nPatient: No, nobody.\n"
        "Doctor: Is anyone else at home with you?\nPatient: No, I live on my own.\n"
        "Doctor: Does anyone in your family get migraines?\nPatient: Yes, my mum.\n"
    )
    texts = rules_texts(tr, linker)
    assert not any("contacts" in t.lower() and t != "No contacts with diarrhoea" for t in texts), texts
    assert "Diarrhoea for 2 days" in texts and "No diarrhoea" not in texts, texts  # asked of others, not of the patient
    none = _item(tr, linker, "No contacts with diarrhoea")
    assert [e.text for e in none.evidence] == ["Has anyone around you had diarrhoea?", "No, nobody."]
    assert not any(t.startswith("Mother") and "unwell" in t for t in texts), texts
    tr = parse_text("Doctor: How can I help?\nPatient: I've been coughing for a week.\nDoctor: Anyone else unwell?\nPatient: No.\n")
    assert [e.text for e in _item(tr, linker, "No unwell contacts").evidence] == ["Anyone else unwell?", "No."]
    tr = parse_text("Doctor: How can I help?\nPatient: I've been coughing for a week.\n"
                    "Doctor: Have you been around anyone else with a cough?\n"
                    "Patient: My brother has had something like this, actually.\n")
    brother = _item(tr, linker, "Brother had similar symptoms")
    assert [e.text for e in brother.evidence] == ["Have you been around anyone else with a cough?", "My brother has had something like this, actually."]


def test_who_else_is_unwell_and_a_no_taken_back(linker: Linker) -> None:
    """"Just my son. Nobody else." is the son unwell and no other unwell contacts; "No. Actually my
    daughter's got it too." takes the "No" back: the daughter, and no denial."""
    tr = parse_text("Doctor: How can I help?\nPatient: I've been vomiting since last night.\n"
                    "Doctor: Anyone else unwell?\nPatient: Just my son. Nobody else.\n")
    assert [e.text for e in _item(tr, linker, "Son also unwell").evidence] == ["Anyone else unwell?", "Just my son."]
    assert [e.text for e in _item(tr, linker, "No other unwell contacts").evidence] == ["Anyone else unwell?", "Nobody else."]
    tr = parse_text("Doctor: How can I help?\nPatient: I've been vomiting since last night.\n"
                    "Doctor: Anyone else unwell?\nPatient: No. Actually my daughter's got it too.\n")
    texts = rules_texts(tr, linker)
    assert [t for t in texts if "unwell" in t.lower() or "contacts" in t.lower()] == ["Daughter similarly unwell"], texts


def test_several_contacts_and_the_patients_own_symptom_beside_them(linker: Linker) -> None:
    """"My wife, my son and my daughter are all poorly" is one statement naming all three; "My
    wife came to dinner with me and I've got diarrhoea" is the patient's diarrhoea, not the wife's."""
    tr = parse_text("Doctor: How can I help?\nPatient: I've been vomiting.\n"
                    "Doctor: Anyone else unwell at home?\nPatient: Yeah, my wife, my son and my daughter are all poorly.\n"
                    "Patient: My wife came to dinner with me and I've got diarrhoea.\n")
    texts = rules_texts(tr, linker)
    assert [t for t in texts if "unwell" in t] == ["Wife, son and daughter also unwell"], texts
    assert [e.text for e in _item(tr, linker, "Diarrhoea").evidence] == ["My wife came to dinner with me and I've got diarrhoea."]


def test_smoking_and_alcohol_asked_together(linker: Linker) -> None:
    """One question about both habits is answered habit by habit ("I don't smoke, I do drink, on the
    weekends"); a "No." to two questions of one turn denies both, each cited with its question;
    "I don't drink much" is not a denial; a habit the answer does not name is not recorded."""
    tr = parse_text("Doctor: How can I help?\nPatient: I've had a cough for a week.\n"
                    "Doctor: Do you smoke, or do you drink much in the way of alcohol?\n"
                    "Patient: Uh, I don't smoke, uh, I do drink, on the weekends, yeah.\n")
    texts = rules_texts(tr, linker)
    assert "Non-smoker" in texts and "Drinks alcohol at weekends" in texts and "No alcohol" not in texts, texts
    tr = parse_text("Doctor: How can I help?\nPatient: I've had a cough for a week.\n"
                    "Doctor: Do you smoke at all? And do you drink much alcohol?\nPatient: No.\n")
    assert [e.text for e in _item(tr, linker, "Non-smoker").evidence] == ["Do you smoke at all?", "No."]
    assert [e.text for e in _item(tr, linker, "No alcohol").evidence] == ["And do you drink much alcohol?", "No."]
    tr = parse_text("Doctor: How can I help?\nPatient: I've had a cough for a week.\n"
                    "Doctor: Do you drink or smoke at all?\nPatient: I smoke ten a day. And I don't drink much.\n")
    texts = rules_texts(tr, linker)
    assert [e.text for e in _item(tr, linker, "Smokes, ten a day").evidence] == ["Do you drink or smoke at all?", "I smoke ten a day."]
    assert not any("alcohol" in t.lower() for t in texts), texts
    tr = parse_text("Doctor: How can I help?\nPatient: I've had a cough for a week.\n"
                    "Doctor: Smoking and alcohol, do you do either?\nPatient: I smoke socially.\n")
    texts = rules_texts(tr, linker)
    assert "Smokes socially" in texts and not any("alcohol" in t.lower() for t in texts), texts


def test_a_drug_taken_for_the_complaint_is_tried_not_a_regular_medicine(linker: Linker) -> None:
    """"I've taken some paracetamol" for the headache, and "I've been trying to, like, take
    ibuprofen" are what the patient tried (with what it did), not regular medications; "I take
    metformin" stays one; "I haven't taken anything else" records nothing."""
    tr = parse_text("Doctor: How can I help?\nPatient: I've had a headache since this morning.\n"
                    "Doctor: Have you taken anything for it?\nPatient: I've taken some paracetamol.\n"
                    "Doctor: Has that helped?\nPatient: Not really, no.\n"
                    "Patient: I've been trying to, like, take ibuprofen too, but it's not really helping.\n"
                    "Patient: I haven't taken anything else.\n"
                    "Doctor: Any regular medications?\nPatient: I take metformin.\n")
    texts = rules_texts(tr, linker)
    tried = _item(tr, linker, "Tried paracetamol, no relief")
    assert [e.text for e in tried.evidence] == ["I've taken some paracetamol.", "Has that helped?", "Not really, no."]
    assert [e.text for e in _item(tr, linker, "Tried ibuprofen, no relief").evidence] == [
        "I've been trying to, like, take ibuprofen too, but it's not really helping."]
    assert "Takes metformin" in texts and not any(t in texts for t in ("Takes paracetamol", "Takes ibuprofen")), texts
    # taken for years is a regular medication, not a treatment tried
    for said, drug in (("I have taken metformin for ten years.", "metformin"), ("I've taken ramipril since my heart attack.", "ramipril")):
        long_use = rules_texts(parse_text(f"Doctor: How can I help?\nPatient: I've had a cough for a week.\nDoctor: Any medications?\nPatient: {said}\n"), linker)
        assert f"Takes {drug}" in long_use and f"Tried {drug}" not in long_use, long_use
