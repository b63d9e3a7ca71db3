"""A small in-memory vocabulary with the real vocabulary's interface, for unit tests.

Terms map to real ICD-10-CM codes (checked against simple-icd-10-cm) and real DrugBank ids.
"""

from __future__ import annotations

from rapidfuzz import fuzz

from medasr.vocab.types import Candidate, Entry

DIAGNOSES = {
    "asthma": ("J45.909", "Unspecified asthma, uncomplicated"),
    "gastroenteritis": ("A09", "Infectious gastroenteritis and colitis, unspecified"),
    "migraine": ("G43.909", "Migraine, unspecified, not intractable, without status migrainosus"),
    "hypertension": ("I10", "Essential (primary) hypertension"),
    "type 2 diabetes": ("E11.9", "Type 2 diabetes mellitus without complications"),
    "urinary tract infection": ("N39.0", "Urinary tract infection, site not specified"),
    "community acquired pneumonia": ("J18.9", "Pneumonia, unspecified organism"),
    "pneumonia": ("J18.9", "Pneumonia, unspecified organism"),
    "eczema": ("L30.9", "Dermatitis, unspecified"),
}
DRUGS = {
    "amoxicillin": ("drugbank:DB01060", "Amoxicillin"),
    "paracetamol": ("drugbank:DB00316", "Acetaminophen"),
    "ibuprofen": ("drugbank:DB01050", "Ibuprofen"),
    "metformin": ("drugbank:DB00331", "Metformin"),
    "salbutamol": ("drugbank:DB01001", "Albuterol"),
    "sertraline": ("drugbank:DB01104", "Sertraline"),
}


class FakeVocabulary:
    def __init__(self) -> None:
        self.calls = 0

    def _link(self, table: dict[str, tuple[str, str]], text: str, kind: str) -> Candidate | None:
        self.calls += 1
        t = " ".join(text.lower().split())
        best = None
        for i, (term, (code, written)) in enumerate(sorted(table.items())):
            score = fuzz.ratio(t, term) / 100.0
            if score >= 0.9 and (best is None or score > best.score):
                codes = (f"icd10cm:{code}",) if kind == "diagnosis" else (code,)
                best = Candidate(Entry(i, written, kind, codes), score, "exact" if score == 1 else "spelling", term)
        return best

    def link_diagnosis(self, text: str) -> Candidate | None:
        return self._link(DIAGNOSES, text, "diagnosis")

    def link_drug(self, text: str) -> Candidate | None:
        return self._link(DRUGS, text, "drug")

    def icd10(self, code: str) -> str | None:
        import simple_icd_10_cm as cm

        return cm.get_description(code) if cm.is_valid_item(code) else None
