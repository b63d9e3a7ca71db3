"""The rules backend on real consultation text (PriMock57-dev): grounded notes and the
evaluation's metrics, on a few consultations (the full run is `medasr bench notes`)."""

from __future__ import annotations

from pathlib import Path


from medasr.config import Settings
from medasr.bench.notes import run_notes
from medasr.bench.notes_metrics import highlight_recalled
from medasr.bench.notes_report import table, write_results
from medasr.note.grounding import assert_grounded
from medasr.bench.primock import clean, consultation_names, load_consultation


def test_loader_speakers_and_markup(primock_dir: Path, monkeypatch) -> None:
    monkeypatch.setenv("MEDASR_SHARED_DATA", str(primock_dir.parent))
    names = consultation_names()
    assert len(names) == 25
    c = load_consultation(names[0])
    speakers = {s.speaker for s in c.transcript.segments}
    assert speakers == {"doctor", "patient"}
    starts = [s.start for s in c.transcript.segments]
    assert starts == sorted(starts)
    assert not any("<" in s.text for s in c.transcript.segments)
    assert c.highlights and c.note
    assert clean('<UNSURE>Hello how</UNSURE> um <UNIN/> ok') == "Hello how um ok"


def test_highlight_matching() -> None:
    assert highlight_recalled("3/7 hx of diarrhea", ["I've had diarrhea for three days, a history of it"])
    assert highlight_recalled("Fever", ["I had a fever on the first day"])
    assert not highlight_recalled("LLQ pain", ["my right ear hurts"])  # abbreviation expanded, still absent
    assert highlight_recalled("photophobia", ["I have a headache"]) is False
    assert highlight_recalled("ankle odema bilaterally", ["both ankles are swollen, the swelling on the ankle"]) is True


def test_rules_on_primock_is_grounded_and_scored(primock_dir: Path, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MEDASR_SHARED_DATA", str(primock_dir.parent))
    names = consultation_names()[:3]
    res = run_notes(Settings.resolve(), "rules", names, split="all", progress=False)
    from medasr.note import structure
    from medasr.note.linking import load_linker
    from medasr.note.rules import RulesBackend

    backend = RulesBackend(load_linker(Settings.resolve()))
    for n in names:  # the invariant, independently of the evaluation's own count
        c = load_consultation(n)
        note = structure(c.transcript, Settings.resolve(), backend=backend)
        assert_grounded(note, c.transcript)
        assert note.mode == "conversation" and note.section("chief_complaint")
        roles = {e.role for i in note.all_items() for e in i.evidence}
        assert roles == {"clinician", "patient"}  # the doctor and patient tracks carry through
    s = res.summary
    assert s["consultations"] == 3 and s["failed"] == 0
    assert s["items_grounded"] == s["items"] > 0
    assert 0.0 < s["highlight_recall"] <= 1.0 and 0.0 < s["rougeL"] < 1.0
    js, md = write_results([res], tmp_path, "notes-test")
    assert js.is_file() and md.read_text() == table([res]) and "| rules | rules-v2 | all | 3/3 |" in md.read_text()
