"""A small in-memory vocabulary with the shape of ``medasr.vocab.Vocabulary`` (``entries(kind)``),
for unit tests of the sentence generator and the corpus machinery. ``medasr synth`` itself
always uses the real vocabulary."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class FakeEntry:
    id: int
    written: str
    kind: str
    codes: tuple[str, ...] = ()
    spoken: tuple[str, ...] = ()
    source: str = "fake"


_DRUGS = (
    "metformin lisinopril atorvastatin amoxicillin omeprazole sertraline apixaban levothyroxine ramipril salbutamol "
    "amlodipine warfarin furosemide prednisolone doxycycline clopidogrel bisoprolol gabapentin citalopram tramadol "
    "simvastatin losartan naproxen cetirizine fluoxetine mirtazapine nitrofurantoin tamsulosin"
).split()
_BRANDS = ("Glucophage", "Lipitor", "Zoloft", "Eliquis", "Synthroid", "Ventolin", "Norvasc", "Lasix")
_DIAGNOSES = (
    "Type 2 diabetes mellitus without complications", "Essential (primary) hypertension", "Asthma",
    "Gastro-esophageal reflux disease", "Hypothyroidism", "Atrial fibrillation", "Pneumonia", "Migraine", "Gout",
    "Osteoarthritis of knee", "Iron deficiency anemia", "Acute bronchitis", "Cellulitis", "Urinary tract infection",
    "Major depressive disorder", "Chronic kidney disease", "Psoriasis", "Sciatica", "Anaphylaxis", "Cholelithiasis",
)
_SYMPTOMS = ("chest pain", "dyspnea", "palpitations", "nausea", "fatigue", "headache", "cough", "dizziness", "syncope", "pruritus")
_PROCEDURES = ("colonoscopy", "endoscopy", "echocardiogram", "spirometry", "appendectomy", "cholecystectomy", "ultrasound")
_ANATOMY = ("abdomen", "thorax", "femur", "pancreas", "thyroid", "duodenum", "sternum")
_SPOKEN = {
    "b.i.d.": ("twice daily", "B I D"), "t.i.d.": ("three times daily",), "PRN": ("as needed",), "q.d.": ("once daily",),
    "PO": ("by mouth",), "IV": ("intravenously",), "HbA1c": ("H B A one C",), "INR": ("I N R",),
}


class FakeVocabulary:
    def __init__(self) -> None:
        rows: list[FakeEntry] = []

        def add(written: str, kind: str, codes: tuple[str, ...] = ()) -> None:
            rows.append(FakeEntry(len(rows) + 1, written, kind, codes, _SPOKEN.get(written, (written,))))

        for i, w in enumerate(_DRUGS):
            add(w, "drug", (f"drugbank:DB{i:05d}",) + ((f"medlineplus:a{i:06d}",) if i % 2 else ()))
        for w in _BRANDS:
            add(w, "brand", ("generic:x",))
        for i, w in enumerate(_DIAGNOSES):
            add(w, "diagnosis", (f"icd10cm:Z{i:02d}.0",))
        for w in _SYMPTOMS:
            add(w, "symptom")
        for w in _PROCEDURES:
            add(w, "procedure")
        for w in _ANATOMY:
            add(w, "anatomy")
        for w in ("b.i.d.", "t.i.d.", "PRN", "q.d."):
            add(w, "frequency")
        for w in ("PO", "IV"):
            add(w, "route")
        for w in ("HbA1c", "INR"):
            add(w, "lab", ("loinc:x",))
        self._rows = rows

    def entries(self, kind: str | None = None) -> Iterator[FakeEntry]:
        return iter([e for e in self._rows if kind is None or e.kind == kind])
