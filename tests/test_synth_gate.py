"""Quality gate: real TTS voices transcribed by the real bundled tiny.en; WER and the drop rule."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from medasr.synth.engines import get_engine
from fakes.synth_vocab import FakeVocabulary
from medasr.synth.gate import GateReport, gate_plan, run_gate, word_errors


def test_word_errors_normalizes_numbers_and_case() -> None:
    assert word_errors("Metformin five hundred milligrams twice daily.", "metformin 500 milligrams twice daily") == (0, 5)
    e, n = word_errors("take the tablets twice daily", "take tablets twice a day")
    assert n == 5 and e == 3


def test_gate_plan_gives_every_voice_the_same_sentences(session_home: Path) -> None:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng not installed")
    voices = get_engine("espeak-ng", session_home).voices()[:3]
    plan = gate_plan(voices, FakeVocabulary(), per_voice=3, seed=0)
    assert len(plan) == 9
    by_voice: dict[str, list[str]] = {}
    for u in plan:
        by_voice.setdefault(u.voice.id, []).append(u.sentence.spoken)
        assert u.augmentation == () and u.params.rate == 1.0
    assert len({tuple(v) for v in by_voice.values()}) == 1


@pytest.mark.integration
def test_gate_scores_real_voices_with_bundled_whisper_and_applies_rule(tmp_path: Path, session_home: Path, tiny_transcriber) -> None:
    if shutil.which("espeak-ng") is None or shutil.which("flite") is None:
        pytest.skip("espeak-ng and flite are needed")
    voices = [v for v in get_engine("flite", session_home).voices() if v.name in ("rms", "slt")]
    voices += [v for v in get_engine("espeak-ng", session_home).voices() if v.name == "en-us+m1"]
    report = run_gate(voices, FakeVocabulary(), tmp_path, session_home, tiny_transcriber, "tiny.en", per_voice=2, threshold=0.5, jobs=1, progress=False)
    assert [s.voice for s in report.scores] == sorted(v.id for v in voices)
    for s in report.scores:
        assert s.sentences == 2 and s.words > 8
        assert 0.0 <= s.wer < 1.5
    # the rule: dropped exactly when WER is above the threshold
    assert report.dropped == sorted(s.voice for s in report.scores if s.wer > 0.5)
    saved = json.loads((tmp_path / "gate.json").read_text())
    assert saved["dropped"] == report.dropped and "WER" in saved["rule"]
    assert set(saved["wer_by_engine"]) == {"flite", "espeak-ng"}
    again = GateReport.load(tmp_path / "gate.json")
    assert again.scores == report.scores
    strict = GateReport(again.model, 0.0, again.per_voice, again.seed, again.scores)
    assert strict.dropped == sorted(s.voice for s in report.scores if s.wer > 0)
