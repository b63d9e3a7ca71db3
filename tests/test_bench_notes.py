"""``medasr bench notes``: the metrics on hand-made notes, the fixed split, and the command on
two real PriMock57 consultations with the rules backend."""

from __future__ import annotations

import json
from pathlib import Path

from medasr.bench.notes import split_names, summarize, NoteCase
from medasr.bench.notes_metrics import VerbatimIndex, case_metrics, item_texts, rouge
from medasr.note.io import parse_text
from medasr.schema import Evidence, Medication, Note, NoteItem

TR = parse_text(
    "Patient: Um, I've had diarrhoea for the last three days and it's been really affecting my work.\n"
    "Doctor: Any blood in it?\n"
    "Patient: No."
)


def test_rouge_is_stemmed_f1() -> None:
    r = rouge("Diarrhoea for 3 days, watery", "3/7 hx of diarrhoea, mainly watery")
    assert 0 < r["rougeL"] <= r["rouge1"] < 1
    assert rouge("coughing", "cough")["rouge1"] == 1.0  # stemmed


def test_verbatim_means_a_sentence_copied_whole() -> None:
    idx = VerbatimIndex(TR)
    assert idx.is_verbatim("I've had diarrhoea for the last three days and it's been really affecting my work.")
    assert idx.is_verbatim("I've had diarrhoea for the last three days and it's been really affecting")  # most of it
    assert not idx.is_verbatim("Diarrhoea for 3 days")
    assert not idx.is_verbatim("No.")  # too short to count unless a whole sentence of 3+ words


def test_note_text_excludes_evidence_and_patient_instructions() -> None:
    ev = (Evidence(0, 0, 10, "Um, I've h", role="patient"),)
    note = Note(sections={"chief_complaint": (NoteItem("Diarrhoea for 3 days", ev, category="complaint"),),
                          "patient_instructions": (NoteItem("Drink plenty of fluids", ev, category="instruction"),)},
                medications=(Medication("loperamide", evidence=ev),), template="soap")
    assert item_texts(note) == ["Diarrhoea for 3 days", "loperamide"]
    m = case_metrics(note, TR, "3/7 hx of diarrhoea. No blood.", ("3/7 hx of diarrhea", "No blood"))
    assert m["note_words"] == 5 and m["ref_words"] == 6 and m["length_ratio"] == round(5 / 6, 3)
    assert m["highlights_recalled"] == 1 and m["missed"] == ["No blood"] and m["verbatim_items"] == 0


def test_split_is_fixed_and_disjoint() -> None:
    names = [f"day{d}_consultation{i:02d}" for d, n in ((1, 15), (2, 10)) for i in range(1, n + 1)]
    tune, held = split_names("tuning", names[::-1]), split_names("heldout", names)
    assert len(tune) == 13 and len(held) == 12 and not set(tune) & set(held)
    assert tune[:2] == ["day1_consultation01", "day1_consultation03"] and held[0] == "day1_consultation02"
    assert sorted(tune + held) == split_names("all", names)


def test_summary_percentiles_and_rates() -> None:
    cases = [NoteCase(str(i), float(s), {"rougeL": 0.1 * i, "rouge1": 0.2, "length_ratio": 1.0, "items": 10, "verbatim_items": 1,
                                        "highlights": 4, "highlights_recalled": 3}, {"proposed": 12, "dropped": 2, "negation_errors": 1},
                      {"prompt_tokens": 1000, "prompt_s": 20.0, "completion_tokens": 100, "gen_s": 10.0}, 10, 0)
             for i, s in enumerate([10, 20, 30, 40, 100])]
    s = summarize(cases + [NoteCase("bad", 5.0, error="boom")])
    assert s["failed"] == 1 and s["consultations"] == 6
    assert s["rougeL"] == 0.2 and s["verbatim_share"] == 0.1 and s["highlight_recall"] == 0.75
    assert s["dropped_by_checks"] == 10 and s["negation_errors"] == 5 and s["items_grounded"] == 50
    assert s["prompt_tok_s"] == 50.0 and s["gen_tok_s"] == 10.0 and s["seconds_p50"] == 25.0  # failed cases count for time


def test_bench_notes_command_on_two_consultations(primock_dir: Path, monkeypatch, cli, tmp_path: Path) -> None:
    env = {"MEDASR_SHARED_DATA": str(primock_dir.parent)}
    r = cli("bench", "notes", "-b", "rules", "--split", "heldout", "--limit", "2", "--out-dir", str(tmp_path), "--stem", "t", env=env)
    assert r.returncode == 0, r.stderr.decode()[-2000:]
    data = json.loads((tmp_path / "t.json").read_text())
    assert data[0]["backend"] == "rules" and data[0]["split"] == "heldout" and len(data[0]["cases"]) == 2
    s = data[0]["summary"]
    assert s["failed"] == 0 and s["items_grounded"] == s["items"] > 0
    assert s["length_ratio"] <= 2.0 and s["verbatim_share"] <= 0.3
    assert (tmp_path / "t.png").stat().st_size > 1000 and "| rules | rules-v2 | heldout | 2/2 |" in (tmp_path / "t.md").read_text()
    r = cli("bench", "notes", "--include", str(tmp_path / "t.json"), "--out-dir", str(tmp_path), "--stem", "u", env=env)
    assert r.returncode == 0 and (tmp_path / "u.md").read_text() == (tmp_path / "t.md").read_text()


def test_runs_on_two_splits_combine_into_one() -> None:
    from medasr.bench.notes import NoteRun, combine

    case = lambda i: NoteCase(f"c{i}", 1.0, {"rougeL": 0.2, "items": 2, "verbatim_items": 0, "highlights": 1, "highlights_recalled": 1}, {}, {}, 2, 0)  # noqa: E731
    a = NoteRun("rules", "rules-v2", "tuning", tuple(case(i) for i in range(13)), {})
    b = NoteRun("rules", "rules-v2", "heldout", tuple(case(i) for i in range(13, 25)), {})
    (both,) = combine([a, b])
    assert both.split == "all" and both.summary["consultations"] == 25 and both.summary["highlight_recall"] == 1.0
    import pytest

    with pytest.raises(ValueError, match="share consultations"):
        combine([a, a])
