"""Sentence generation: written and spoken forms, term spans, held-out terms, determinism."""

from __future__ import annotations

import random

import pytest

from medasr.errors import ConfigError
from medasr.synth import templates as T
from fakes.synth_vocab import FakeVocabulary
from medasr.synth.text import SentenceGenerator, TermPools, is_heldout, term_key


@pytest.fixture(scope="module")
def pools() -> TermPools:
    return TermPools(FakeVocabulary(), seed=1, heldout_fraction=0.2)


def test_every_style_gives_written_and_spoken_forms_with_exact_term_spans(pools: TermPools) -> None:
    gen = SentenceGenerator(pools)
    rng = random.Random(0)
    for style in T.STYLES:
        for _ in range(30):
            s = gen.utterance(rng, style)
            assert s.style == style and s.text and s.spoken
            assert "{" not in s.text and "{" not in s.spoken
            for t in s.terms:
                assert s.text[t.start : t.end] == t.written
            # numbers are spoken as words in the TTS input
            assert not any(ch.isdigit() for ch in s.spoken.replace("HbA1c", "")), s.spoken


def test_prescription_keeps_abbreviated_written_form_and_expands_spoken_form(pools: TermPools) -> None:
    gen = SentenceGenerator(pools)
    rng = random.Random(5)
    seen = False
    for _ in range(200):
        s = gen.sentence(rng, "prescription")
        freqs = [t for t in s.terms if t.kind == "frequency" and t.written == "b.i.d."]
        if freqs:
            assert "b.i.d." in s.text
            assert "twice daily" in s.spoken or "B I D" in s.spoken
            assert "b.i.d." not in s.spoken
            seen = True
    assert seen


def test_terms_carry_codes_from_the_vocabulary(pools: TermPools) -> None:
    gen = SentenceGenerator(pools)
    rng = random.Random(2)
    kinds_with_codes = set()
    for _ in range(100):
        for t in gen.utterance(rng, "dictation").terms:
            if t.codes:
                kinds_with_codes.add(t.kind)
                if t.kind == "diagnosis":
                    assert t.codes[0].startswith("icd10cm:")
    assert "diagnosis" in kinds_with_codes and ({"drug", "brand"} & kinds_with_codes)


def test_rare_terms_are_covered_not_only_common_ones(pools: TermPools) -> None:
    """Walking a permutation: 300 sentences use every drug and diagnosis in the train pool."""
    gen = SentenceGenerator(pools)
    rng = random.Random(3)
    used: set[str] = set()
    for _ in range(300):
        used |= {term_key(t.written) for t in gen.utterance(rng, rng.choice(T.STYLES)).terms}
    vocab = FakeVocabulary()
    train_dx = {term_key(e.written) for e in vocab.entries("diagnosis")} - pools.heldout_keys
    assert train_dx <= used


def test_heldout_terms_never_in_train_sentences_and_always_in_heldout_ones(pools: TermPools) -> None:
    gen = SentenceGenerator(pools)
    rng = random.Random(4)
    assert pools.heldout_keys
    for _ in range(300):
        s = gen.utterance(rng, rng.choice(T.STYLES), heldout=False)
        assert not pools.leaks(s.text)
        assert not {term_key(t.written) for t in s.terms} & pools.heldout_keys
    for _ in range(100):
        s = gen.utterance(rng, rng.choice(T.STYLES), heldout=True)
        assert {term_key(t.written) for t in s.terms} & pools.heldout_keys


def test_heldout_choice_is_stable_and_independent_of_seed() -> None:
    a = TermPools(FakeVocabulary(), seed=1, heldout_fraction=0.2).heldout_keys
    b = TermPools(FakeVocabulary(), seed=99, heldout_fraction=0.2).heldout_keys
    assert a == b
    assert is_heldout("Metformin", 0.3) == is_heldout("metformin", 0.3)


def test_same_seed_same_sentences() -> None:
    def run(seed: int) -> list[str]:
        gen = SentenceGenerator(TermPools(FakeVocabulary(), seed=seed))
        rng = random.Random(seed)
        return [gen.utterance(rng, st).text for st in T.STYLES * 5]

    assert run(7) == run(7)
    assert run(7) != run(8)


def test_bad_settings_are_clear_errors() -> None:
    with pytest.raises(ConfigError, match="heldout_fraction"):
        TermPools(FakeVocabulary(), seed=0, heldout_fraction=0.9)
    gen = SentenceGenerator(TermPools(FakeVocabulary(), seed=0))
    with pytest.raises(ConfigError, match="unknown sentence style"):
        gen.sentence(random.Random(0), "poetry")


def test_importing_synth_loads_no_heavy_library() -> None:
    import subprocess
    import sys

    code = (
        "import sys, medasr.synth.run, medasr.cli.synth, medasr.synth.engines.neural\n"
        "heavy = [m for m in ('torch', 'transformers', 'gradio', 'onnxruntime', 'pyroomacoustics', 'faster_whisper', 'scipy') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""
