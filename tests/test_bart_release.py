"""The released BART corrector (models/corrector-*): it loads offline by default, it leaves
already-correct text alone (at most 0.5% of words changed), and ``asr+both`` runs end to end on
real TTS speech with the real bundled tiny.en."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medasr.bench.primock import parse_textgrid
from medasr.config import Settings
from medasr.correction.bart.corrector import BartCorrector
from medasr.schema import Segment, Transcript

REPO = Path(__file__).resolve().parents[1]
RELEASED = sorted(p for p in (REPO / "models").glob("corrector-*") if (p / "model.bin").is_file())
pytestmark = pytest.mark.skipif(not RELEASED, reason="no corrector released under models/corrector-*")

MAX_CHANGED = 0.005


@pytest.fixture(scope="module")
def bart() -> BartCorrector:
    from medasr.vocab import load_vocabulary

    settings = Settings.resolve({"device": "cpu", "threads": 2})
    load_vocabulary(settings)  # the gate's vocabulary terms (built once per test session)
    c = BartCorrector(settings)
    assert c.model_path == RELEASED[-1]
    return c


def _changed_rate(bart: BartCorrector, texts: list[str]) -> tuple[float, list]:
    words = changed = 0
    applied = []
    for i in range(0, len(texts), 8):  # transcripts of 8 consecutive segments: neighbours as context
        group = texts[i:i + 8]
        t = Transcript(segments=tuple(Segment(id=j, start=0.0, end=0.0, text=x) for j, x in enumerate(group)))
        out = bart.correct(t)
        words += sum(len(x.split()) for x in group)
        for e in out.edits:
            assert e.source == "bart" and e.reason
            if e.applied:
                changed += max(len(e.before.split()), len(e.after.split()), 1)
                applied.append((e.before, e.after))
        for before, after in zip(t.segments, out.segments):
            assert (before.text != after.text) == any(e.applied and e.segment_id == before.id for e in out.edits)
    return changed / words, applied


def test_card_and_size():
    d = RELEASED[-1]
    card = json.loads((d / "corrector.json").read_text())
    assert card["architecture"] == "BartForConditionalGeneration"
    assert (d / "README.md").is_file()
    assert sum(p.stat().st_size for p in d.iterdir()) <= 50 * 1024 * 1024


def test_real_speech_references_unchanged(bart, real_speech_dir):
    rows = [json.loads(x) for x in (real_speech_dir / "manifest.jsonl").read_text().splitlines() if x.strip()]
    texts = [r["text"] for r in rows if len(r["text"].split()) >= 3]
    rate, applied = _changed_rate(bart, texts)
    assert rate <= MAX_CHANGED, applied


def test_primock_references_unchanged(bart, primock_dir):
    turns = [t for p in sorted((primock_dir / "transcripts").glob("*.TextGrid")) for t in parse_textgrid(p)]
    turns.sort(key=lambda t: (t.consultation, t.start))
    texts = [t.text for t in turns if len(t.text.split()) >= 3][:240]
    assert sum(len(x.split()) for x in texts) > 2000
    rate, applied = _changed_rate(bart, texts)
    assert rate <= MAX_CHANGED, applied


@pytest.mark.parametrize("text,before,after", [
    ("She has been taking methatrexate since March.", "methatrexate", "methotrexate"),
    ("Is the lisinoprill helping with your blood pressure?", "lisinoprill", "lisinopril"),
])
def test_released_model_judges_sound_alike_terms(bart, text, before, after):
    """A misheard drug in plain conversation (no dose, no cue word): the model prefers the term."""
    out = bart.correct(Transcript.from_text(text))
    (e,) = [e for e in out.edits if e.applied]
    assert (e.source, e.before, e.after) == ("bart", before, after) and "model prefers it" in e.reason
    assert out.text == text.replace(before, after)


def test_released_model_judges_a_learned_confusion(bart):
    """An ordinary word Whisper was sure of, which the training pairs show standing for a term:
    proposed from the bundled confusion table, applied only because the model prefers it in context."""
    out = bart.correct(Transcript.from_text("She has a red rush on both arms."))
    (e,) = [e for e in out.edits if e.applied]
    assert (e.before, e.after) == ("rush", "rash") and e.reason.startswith("learned confusion: heard 'rush' for 'rash'")
    assert out.text == "She has a red rash on both arms."
    kept = bart.correct(Transcript.from_text("I keep a diary of my sleep."))  # "diary": 2 of 2, too little for an everyday word
    assert kept.text == "I keep a diary of my sleep."


@pytest.mark.integration
def test_both_on_real_tts_dictation(tiny_transcriber, tts_wav):
    from medasr.audio import load_audio
    from medasr.pipeline import build_pipeline

    settings = Settings.resolve({"device": "cpu", "correct": "both"})
    pipe = build_pipeline(settings, transcriber=tiny_transcriber)
    t = pipe.run(load_audio(tts_wav("Start metformin 500 milligrams twice daily for type 2 diabetes."))).transcript
    assert t.options["pipeline"] == "asr+lexicon+bart" and t.options.get("bart_model") == RELEASED[-1].name
    assert t.text.strip()
    lex_words = {w for e in t.edits if e.source == "lexicon" and e.applied for w in e.word_ids}
    for e in t.edits:
        assert e.source in ("lexicon", "bart") and 0.0 <= e.score <= 1.0
        if e.source == "bart":
            assert not (set(e.word_ids) & lex_words)  # the two stages never edit the same words
            if e.applied:
                assert e.after in t.segment(e.segment_id).text
