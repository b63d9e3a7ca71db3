"""Safety cases for every note backend: a denied symptom, a drug only asked about, a
hypothesis, a relative's illness, and a dose the patient said beside the dose prescribed.

The rules backend and a scripted model that takes every trap run in the default suite;
the real local model (Qwen2.5-Coder-0.5B, CTranslate2 int8) and the OpenAI-compatible
backend against llama.cpp's own HTTP server (the same weights, in-process) run here too
(well under a minute each on 2 cores); the 1.5B model is marked slow."""

from __future__ import annotations

import pytest
from fakes.note_chat import ScriptedChat
from note_cases import HALLUCINATED, as_json, paracetamol_entries, safety_transcript, unsafe_findings

from medasr.config import Settings
from medasr.note import get_backend, structure
from medasr.note.grounding import assert_grounded
from medasr.note.linking import Linker, load_linker
from medasr.note.llm import LLMBackend
from medasr.note.rules import RulesBackend
from medasr.note.prompts import STYLES


@pytest.fixture(scope="module")
def linker() -> Linker:
    return load_linker(Settings.resolve())


def _check_safe(note, tr) -> None:  # type: ignore[no-untyped-def]
    assert unsafe_findings(note) == []
    assert_grounded(note, tr)
    para = paracetamol_entries(note)
    if "active" in para:  # the patient's own dose, from the patient's words
        assert {e.role for e in para["active"].evidence} == {"patient"}
    if "planned" in para:
        assert {e.role for e in para["planned"].evidence} == {"clinician"}


def test_rules_backend_is_safe(linker: Linker) -> None:
    tr = safety_transcript()
    note = structure(tr, Settings.resolve(), backend=RulesBackend(linker))
    _check_safe(note, tr)
    para = paracetamol_entries(note)
    assert (para["active"].dose, para["active"].unit) == ("500", "mg")
    assert (para["planned"].dose, para["planned"].unit, para["planned"].frequency) == ("1", "g", "four times a day")
    texts = [i.text for v in note.sections.values() for i in v]
    assert "No chest pain" in texts and "Mother: diabetes" in texts
    assert any("exclude meningitis" in t.lower() for t in texts)  # kept as a hypothesis, flagged
    assert not [p for p in note.problems if "meningitis" in p.text.lower()]


@pytest.mark.parametrize("style", STYLES)
def test_checks_remove_every_trap_a_model_takes(linker: Linker, style: str) -> None:
    tr = safety_transcript()
    chat = ScriptedChat([as_json(HALLUCINATED)])
    note = structure(tr, Settings.resolve(), backend=LLMBackend(chat, linker, style=style))
    _check_safe(note, tr)
    g = note.grounding
    assert g["negation_errors"] >= 1  # "Chest pain" from "Any chest pain?" "No."
    assert g["family"] >= 1  # the mother's diabetes as the patient's
    assert g["hypotheses"] >= 1  # meningitis, to be ruled out
    assert g["numbers"] >= 1  # a dose nobody said on that line
    texts = [i.text for v in note.sections.values() for i in v]
    assert "Viral sore throat" in texts and "Mother: diabetes" in texts  # what was right stays
    assert "Chest clear on auscultation" not in texts  # cited a line that does not exist
    assert not any("Amoxicillin" in t for t in texts)


def _local_settings(model: str, runtime: str) -> Settings:
    if runtime == "ct2":
        pytest.importorskip("ctranslate2")
        pytest.importorskip("transformers")
    else:
        pytest.importorskip("xllamacpp")
    from medasr.store.llm import bundled

    spec = bundled(model)
    assert spec is not None
    pytest.importorskip(spec.packages[0])
    return Settings.resolve({"note_backend": "local", "llm_model": model, "llm_runtime": runtime})


@pytest.mark.parametrize("runtime", ["llamacpp", "ct2"])
def test_local_model_is_safe(linker: Linker, runtime: str) -> None:
    """The default local model (0.5B) on both runtimes: llama.cpp (the default) and CTranslate2."""
    settings = _local_settings("0.5b", runtime)
    backend = get_backend("local", settings, linker=linker)
    tr = safety_transcript()
    note = structure(tr, settings, backend=backend)
    _check_safe(note, tr)
    assert note.backend == "local" and note.model == "qwen2.5-coder-0.5b-instruct"
    assert backend.last_usage["calls"] >= 1 and backend.last_usage["completion_tokens"] > 0
    assert note.grounding["proposed"] >= 1
    from medasr.note import ct2_llm, llamacpp

    cache = llamacpp._SERVERS if runtime == "llamacpp" else ct2_llm._GENERATORS
    loaded = dict(cache)
    again = get_backend("local", settings, linker=linker)  # a second caller in the process (server, UI, batch)
    if runtime == "llamacpp":
        assert llamacpp.load_server(again.client.key) is loaded[again.client.key]
    else:
        again.client.chat([{"role": "user", "content": "Say OK."}], {})
    assert cache == loaded and len(loaded) == 1  # the model was loaded once


def test_openai_backend_against_llamacpp_server_is_safe(linker: Linker) -> None:
    """The same GGUF behind llama.cpp's OpenAI-compatible HTTP API, through the openai backend."""
    pytest.importorskip("xllamacpp")
    settings = Settings.resolve({"note_backend": "local", "llm_model": "0.5b", "llm_runtime": "llamacpp"})
    local = get_backend("local", settings, linker=linker)
    url = local.client.url
    assert url.startswith("http://127.0.0.1:")
    s = Settings.resolve({"note_backend": "openai", "llm_url": url, "llm_model": "qwen", "llm_timeout": 300})
    backend = get_backend("openai", s, linker=linker)
    tr = safety_transcript()
    note = structure(tr, s, backend=backend)
    _check_safe(note, tr)
    assert note.backend == "openai" and backend.last_usage["calls"] >= 1


@pytest.mark.slow
def test_larger_local_model_is_safe(linker: Linker) -> None:
    settings = _local_settings("1.5b", "ct2")
    tr = safety_transcript()
    note = structure(tr, settings, backend=get_backend("local", settings, linker=linker))
    _check_safe(note, tr)
    assert note.model == "qwen2.5-coder-1.5b-instruct"
