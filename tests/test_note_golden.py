"""The rules note of two fixed transcripts is exactly what it was recorded as.

The expected JSON (``tests/data/note_golden.json``) was written before issue 21's refactor
(at 18903e6) and rewritten once by issue 22, whose concise extractor changed the notes on
purpose (brief written statements, templates, evidence roles); the rules backend and the vocabulary are
deterministic, so any difference is a change in behaviour, not noise. Regenerate it only for
a change that is meant to alter notes: ``python tests/test_note_golden.py --write``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from test_note_rules import DICTATION  # the rules tests' dictation (pytest puts tests/ on sys.path)

GOLDEN = Path(__file__).parent / "data" / "note_golden.json"
TRANSCRIPTS = {
    "dictation": DICTATION,
    "conversation": (
        "Doctor: Hello, how can I help you today?\n"
        "Patient: I've had really bad diarrhoea and tummy pain for three days.\n"
        "Doctor: Have you had any fever?\n"
        "Patient: Yes, on the first day.\n"
        "Doctor: Do you take any regular medication?\n"
        "Patient: Just my salbutamol inhaler, and I'm allergic to amoxicillin.\n"
        "Doctor: I think this is most likely gastroenteritis.\n"
        "Doctor: Take paracetamol 1 gram four times a day and come back in five days if you are not better."
    ),
}


def notes() -> dict[str, dict]:
    from medasr.config import Settings
    from medasr.note import render, structure
    from medasr.note.io import parse_text

    settings = Settings.resolve({"note_backend": "rules"})
    return {name: json.loads(render(structure(parse_text(text, audio=f"{name}.txt"), settings), "json"))
            for name, text in TRANSCRIPTS.items()}


def test_rules_notes_match_the_recorded_ones() -> None:
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    got = notes()
    assert set(got) == set(expected)
    for name in expected:
        assert got[name] == expected[name], f"the {name} note changed"
    assert expected["dictation"]["medications"] and expected["conversation"]["medications"]  # not an empty record


if __name__ == "__main__" and "--write" in sys.argv:
    GOLDEN.write_text(json.dumps(notes(), indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}")
