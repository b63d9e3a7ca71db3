"""Consultation turns (written form): what a GP and a patient say to each other, for the corrector.

The dictation templates of :mod:`medasr.train.corrector.sentences` and the synth corpus hold
clinical prose; a consultation is different text: questions, short answers, fillers, everyday
symptom words ("any fever?", "a bit of a cough", "when you pass urine"). A corrector trained only
on prose meets a consultation as foreign text and recites its templates. These turns are built
from parts (an opener, a frame, lay symptoms, body parts, times, medicines) so that few repeat:
they are written from general practice, not taken from any recorded consultation.
Deterministic for a given seed.
"""

from __future__ import annotations

import random

from medasr.correction.bart.terms import CONDITIONS
from medasr.train.corrector.sentences import DRUGS, Sentence, distinct_sentences

# everyday symptom words as patients and GPs say them
LAY_SYMPTOMS: tuple[str, ...] = (
    "fever", "temperature", "cough", "dry cough", "chesty cough", "sore throat", "headache", "headaches",
    "diarrhea", "vomiting", "nausea", "tummy pain", "stomach ache", "chest pain", "back pain", "neck pain",
    "shortness of breath", "wheezing", "runny nose", "blocked nose", "sneezing", "earache", "rash",
    "itchy skin", "itchy eyes", "red eyes", "watery eyes", "dizziness", "tiredness", "fatigue",
    "palpitations", "swelling", "swollen ankles", "joint pain", "muscle aches", "cramps", "heartburn",
    "indigestion", "constipation", "bloating", "blood in your stool", "blood in your urine",
    "burning when you pass urine", "pain when you pass urine", "night sweats", "weight loss",
    "loss of appetite", "numbness", "tingling", "pins and needles", "weakness", "blurred vision",
    "chills", "shivers", "phlegm", "sputum", "a lump", "discharge", "bleeding", "bruising", "insomnia",
    "anxiety", "low mood", "mouth ulcers", "hoarse voice", "difficulty swallowing", "fainting",
    "a stiff neck", "sensitivity to light", "redness", "tenderness", "stiffness", "hot flushes",
)
BODY_PARTS: tuple[str, ...] = (
    "chest", "tummy", "stomach", "back", "lower back", "neck", "head", "throat", "ear", "left ear",
    "right ear", "eyes", "left eye", "knee", "right knee", "ankle", "wrist", "shoulder", "hip", "left side",
    "right side", "arm", "legs", "feet", "hands", "skin", "face", "mouth", "gums", "tongue", "nose",
    "groin", "bladder", "abdomen", "ribs", "jaw", "elbow", "toes", "fingers",
)
TIMES: tuple[str, ...] = (
    "two days", "three days", "a few days", "about a week", "a week", "two weeks", "a couple of weeks",
    "a month", "six weeks", "two months", "yesterday", "since Monday", "since the weekend",
    "last night", "this morning", "about ten days", "four or five days", "a fortnight",
)
QUALITIES: tuple[str, ...] = (
    "sharp", "dull", "crampy", "burning", "throbbing", "stabbing", "achy", "constant", "on and off",
    "quite bad", "not too bad", "really painful", "a bit sore", "tight",
)
OPENERS: tuple[str, ...] = (
    "", "", "", "Okay, ", "Okay, and ", "Right, ", "Right, and ", "And ", "So ", "Um, ", "Alright, ",
    "Okay, so ", "I see, and ", "Oh dear. ", "Thank you. ", "Mhm, ", "Yeah, ", "Uh, ",
    "No, ", "Yes, ", "Well, ", "Okay, um, ", "Right, okay, ",
)
RELATIVES: tuple[str, ...] = ("mum", "dad", "mother", "father", "brother", "sister", "grandmother", "grandfather", "aunt", "uncle")
PLACES: tuple[str, ...] = ("work", "home", "the gym", "school", "the shops", "the pharmacy", "A&E", "the walk-in centre")

DOCTOR = (
    "have you had any {sx}?",
    "have you noticed any {sx} at all?",
    "any {sx} or {sx2}?",
    "how long have you had the {sx} for?",
    "when did the {sx} start?",
    "is the {sx} getting better or worse?",
    "does anything make the {sx} better?",
    "does anything make it worse?",
    "what is the pain like?",
    "and where do you feel it most?",
    "does the pain spread into your {part}?",
    "is it constant, or is it worse at certain times of day?",
    "on a scale of one to ten, how bad is the pain?",
    "have you taken anything for it, like {drug}?",
    "are you on any regular medication?",
    "what are you taking {drug} for?",
    "do you have any allergies to any medications?",
    "do you smoke at all?",
    "how much alcohol do you drink in a week?",
    "is there anyone in the family with {cond}?",
    "have you had {cond} before?",
    "have you been in contact with anyone who has been unwell?",
    "have you been eating and drinking okay?",
    "are you passing urine normally?",
    "have you noticed any change in your bowel habit?",
    "any {sx} when you lie down?",
    "and is the {sx} worse at night?",
    "have you had your temperature checked?",
    "can I just check, are you still taking the {drug}?",
    "how has your {sx} been since we last spoke?",
    "I'd like to examine your {part}, if that's okay.",
    "could you take a deep breath in for me?",
    "I'm just going to listen to your chest.",
    "I think this is most likely {cond}.",
    "it sounds like it could be {cond}.",
    "I'm going to give you some {drug} to take {freq}.",
    "take {drug} {dose} {freq} for {days}.",
    "if the {sx} gets worse, or you develop {sx2}, please come back and see us.",
    "we'll do some blood tests and a urine sample.",
    "I'll refer you to the hospital for a scan of your {part}.",
    "does that sound okay to you?",
    "is there anything else you wanted to mention today?",
    "how are you feeling in yourself?",
    "has it stopped you from doing anything, like going to {place}?",
    "any problems with your {part}?",
    "have you had any {sx} in your {part}?",
    "is it a {quality} kind of pain?",
)
PATIENT = (
    "I've had a {sx} for {time} now.",
    "it started {time} ago.",
    "it started about {time} ago and it's been getting worse.",
    "it's been on and off for {time}.",
    "I've been getting {sx} and {sx2}.",
    "yeah, I've had a bit of a {sx} as well.",
    "no, no {sx}.",
    "not really, just the {sx}.",
    "I don't think so.",
    "no, nothing like that.",
    "yes, a little bit.",
    "it's mainly in my {part}.",
    "it's a {quality} pain in my {part}.",
    "it's sort of {quality}, and it goes into my {part}.",
    "I've been taking {drug} but it doesn't really help.",
    "I took some {drug} last night.",
    "I'm on {drug} for my {cond}.",
    "I take {drug} {dose} {freq}.",
    "I'm allergic to {drug}, it gives me a rash.",
    "no allergies that I know of.",
    "my {rel} had {cond}.",
    "my {rel} has {cond}, so I was a bit worried.",
    "I was diagnosed with {cond} a few years ago.",
    "I've been feeling really tired and my {part} has been sore.",
    "I couldn't go to {place} because of the {sx}.",
    "it's worse in the morning.",
    "it gets worse when I walk.",
    "I've been eating okay, but I've lost my appetite a bit.",
    "I've had some {sx} when I go to the toilet.",
    "I've noticed some {sx} on my {part}.",
    "I smoke about ten a day.",
    "I drink maybe a couple of glasses of wine at the weekend.",
    "I've been quite worried about it, to be honest.",
    "I've had {cond} before, and this feels similar.",
    "the {sx} kept me up last night.",
    "I feel a bit hot and cold.",
    "I've been coughing up some {sx}.",
    "it's really itchy.",
    "it hurts when I swallow.",
    "I get it mostly at night.",
)
FREQS = ("once a day", "twice a day", "three times a day", "four times a day", "at night", "in the morning", "when you need it")
DOSE_UNIT = {"milligrams": "mg", "micrograms": "mcg", "milliliters": "mL", "units": "units"}


def _turn(rng: random.Random) -> str:
    name, doses, unit = rng.choice(DRUGS)
    sx, sx2 = rng.sample(LAY_SYMPTOMS, 2)
    slots = {
        "sx": sx, "sx2": sx2, "part": rng.choice(BODY_PARTS), "time": rng.choice(TIMES), "quality": rng.choice(QUALITIES),
        "drug": name, "dose": f"{rng.choice(doses)} {DOSE_UNIT.get(unit, unit)}", "freq": rng.choice(FREQS),
        "days": rng.choice(("five days", "a week", "two weeks", "seven days")), "cond": rng.choice(CONDITIONS),
        "rel": rng.choice(RELATIVES), "place": rng.choice(PLACES),
    }
    frame = rng.choice(DOCTOR if rng.random() < 0.55 else PATIENT)
    body = frame.format(**slots)
    text = rng.choice(OPENERS) + body
    text = text[0].upper() + text[1:]
    if rng.random() < 0.2:  # two short turns run together, as a segment often holds
        more = rng.choice(PATIENT if frame in DOCTOR else DOCTOR).format(**slots)
        text = f"{text} {more[0].upper()}{more[1:]}"
    return text


def consultation_sentences(n: int, *, seed: int = 0, dev_frac: float = 0.1) -> list[Sentence]:
    """``n`` distinct consultation turns with a deterministic train/dev split (no test split:
    the conversation bench set is real consultations, never these)."""
    return distinct_sentences(n, _turn, seed=seed, prefix="con", split_of=lambda r: "dev" if r < dev_frac else "train")
