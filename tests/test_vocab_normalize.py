"""Written <-> spoken normalizer (no vocabulary build needed)."""

from __future__ import annotations

import pytest

from medasr.vocab.normalize import number_to_words, ordinal_words, to_spoken, to_written


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("metformin 500 mg b.i.d.", "metformin five hundred milligrams twice daily"),
        ("HbA1c 7.2%", "H B A one C seven point two percent"),
        ("lisinopril 10mg PO daily", "lisinopril ten milligrams by mouth daily"),
        ("1 mg", "one milligram"),
        ("0.5 mg IV q4h PRN", "zero point five milligrams I V every four hours as needed"),
        ("Mucolipidosis IV", "Mucolipidosis four"),
        ("Factor VIII deficiency, stage II", "Factor eight deficiency, stage two"),
        ("start IV antibiotics", "start I V antibiotics"),
        ("Estrogen receptor positive status [ER+]", "Estrogen receptor positive status [ER+]"),
        ("BP 120/80", "blood pressure one hundred twenty over eighty"),
        ("seen on 2024-03-05", "seen on March fifth twenty twenty four"),
        ("insulin 1,000 units", "insulin one thousand units"),
        ("amoxicillin 1-2 g", "amoxicillin one to two grams"),
        ("the 3rd visit at 8:30", "the third visit at eight thirty"),
        ("Type 2 diabetes mellitus", "Type two diabetes mellitus"),
    ],
)
def test_to_spoken(written: str, spoken: str) -> None:
    assert to_spoken(written) == spoken


def test_to_spoken_leaves_ordinary_english_alone() -> None:
    # "bid", "ED" as English words, and plain prose, are not abbreviations to expand
    for text in ["We bid on the house.", "Printing, in the only sense with which we are at present concerned."]:
        assert to_spoken(text) == text


@pytest.mark.parametrize(
    ("spoken", "written"),
    [
        ("metformin five hundred milligrams twice daily", "metformin 500 mg twice daily"),
        ("H B A one C seven point two percent", "HbA1c 7.2%"),
        ("one milligram", "1 mg"),
        ("five hundred twenty five", "525"),
        ("insulin one thousand units", "insulin 1000 units"),
    ],
)
def test_to_written(spoken: str, written: str) -> None:
    assert to_written(spoken) == written


@pytest.mark.parametrize("dose", ["5 mg", "12.5 mg", "250 mcg", "40 units", "2 g", "100 mL"])
def test_round_trip_doses(dose: str) -> None:
    assert to_written(to_spoken(dose)) == dose.replace("mL", "mL")


def test_number_words() -> None:
    assert number_to_words(0) == "zero"
    assert number_to_words(115) == "one hundred fifteen"
    assert number_to_words(2024) == "two thousand twenty four"
    assert number_to_words(1_000_001) == "one million one"
    assert ordinal_words(21) == "twenty first"
    assert ordinal_words(12) == "twelfth"


@pytest.mark.parametrize(
    "written, spoken",
    [
        ("troponin 14 ng/L", "troponin fourteen nanograms per liter"),
        ("eGFR 60 mL/min", "E G F R sixty milliliters per minute"),
        ("Hb 13.5 g/dL", "Hb thirteen point five grams per deciliter"),
        ("HbA1c 48 mmol/mol", "H B A one C forty eight millimoles per mole"),
        ("TSH 2.1 mIU/L", "T S H two point one milliunits per liter"),
    ],
)
def test_lab_units_spoken_and_back(written: str, spoken: str):
    assert to_spoken(written) == spoken
    assert to_written(spoken) == written
