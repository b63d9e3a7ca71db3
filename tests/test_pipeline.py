"""The one Pipeline: its stages in order, its views sharing what they loaded, the correction
modes defined once, and the CLI and ``medasr bench run`` going through it (the server's
routes, websocket and Gradio app are checked the same way in their own test files)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from fakes.asr import FakeTranscriber
from fakes.note_vocab import FakeVocabulary
from fakes.pipeline import SpyPipeline
from medasr.config import Settings
from medasr.correction import base, modes
from medasr.errors import ConfigError
from medasr.note.grounding import assert_grounded
from medasr.note.linking import Linker
from medasr.note.rules import RulesBackend
from medasr.pipeline import Pipeline, Result, build_pipeline
from medasr.schema import Edit, Transcript

DICTATION = "Assessment: asthma. Plan: salbutamol 100 micrograms as needed."


class Shout:
    """A corrector that upper-cases "asthma", recording an Edit, and counts how often it was built."""

    name = "shout"
    built = 0

    def __init__(self, settings: Settings | None = None) -> None:
        Shout.built += 1

    def correct(self, t: Transcript) -> Transcript:
        segs = tuple(s.__class__(**{**s.__dict__, "text": s.text.replace("asthma", "ASTHMA")}) for s in t.segments)
        edits = t.edits + tuple(Edit(s.id, "asthma", "ASTHMA", "shout", 1.0) for s in t.segments if "asthma" in s.text)
        return t.with_changes(segments=segs, edits=edits)


class Roles:
    """A SpeakerStage: every segment is the clinician's (what issue 23's diarization will fill in)."""

    name = "roles"
    per_channel = False

    def __init__(self) -> None:
        self.heard: list[int | None] = []

    def split(self, t: Transcript, audio: np.ndarray | None = None) -> Transcript:
        return t

    def run_channels(self, channels, recognize, label="audio") -> Transcript:
        raise AssertionError("not a per-channel stage")

    def assign(self, t: Transcript, audio: np.ndarray | None = None) -> Transcript:
        self.heard.append(None if audio is None else audio.size)
        return t.with_changes(segments=tuple(s.__class__(**{**s.__dict__, "speaker": "clinician"}) for s in t.segments))


@pytest.fixture
def shout(monkeypatch: pytest.MonkeyPatch) -> type[Shout]:
    base._load_builtin()
    monkeypatch.setitem(base._REGISTRY, "shout", Shout)
    Shout.built = 0
    return Shout


def _pipeline(**kw) -> Pipeline:
    return build_pipeline(Settings.resolve({"correct": "none"}), transcriber=FakeTranscriber(DICTATION),
                          note_backend=RulesBackend(Linker(FakeVocabulary())), **kw)


def test_modes_are_defined_once() -> None:
    assert modes.MODES == ("none", "lexicon", "bart", "both")
    assert [modes.parse_mode(v) for v in (True, "true", "1", "yes", "Both", False, None, "", "no", " lexicon ")] == \
        ["lexicon", "lexicon", "lexicon", "lexicon", "both", "none", "none", "none", "none", "lexicon"]
    with pytest.raises(ConfigError, match="correct must be true, false or one of none, lexicon, bart, both, not 'magic'"):
        modes.parse_mode("magic")
    assert modes.stages("asr+both") == ("lexicon", "bart") == modes.stages("both") == modes.stages("asr+lexicon+bart")
    assert modes.stages("asr") == () == modes.stages("none") and modes.spec_of(("lexicon",)) == "asr+lexicon"
    with pytest.raises(ConfigError, match="names stage 'lexicon' twice"):
        modes.stages("asr+lexicon+both")
    with pytest.raises(ConfigError, match="correct must be none, lexicon, bart or both"):
        Settings(correct="sometimes")
    from medasr.cli.serve import serve
    from medasr.cli.transcribe import transcribe

    for cmd in (transcribe, serve):
        (opt,) = [p for p in cmd.params if p.name == "correct"]
        assert tuple(opt.type.choices) == modes.MODES


def test_run_goes_through_every_stage_in_order(shout, tmp_path: Path) -> None:
    roles = Roles()
    pipe = _pipeline(correct="asr+shout", speakers=roles)
    audio = np.full(16000 * 3, 0.1, dtype=np.float32)
    res = pipe.run(audio, note=True, label="visit.wav")
    t = res.transcript
    assert isinstance(res, Result) and t.audio == "visit.wav" and "ASTHMA" in t.text
    assert t.options["pipeline"] == "asr+shout" and t.options["speakers"] == "roles"
    assert {"shout", "roles"} <= set(t.timings) and [e.source for e in t.edits] == ["shout"]
    assert all(s.speaker == "clinician" for s in t.segments) and roles.heard == [audio.size]  # speakers hear the audio
    assert res.note is not None and res.note.source == "visit.wav"
    assert_grounded(res.note, t)
    paths = pipe.write(res, "visit", ["txt", "json"], tmp_path)
    assert [p.name for p in paths] == ["visit.txt", "visit.json", "visit.note.md", "visit.note.json"]
    assert json.loads((tmp_path / "visit.json").read_text())["options"]["pipeline"] == "asr+shout"
    assert pipe.write(Result(t), "bare", ["srt"], tmp_path) == [tmp_path / "bare.srt"]  # no note, no note files


def test_views_share_the_loaded_parts(shout) -> None:
    pipe = _pipeline()
    assert pipe.spec == "asr"  # settings.correct: none
    t = pipe.recognize(np.full(16000, 0.1, dtype=np.float32))
    shouting = pipe.with_correction("asr+shout")
    assert shouting.spec == "asr+shout" and shouting.transcriber is pipe.transcriber and shouting.note_backend is pipe.note_backend
    for _ in range(3):
        assert "ASTHMA" in shouting.correct(t).text and "ASTHMA" in pipe.correct(t, "asr+shout").text
    assert shout.built == 1  # one corrector for every view and call
    assert pipe.correct(t).text == t.text and pipe.correct(t).options["pipeline"] == "asr"
    assert pipe.using(correct="none") is pipe and pipe.with_correction("true").spec == "asr+lexicon"
    with pytest.raises(ConfigError, match="unknown corrector 'nosuch'"):
        pipe.correct(t, "asr+nosuch")


def test_cli_transcribe_runs_one_pipeline(monkeypatch: pytest.MonkeyPatch, tts_wav, tmp_path: Path) -> None:
    """``medasr transcribe`` builds one pipeline for all inputs and runs, notes and writes each through it."""
    import medasr.pipeline
    from medasr.cli.transcribe import transcribe

    built: list[SpyPipeline] = []

    def spy_build(settings: Settings, **kw) -> SpyPipeline:
        built.append(SpyPipeline(settings, transcriber=FakeTranscriber(DICTATION), note_backend=RulesBackend(Linker(FakeVocabulary())), **kw))
        return built[-1]

    monkeypatch.setattr(medasr.pipeline, "build_pipeline", spy_build)
    a, b = tts_wav("The patient is stable."), tts_wav("Review in one week.")
    r = CliRunner().invoke(transcribe, [str(a), str(b), "-f", "txt", "-f", "json", "--note", "-o", str(tmp_path)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    (spy,) = built
    assert [c for c in spy.names() if c != "recognize"] == ["run", "correct", "note", "write"] * 2
    assert (tmp_path / f"{a.stem}.note.md").read_text().startswith("# Clinical note")
    assert json.loads((tmp_path / f"{b.stem}.json").read_text())["audio"] == str(b)


def test_bench_run_scores_through_the_pipeline(monkeypatch: pytest.MonkeyPatch, shout, tts_wav, tmp_path: Path) -> None:
    """``medasr bench run``: one pipeline per model, its ASR pass once per utterance, each spec's correctors on it."""
    import medasr.asr.loader
    import medasr.pipeline
    from medasr.bench.runner import BenchConfig, run_bench

    rows = [{"id": f"u{i}", "audio": str(tts_wav(t)), "text": t} for i, t in enumerate(["asthma is better", "the asthma is worse"])]
    manifest = tmp_path / "set.jsonl"
    manifest.write_text("".join(json.dumps(r) + "\n" for r in rows))
    built: list[SpyPipeline] = []
    monkeypatch.setattr(medasr.asr.loader, "load_transcriber", lambda settings, **kw: FakeTranscriber("asthma"))
    def spy_build(settings: Settings, *, model: str, **kw) -> SpyPipeline:
        built.append(SpyPipeline(settings.with_overrides(model=model), **kw))
        return built[-1]

    monkeypatch.setattr(medasr.pipeline, "build_pipeline", spy_build)
    res = run_bench(BenchConfig(sets=(str(manifest),), models=("tiny.en",), pipelines=("asr", "asr+shout"), long_form_seconds=0, n_boot=10),
                    Settings.resolve(), termsets=[], echo=lambda m: None)
    (spy,) = built
    assert spy.names().count("recognize") == 3  # a warm-up, then once per utterance for both specs
    assert [c for c in spy.calls if c[0] == "correct"] == [("correct", "asr"), ("correct", "asr+shout")] * 3
    assert [r.system.label for r in res.results] == ["tiny.en asr", "tiny.en asr+shout"]
    shouted = [u for u in res.runs if u.system == "tiny.en asr+shout"]
    assert all(u.hyp == "ASTHMA" and u.edits for u in shouted)
