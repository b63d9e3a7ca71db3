"""`medasr note` as a user runs it: rules backend offline, formats, and clear input errors."""

from __future__ import annotations

import json
from pathlib import Path

from medasr.note.fhir import validate_fhir
from medasr.note.grounding import assert_grounded
from medasr.note.io import parse_text
from medasr.schema import Note, Segment, Transcript

CONV = (
    "Doctor: How can I help you today?\n"
    "Patient: I've had a bad headache on the left side of my head since this morning.\n"
    "Doctor: Any sensitivity to light?\n"
    "Patient: Yes, bright lights hurt.\n"
    "Doctor: Do you take any medication?\n"
    "Patient: I'm on sertraline 50 mg every morning.\n"
    "Doctor: I think this is a migraine. Take ibuprofen 400 mg three times a day with food.\n"
)


def test_note_text_conversation_all_formats(cli, tmp_path: Path) -> None:
    src = tmp_path / "consult.txt"
    src.write_text(CONV)
    tr = parse_text(CONV)
    r = cli("note", str(src), "-f", "json")
    assert r.returncode == 0, r.stderr.decode()
    note = Note.from_dict(json.loads(r.stdout))
    assert_grounded(note, tr)
    assert note.backend == "rules" and note.mode == "conversation"
    assert {m.name.lower() for m in note.medications} == {"sertraline", "ibuprofen"}
    assert any(p.icd10.startswith("G43") for p in note.problems)
    out = tmp_path / "note.fhir.json"
    r = cli("note", str(src), "-f", "fhir", "-o", str(out))
    assert r.returncode == 0 and "wrote" in r.stderr.decode()
    validate_fhir(json.loads(out.read_text()))
    r = cli("note", "-", "-f", "md", input=CONV.encode())
    assert r.returncode == 0 and b"## Chief complaint" in r.stdout


def test_note_from_transcript_json(cli, tmp_path: Path) -> None:
    tr = Transcript(segments=(
        Segment(0, 0.0, 3.0, " Patient reports chest pain for two hours.", speaker=None),
        Segment(1, 3.0, 6.0, " Plan: aspirin 300 mg now and refer to hospital.", speaker=None),
    ), audio="x.wav")
    src = tmp_path / "t.json"
    src.write_text(json.dumps(tr.to_dict()))
    r = cli("note", str(src), "-f", "json")
    assert r.returncode == 0, r.stderr.decode()
    note = Note.from_dict(json.loads(r.stdout))
    assert_grounded(note, tr)
    assert note.source == "x.wav" and [m.name.lower() for m in note.medications] == ["aspirin"]


def test_note_input_errors(cli, tmp_path: Path) -> None:
    cases = {
        "missing": (str(tmp_path / "nope.txt"), "does not exist"),
        "binary": (tmp_path / "b.txt", "not UTF-8"),
        "empty": (tmp_path / "e.txt", "empty"),
        "badjson": (tmp_path / "j.json", "not valid JSON"),
        "notatranscript": (tmp_path / "k.json", "not a medasr transcript"),
    }
    (tmp_path / "b.txt").write_bytes(b"\xff\xfe\x00\x81 cough")
    (tmp_path / "e.txt").write_text("  \n")
    (tmp_path / "j.json").write_text('{"segments": [')
    (tmp_path / "k.json").write_text('{"hello": 1}')
    for name, (path, msg) in cases.items():
        r = cli("note", str(path))
        err = r.stderr.decode()
        assert r.returncode != 0, name
        assert "medasr: error:" in err and msg in err and "Traceback" not in err, (name, err)
    r = cli("note", str(tmp_path / "e.txt"), "-b", "nonsense")
    assert r.returncode != 0 and "nonsense" in r.stderr.decode()
