"""Consultation turns for the corrector: deterministic, varied, spoken by training voices only."""

from __future__ import annotations

import random
import shutil

import pytest

from medasr.train.corrector.consultation import LAY_SYMPTOMS, consultation_sentences


def test_turns_are_deterministic_distinct_and_never_test():
    a = consultation_sentences(400, seed=3)
    b = consultation_sentences(400, seed=3)
    assert [s.text for s in a] == [s.text for s in b]
    assert len({s.text for s in a}) == 400
    assert {s.split for s in a} == {"train", "dev"}  # the conversation bench is real speech, never these
    dev = sum(s.split == "dev" for s in a)
    assert 15 <= dev <= 80
    assert [s.text for s in consultation_sentences(50, seed=4)] != [s.text for s in a[:50]]
    # questions and answers, with everyday symptom words
    assert sum(s.text.endswith("?") for s in a) > 80
    assert sum(any(sx in s.text for sx in ("fever", "cough", "urine", "itchy", "rash")) for s in a) > 20
    assert all(s.text[0].isupper() and "{" not in s.text for s in a)


def test_consultation_text_joins_the_identity_and_noise_pool():
    from medasr.correction.bart.format import pruned_tokenizer_json
    from medasr.train.corrector.pairs import Pair
    from medasr.train.corrector.data import DataMix, build_examples, common_words

    pairs = [Pair("met for men 500 milligrams", "Metformin 500 mg.", "asr:tiny.en", "train", str(i)) for i in range(5)]
    words = common_words(pruned_tokenizer_json())
    turns = {s.text for s in consultation_sentences(200, seed=2000)}
    without, _, _ = build_examples(pairs, words, DataMix(n_generated=10, n_icd=5, n_random=5, seed=0))
    with_, _, _ = build_examples(pairs, words, DataMix(n_generated=10, n_icd=5, n_random=5, seed=0, n_consultation=200))

    def n_turns(exs):
        return sum(any(t in e.target for t in turns) for e in exs)

    assert n_turns(without) == 0
    assert n_turns(with_) >= 100


@pytest.mark.parametrize("engine", ["espeak-ng", "flite"])
def test_training_voices_speak(tmp_path, engine):
    from medasr.audio import load_audio
    from medasr.train.corrector import pairs as bart_pairs

    if shutil.which(engine) is None:
        pytest.skip(f"{engine} is not installed")
    if engine == "espeak-ng":
        path = bart_pairs.espeak_wav("Have you had any fever?", tmp_path / "e.wav", voice="en-gb-x-rp+f3")
    else:
        path = bart_pairs.flite_wav("Have you had any fever?", tmp_path / "f.wav", voice="slt", stretch=1.1)
    audio = load_audio(path)
    assert 0.5 < len(audio) / 16000 < 5
    assert float(abs(audio).max()) > 0.05


def test_speak_wav_draws_both_engines_and_no_heldout_voice(tmp_path, monkeypatch):
    from medasr.train.corrector import pairs as bart_pairs

    assert "awb" not in bart_pairs.FLITE_VOICES  # flite's held-out voice
    assert not any("gbcwmd" in v for v in bart_pairs.ESPEAK_VOICES)  # espeak-ng's held-out accent
    calls = []
    monkeypatch.setattr(bart_pairs.shutil, "which", lambda exe: "/usr/bin/" + exe)
    monkeypatch.setattr(bart_pairs, "espeak_wav", lambda text, out, voice, speed: calls.append(("espeak", voice)) or out)
    monkeypatch.setattr(bart_pairs, "flite_wav", lambda text, out, voice, stretch: calls.append(("flite", voice)) or out)
    rng = random.Random(0)
    for _ in range(60):
        bart_pairs.speak_wav("Any fever?", tmp_path / "u.wav", rng)
    engines = [c[0] for c in calls]
    assert 10 <= engines.count("flite") <= 35 and engines.count("espeak") >= 25
    assert {v for e, v in calls if e == "flite"} <= set(bart_pairs.FLITE_VOICES)
