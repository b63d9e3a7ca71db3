"""Sentence templates by style, and the small fixed lists that fill non-vocabulary slots.

Slots in braces are filled by ``medasr.synth.text``: vocabulary terms ({drug}, {drug2}, {dx},
{dx2}, {sx}, {proc}, {anat}, {route}, {freq}) and generated values ({dose}, {dur}, {age},
{sex}, {lab_result}, {doctor}, {n}, {weeks}). Templates are written in the clinical register
of dictation, prescriptions, lab reports, referral letters and GP consultations (the style of
primary-care talk was studied, not copied: none of these lines comes from a transcript).
Only units, numbers and abbreviations that ``medasr.vocab.normalize.to_spoken`` speaks are used.
"""

from __future__ import annotations

STYLES: tuple[str, ...] = ("dictation", "prescription", "lab", "procedure", "referral", "conversation")

TEMPLATES: dict[str, tuple[str, ...]] = {
    "dictation": (
        "History of present illness: a {age} year old {sex} presenting with {sx} for {n} days.",
        "The patient is a {age} year old {sex} with a past medical history of {dx} and {dx2}.",
        "She reports {sx} over the last {weeks} weeks, worse at night.",
        "He describes {sx} since the weekend, with no relieving factors.",
        "On examination the {anat} was tender, no masses were palpated.",
        "Examination of the {anat} was unremarkable.",
        "Assessment: {dx}.",
        "Assessment and plan: {dx}, start {drug} {dose} {route} {freq}.",
        "Impression is {dx}, differential includes {dx2}.",
        "Plan: continue {drug} and review in {weeks} weeks.",
        "Known {dx}, currently managed with {drug} {dose} {freq}.",
        "Past medical history is significant for {dx}.",
        "Current medications include {drug} {dose} {freq} and {drug2}.",
        "Allergies: {drug}, causes a rash.",
        "Plan is to stop {drug} and switch to {drug2} {dose} {freq}.",
        "Working diagnosis {dx}; we will arrange {proc}.",
    ),
    "prescription": (
        "{drug} {dose} {route} {freq} {dur}.",
        "Prescribe {drug} {dose} {route} {freq} {dur}.",
        "Start {drug} {dose} {freq} {dur}.",
        "Take {drug} {dose} {route} {freq}.",
        "Increase {drug} to {dose} {freq}.",
        "Reduce {drug} to {dose} {route} {freq} {dur}.",
        "Rx: {drug} {dose} {route} {freq}, dispense {n} tablets.",
        "Continue {drug} {dose} {freq} and add {drug2} {dose2} {freq2}.",
        "{drug} {dose} {route} {freq} for {dx}.",
    ),
    "lab": (
        "Labs today: {lab_result}.",
        "Bloods show {lab_result} and {lab_result2}.",
        "Results: {lab_result}, {lab_result2}.",
        "Repeat {lab_name} in {weeks} weeks; last {lab_result}.",
        "{lab_result}, in keeping with {dx}.",
        "Latest {lab_result} on {drug}.",
    ),
    "procedure": (
        "{proc} was performed under local anaesthetic without complication.",
        "Scheduled for {proc} next week.",
        "Indication for {proc}: {dx}.",
        "Findings at {proc} were consistent with {dx}.",
        "The patient tolerated the {proc} well.",
        "Booked for {proc} of the {anat}.",
        "Post-procedure plan after {proc}: {drug} {dose} {freq} {dur}.",
    ),
    "referral": (
        "Dear Dr. {doctor}, thank you for seeing this {age} year old {sex} with {dx}.",
        "I would be grateful for your opinion regarding {dx}.",
        "I am referring this patient for {proc} given ongoing {sx}.",
        "She has been on {drug} {dose} {freq} with little improvement.",
        "He was started on {drug} by his GP {weeks} weeks ago.",
        "Background includes {dx} and {dx2}.",
        "Many thanks for your help with this {sex}, yours sincerely, Dr. {doctor}.",
    ),
    "conversation": (
        "Okay, and how long have you had the {sx}?",
        "Um, it started about {n} days ago, and it's been getting worse.",
        "Are you taking anything for it at the moment, like {drug}?",
        "Yeah, I take {drug} {dose} {freq}.",
        "Have you ever been told you have {dx}?",
        "My mum had {dx}, so I was a bit worried.",
        "Any allergies to medications? Yes, {drug}, it gives me a rash.",
        "Right, I think this could be {dx}, so I'd like to start you on {drug}.",
        "I'm going to prescribe {drug} {dose}, {freq}, {dur}.",
        "Do you get any {sx} as well?",
        "No, nothing like that. Just the {sx}, really.",
        "We'll do some bloods and maybe arrange {proc}, and I'll see you in {weeks} weeks.",
        "Okay, so have you had any {sx} or {sx2}?",
    ),
}

# generated values: (written, to be spoken by to_spoken)
DOSES: tuple[tuple[str, str], ...] = (
    ("mg", "1 2.5 5 10 20 25 40 50 75 100 125 150 200 250 300 400 500 600 750 800 1000"),
    ("mcg", "25 50 75 100 125 200 250 400"),
    ("g", "1 2"),
    ("units", "4 6 8 10 12 14 16 20 24 30"),
    ("mL", "5 10 15 20"),
)
DOSE_WEIGHTS: tuple[float, ...] = (0.7, 0.1, 0.07, 0.07, 0.06)
DURATIONS: tuple[str, ...] = (
    "for 3 days", "for 5 days", "for 7 days", "for 10 days", "for 14 days", "for 2 weeks",
    "for 4 weeks", "for 6 weeks", "for 3 months", "for 6 months", "until review", "long term",
)
SEXES: tuple[str, ...] = ("man", "woman", "gentleman", "lady")
DOCTORS: tuple[str, ...] = (
    "Okafor", "Patel", "Nguyen", "Schmidt", "Kowalski", "Haddad", "Fitzgerald", "Moreau",
    "Tanaka", "Olsen", "Rahman", "Costa", "Murphy", "Abara", "Lindqvist", "Chen",
)
# lab name -> (unit or "", low, high, decimals); names are looked up in the vocabulary (kind lab)
LABS: dict[str, tuple[str, float, float, int]] = {
    "HbA1c": ("%", 5.0, 11.5, 1),
    "sodium": ("mmol/L", 124, 150, 0),
    "potassium": ("mmol/L", 2.9, 6.2, 1),
    "creatinine": ("mg/dL", 0.5, 3.5, 1),
    "eGFR": ("", 15, 110, 0),
    "INR": ("", 0.9, 4.5, 1),
    "WBC": ("", 2.5, 22.0, 1),
    "Hgb": ("", 7.0, 17.5, 1),
    "SpO2": ("%", 86, 99, 0),
    "TSH": ("", 0.1, 9.5, 1),
    "BMI": ("", 17, 45, 1),
    "glucose": ("mmol/L", 3.2, 19.0, 1),
    "troponin": ("", 3, 450, 0),
    "PSA": ("", 0.2, 15.0, 1),
}
# fallbacks when the vocabulary lacks a kind (a small test vocabulary, say)
ROUTES: tuple[str, ...] = ("PO", "IV", "IM", "SC", "topically", "inhaled")
FREQUENCIES: tuple[str, ...] = ("b.i.d.", "t.i.d.", "q.i.d.", "q.d.", "PRN", "at bedtime", "once daily", "twice daily", "weekly")
