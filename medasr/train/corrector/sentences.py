"""Clinical dictation sentences (written form) for corrector training when no synth corpus exists.

The synth corpus (``medasr synth``) is the preferred source of (audio, text) items;
this generator is a self-contained fallback so the corrector's pairs can be rebuilt anywhere.
Sentences are deterministic for a given seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from medasr.correction.bart.terms import CONDITIONS

# (name, typical doses, unit) for drugs common in primary care.
DRUGS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("metformin", ("500", "850", "1000"), "milligrams"),
    ("lisinopril", ("5", "10", "20"), "milligrams"),
    ("amlodipine", ("5", "10"), "milligrams"),
    ("atorvastatin", ("10", "20", "40", "80"), "milligrams"),
    ("simvastatin", ("20", "40"), "milligrams"),
    ("omeprazole", ("20", "40"), "milligrams"),
    ("lansoprazole", ("15", "30"), "milligrams"),
    ("sertraline", ("50", "100"), "milligrams"),
    ("citalopram", ("10", "20"), "milligrams"),
    ("fluoxetine", ("20", "40"), "milligrams"),
    ("amitriptyline", ("10", "25"), "milligrams"),
    ("levothyroxine", ("25", "50", "100"), "micrograms"),
    ("ramipril", ("2.5", "5", "10"), "milligrams"),
    ("bisoprolol", ("1.25", "2.5", "5"), "milligrams"),
    ("furosemide", ("20", "40"), "milligrams"),
    ("bendroflumethiazide", ("2.5",), "milligrams"),
    ("losartan", ("25", "50", "100"), "milligrams"),
    ("warfarin", ("1", "3", "5"), "milligrams"),
    ("apixaban", ("2.5", "5"), "milligrams"),
    ("rivaroxaban", ("15", "20"), "milligrams"),
    ("clopidogrel", ("75",), "milligrams"),
    ("aspirin", ("75", "300"), "milligrams"),
    ("paracetamol", ("500", "1000"), "milligrams"),
    ("ibuprofen", ("200", "400"), "milligrams"),
    ("naproxen", ("250", "500"), "milligrams"),
    ("codeine", ("15", "30"), "milligrams"),
    ("tramadol", ("50", "100"), "milligrams"),
    ("morphine", ("5", "10"), "milligrams"),
    ("gabapentin", ("300", "600"), "milligrams"),
    ("pregabalin", ("75", "150"), "milligrams"),
    ("prednisolone", ("5", "30", "40"), "milligrams"),
    ("amoxicillin", ("250", "500"), "milligrams"),
    ("doxycycline", ("100",), "milligrams"),
    ("clarithromycin", ("250", "500"), "milligrams"),
    ("nitrofurantoin", ("50", "100"), "milligrams"),
    ("trimethoprim", ("100", "200"), "milligrams"),
    ("flucloxacillin", ("500",), "milligrams"),
    ("ciprofloxacin", ("250", "500"), "milligrams"),
    ("salbutamol", ("100",), "micrograms"),
    ("beclometasone", ("100", "200"), "micrograms"),
    ("montelukast", ("10",), "milligrams"),
    ("cetirizine", ("10",), "milligrams"),
    ("loratadine", ("10",), "milligrams"),
    ("insulin glargine", ("10", "20"), "units"),
    ("gliclazide", ("40", "80"), "milligrams"),
    ("sitagliptin", ("50", "100"), "milligrams"),
    ("empagliflozin", ("10", "25"), "milligrams"),
    ("dapagliflozin", ("10",), "milligrams"),
    ("allopurinol", ("100", "300"), "milligrams"),
    ("colchicine", ("500",), "micrograms"),
    ("tamsulosin", ("400",), "micrograms"),
    ("finasteride", ("5",), "milligrams"),
    ("mirtazapine", ("15", "30"), "milligrams"),
    ("venlafaxine", ("75", "150"), "milligrams"),
    ("quetiapine", ("25", "50"), "milligrams"),
    ("diazepam", ("2", "5"), "milligrams"),
    ("zopiclone", ("3.75", "7.5"), "milligrams"),
    ("propranolol", ("10", "40"), "milligrams"),
    ("hydroxychloroquine", ("200",), "milligrams"),
    ("methotrexate", ("7.5", "10"), "milligrams"),
    ("folic acid", ("5",), "milligrams"),
    ("ferrous sulfate", ("200",), "milligrams"),
    ("doxazosin", ("1", "2", "4"), "milligrams"),
    ("spironolactone", ("25", "50"), "milligrams"),
    ("digoxin", ("62.5", "125"), "micrograms"),
    ("metoclopramide", ("10",), "milligrams"),
    ("ondansetron", ("4", "8"), "milligrams"),
    ("loperamide", ("2",), "milligrams"),
    ("lactulose", ("10", "15"), "milliliters"),
    ("senna", ("7.5", "15"), "milligrams"),
    ("hydrocortisone", ("10", "20"), "milligrams"),
    ("fexofenadine", ("120", "180"), "milligrams"),
    ("candesartan", ("4", "8", "16"), "milligrams"),
    ("indapamide", ("1.5", "2.5"), "milligrams"),
    ("rosuvastatin", ("5", "10", "20"), "milligrams"),
    ("ezetimibe", ("10",), "milligrams"),
    ("alendronic acid", ("70",), "milligrams"),
    ("azithromycin", ("250", "500"), "milligrams"),
    ("cefalexin", ("250", "500"), "milligrams"),
    ("metronidazole", ("400",), "milligrams"),
)

FREQS = ("once daily", "twice daily", "three times a day", "four times a day", "at night",
         "in the morning", "as required", "every eight hours", "once weekly")
ROUTES = ("orally", "by mouth", "subcutaneously", "intravenously", "inhaled", "topically")
SYMPTOMS = ("chest pain", "shortness of breath", "a productive cough", "headaches", "dizziness",
            "abdominal pain", "nausea and vomiting", "back pain", "fatigue", "palpitations",
            "a sore throat", "a rash on her arm", "joint pain", "a fever", "swollen ankles")
NUM_WORDS = ("two", "three", "four", "five", "six", "seven", "ten", "twelve")


@dataclass(frozen=True)
class Sentence:
    id: str
    text: str  # written form (digits, drug and condition names spelled correctly)
    split: str  # train | dev | test


def _fill(rng: random.Random) -> str:
    name, doses, unit = rng.choice(DRUGS)
    name2, doses2, unit2 = rng.choice(DRUGS)
    dose, dose2 = rng.choice(doses), rng.choice(doses2)
    cond, cond2 = rng.choice(CONDITIONS), rng.choice(CONDITIONS)
    freq, route, sym = rng.choice(FREQS), rng.choice(ROUTES), rng.choice(SYMPTOMS)
    n = rng.choice(NUM_WORDS)
    who = rng.choice(("He", "She", "The patient"))
    templates = (
        f"Start {name} {dose} {unit} {freq}.",
        f"{who} has a history of {cond} and takes {name} {dose} {unit} {freq}.",
        f"Increase {name} to {dose} {unit} {freq} and review in {n} weeks.",
        f"Diagnosis is {cond}. Plan {name} {dose} {unit} {route} {freq}.",
        f"{who} presents with {sym} for {n} days, likely {cond}.",
        f"Continue {name} {dose} {unit} and stop {name2}.",
        f"Past medical history includes {cond} and {cond2}.",
        f"Current medications are {name} {dose} {unit} and {name2} {dose2} {unit2}.",
        f"Blood pressure is {rng.randint(100, 180)} over {rng.randint(60, 100)}, heart rate {rng.randint(50, 110)}.",
        f"{who} reports {sym} since starting {name}.",
        f"Prescribe {name} {dose} {unit} {freq} for {n} days.",
        f"Impression {cond}, differential includes {cond2}.",
        f"{who} is allergic to {name} and was switched to {name2}.",
        f"Temperature {rng.randint(36, 39)}.{rng.randint(0, 9)} degrees, oxygen saturation {rng.randint(90, 99)} percent on room air.",
        f"We discussed {cond} and agreed to try {name} {freq}.",
    )
    return rng.choice(templates)


def distinct_sentences(n: int, fill, *, seed: int, prefix: str, split_of) -> list[Sentence]:
    """``n`` distinct texts from ``fill(rng)``, each given the split ``split_of(r)`` for a uniform draw ``r``."""
    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[Sentence] = []
    tries = 0
    while len(out) < n and tries < n * 20:
        tries += 1
        text = fill(rng)
        if text in seen:
            continue
        seen.add(text)
        out.append(Sentence(id=f"{prefix}{seed}-{len(out):05d}", text=text, split=split_of(rng.random())))
    return out


def clinical_sentences(n: int, *, seed: int = 0, dev_frac: float = 0.1, test_frac: float = 0.15) -> list[Sentence]:
    """``n`` distinct sentences with a deterministic train/dev/test split."""
    return distinct_sentences(n, _fill, seed=seed, prefix="gen", split_of=lambda r: "test" if r < test_frac
                              else "dev" if r < test_frac + dev_frac else "train")
