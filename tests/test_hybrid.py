"""The two-model transcriber (medasr.asr.hybrid): the domain model's medical words, the general
model's ordinary ones. Unit tests with scripted transcribers, then the real bundled models."""

from __future__ import annotations

import numpy as np
import pytest

from fakes.asr import FakeTranscriber
from medasr.asr.hybrid import HybridTranscriber, combine
from medasr.asr.hybrid_judge import VocabularyJudge, numbers_in, terms_in
from medasr.schema import ModelInfo, Transcript

AUDIO = np.full(16000 * 4, 0.1, dtype=np.float32)
TERMS = {"metoprolol", "atrial fibrillation"}
ZIPF = {"the": 7.7, "patient": 4.9, "takes": 5.0, "daily": 5.1, "metro": 4.0, "pole": 4.0, "all": 6.5, "ask": 5.5,
        "not": 6.5, "what": 6.6, "like": 6.3, "for": 7.0, "has": 6.3, "a": 7.5, "trial": 4.9, "fib": 2.0, "relation": 4.2,
        "bye": 4.6, "five": 5.4, "acute": 4.0, "cute": 4.5}


NEAR_TERMS = {"metoprolal"}  # spelt like a term; the matcher's job in the real judge


def judge(clinical: frozenset[str] = frozenset()) -> VocabularyJudge:
    return VocabularyJudge(TERMS.__contains__, lambda w: ZIPF.get(w, 0.0), clinical, near_term=NEAR_TERMS.__contains__)


class Named(FakeTranscriber):
    def __init__(self, name: str, texts, probability: float = 0.9):
        super().__init__(texts, probability)
        self.name = name

    @property
    def info(self) -> ModelInfo:
        return ModelInfo(name=self.name, source="fake", device="cpu", compute_type="none")


def hybrid(domain, general, clinical=frozenset(), general_p: float = 0.9) -> Transcript:
    return HybridTranscriber(Named("medical", domain), Named("stock", general, general_p), judge(clinical)).transcribe(AUDIO)


def _consistent(t: Transcript) -> None:
    for k, s in enumerate(t.segments):
        assert s.id == k
        assert s.text == "".join(w.text for w in s.words)
        assert [w.id for w in s.words] == [f"{k}.{i}" for i in range(len(s.words))]


def test_term_from_the_domain_model_ordinary_words_from_the_general_one():
    t = hybrid("the patient takes metoprolol daily ask not like", "the patient takes metro pole all daily ask not what")
    assert t.text == "the patient takes metoprolol daily ask not what"
    _consistent(t)
    h = t.options["hybrid"]
    assert (h["domain"], h["general"]) == ("medical", "stock")
    assert h["from_domain"] == [{"general": "metro pole all", "domain": "metoprolol", "reason": "vocabulary term: metoprolol"}]
    assert [p.name for p in t.model.parts] == ["medical", "stock"] and t.model.name == "medical+stock"
    assert set(t.timings) >= {"asr", "asr_domain", "asr_general"}


def test_each_word_keeps_the_timing_and_probability_of_the_model_that_heard_it():
    dom = Named("medical", "the patient has atrial fibrillation").transcribe(AUDIO)
    gen = Named("stock", "the patient has a trial fib relation").transcribe(AUDIO)
    t = hybrid("the patient has atrial fibrillation", "the patient has a trial fib relation")
    assert t.text == "the patient has atrial fibrillation"
    words = t.words
    assert [(w.start, w.end) for w in words[:3]] == [(w.start, w.end) for w in gen.words[:3]]
    assert [(w.start, w.end, w.text) for w in words[3:]] == [(w.start, w.end, w.text) for w in dom.words[3:]]
    assert all(a.start <= b.start for a, b in zip(words, words[1:]))
    _consistent(t)


def test_numbers_and_unordinary_words_win_ordinary_differences_do_not():
    assert hybrid("five", "bye").text == "five"  # a number the general model did not hear
    assert hybrid("ask not like", "ask not what").text == "ask not what"
    assert hybrid("acute", "a cute", clinical=frozenset({"acute"})).text == "acute"  # a clinical word
    # a rare word far from every term: the domain model's only where the general model was unsure
    assert hybrid("ask xylophonix", "ask what").text == "ask what"
    assert hybrid("ask xylophonix", "ask what", general_p=0.2).text == "ask xylophonix"
    t = hybrid("ask metoprolal", "ask what")  # near a term (the corrector's to mend): the domain model's
    assert t.text == "ask metoprolal"
    assert t.options["hybrid"]["from_domain"][0]["reason"] == "rare word: metoprolal (near a vocabulary term)"


def test_the_real_near_term_check_knows_a_misspelt_drug_from_a_garbled_word():
    from medasr.asr.hybrid_judge import near_term_check
    from medasr.vocab import load_vocabulary
    from medasr.config import Settings

    near = near_term_check(load_vocabulary(Settings.resolve()))
    assert near("metoprolal") and near("fluorinef")
    assert not near("menial") and not near("ixtension")  # "to exit the menu", "the person at extension": prompts-dev


def test_insertions_deletions_and_several_segments():
    t = hybrid(["the patient takes metoprolol", "daily"], ["the patient takes", "daily for all"])
    assert t.text == "the patient takes metoprolol daily for all"
    _consistent(t)
    assert len(t.segments) == 2 and t.segments[0].text.strip() == "the patient takes metoprolol"


def test_general_model_hears_nothing():
    silent_general = Named("stock", [])
    t = HybridTranscriber(Named("medical", "metoprolol"), silent_general, judge()).transcribe(AUDIO)
    assert t.text == "metoprolol"
    _consistent(t)
    t = HybridTranscriber(Named("medical", "ask what"), Named("stock", []), judge()).transcribe(AUDIO)
    assert t.text == ""


def test_progress_runs_once_through_both_passes():
    seen = []
    HybridTranscriber(Named("medical", "a"), Named("stock", "a"), judge()).transcribe(AUDIO, progress=lambda d, n: seen.append(d / n))
    assert seen == sorted(seen) and seen[-1] == 1.0 and max(seen[: len(seen) // 2]) <= 0.5


def test_helpers():
    assert numbers_in(["forty-two", "line"]) == numbers_in(["42"]) == {"42"}
    assert numbers_in(["three", "point", "four"]) == {"3.4"}
    assert numbers_in(["for", "the"]) == set()
    assert terms_in(["has", "atrial", "fibrillation"], TERMS.__contains__) == {"atrial fibrillation"}
    gen = Transcript(segments=())
    per, chosen = combine(gen, gen, judge())
    assert per == [] and chosen == []


def test_model_info_parts_round_trip():
    info = ModelInfo(name="a+b", source="hybrid", parts=(ModelInfo(name="a", sha256="x"), ModelInfo(name="b")))
    assert ModelInfo.from_dict(info.to_dict()) == info
    assert ModelInfo.from_dict({"name": "old"}) == ModelInfo(name="old")


def test_loader_rejects_a_bad_combination(session_home):
    from medasr.asr.loader import load_transcriber
    from medasr.config import Settings
    from medasr.errors import ConfigError

    for bad in ("tiny.en+tiny.en", "+tiny.en", "a+b+c"):
        with pytest.raises(ConfigError, match="DOMAIN"):
            load_transcriber(Settings.resolve({"model": bad}))


@pytest.mark.integration
def test_real_models_on_real_speech(aspirin_wav, real_speech_dir, tiny_transcriber):
    """tiny.en-medical+tiny.en with the bundled models: every word is one the two models heard,
    where they agree the output is theirs, and the transcript names both models."""
    from medasr.asr.loader import load_transcriber
    from medasr.audio import load_audio
    from medasr.config import Settings

    settings = Settings.resolve({"model": "tiny.en-medical+tiny.en", "device": "cpu", "compute_type": "int8"})
    h = load_transcriber(settings)
    assert [p.name for p in h.info.parts] == ["tiny.en-medical", "tiny.en"]
    assert h.general is load_transcriber(settings, model="tiny.en")  # the cached stock model, loaded once
    for path in (aspirin_wav, real_speech_dir / "jfk" / "jfk.flac"):
        audio = load_audio(path)
        t = h.transcribe(audio)
        dom, gen = h.domain.transcribe(audio), tiny_transcriber.transcribe(audio)
        heard = {(w.text, w.start, w.end, w.probability) for w in dom.words + gen.words}
        assert t.words and all((w.text, w.start, w.end, w.probability) in heard for w in t.words)
        _consistent(t)
        if dom.text == gen.text:
            assert t.text == gen.text
        if "aspirin" in dom.text.lower():  # a drug name the domain model heard is kept
            assert "aspirin" in t.text.lower()
        assert t.options["hybrid"]["general"] == "tiny.en" and t.model.parts[1].name == "tiny.en"


def test_batch_jobs_name_both_models(session_home):
    """``medasr batch`` resolves the model before any work; a pair resolves part by part."""
    from medasr.batch.spec import resolve_model_id
    from medasr.config import Settings

    mid = resolve_model_id(Settings.resolve({"model": "tiny.en-medical+tiny.en"}))
    domain, general = mid.split("+")
    assert domain.startswith("tiny.en-medical@") and general.startswith("tiny.en@") and len(domain) > len("tiny.en-medical@") + 8


def test_live_windows_decode_on_the_domain_model_alone():
    """Live dictation keeps up on one model: the shared decode worker of a pair decodes with its
    domain model (the offline paths keep both)."""
    from medasr.asr.base import TranscribeOptions
    from medasr.asr.worker import live_transcriber, shared_worker

    pair = HybridTranscriber(Named("medical", "metoprolol daily"), Named("stock", "metro pole daily"), judge())
    assert live_transcriber(pair) is pair.domain
    solo = Named("medical", "x")
    assert live_transcriber(solo) is solo
    worker = shared_worker(pair, calibrate=False)
    try:
        assert worker.transcriber is pair.domain
        assert worker.decode(AUDIO, TranscribeOptions()).text.strip() == "metoprolol daily"
    finally:
        worker.close()
