"""Corpus plan, splits, resumable synthesis and manifest (fake engine, in process), and the
``medasr synth`` command end to end with real TTS engines and the real vocabulary."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import soundfile as sf

from medasr.errors import ConfigError
from medasr.synth.card import stats
from medasr.manifest import read_rows
from medasr.synth.corpus import build
from medasr.synth.engines.base import VoiceParams, engine_names, register
from fakes.tts import FakeEngine
from fakes.synth_vocab import FakeVocabulary
from medasr.synth.plan import PlanConfig, PlannedUtterance, make_plan, split_voices
from medasr.synth.text import term_key

FIELDS = {"id", "audio", "text", "spoken", "terms", "engine", "voice", "augmentation", "split"}


@pytest.fixture(scope="module", autouse=True)
def fake_engine() -> None:
    engine_names()  # load the built-in registry first
    register("fake", FakeEngine)


def fake_voices():
    return FakeEngine().voices() + FakeEngine(names=("x", "y")).voices()


def check_splits(rows: list[dict], heldout_voices: set[str], heldout_keys: frozenset[str], voice_in_test: bool = True) -> None:
    """The issue's invariant: held-out terms and held-out voices never appear in train."""
    train = [r for r in rows if r["split"] == "train"]
    test = [r for r in rows if r["split"] == "test"]
    assert train and test
    for r in train:
        assert f"{r['engine']}:{r['voice']}" not in heldout_voices
        assert not {term_key(t["written"]) for t in r["terms"]} & heldout_keys
        words = term_key(r["text"])
        assert not any(f" {k} " in f" {words} " for k in heldout_keys), r["text"]
    for r in test:
        assert {term_key(t["written"]) for t in r["terms"]} & heldout_keys
    if voice_in_test:
        assert any(f"{r['engine']}:{r['voice']}" in heldout_voices for r in test)


def test_plan_holds_out_voices_and_terms_from_train() -> None:
    plan = make_plan(PlanConfig(n=400, seed=3, heldout_fraction=0.2), FakeVocabulary(), fake_voices())
    rows = [u.manifest_row() for u in plan.utterances]
    assert {r["split"] for r in rows} == {"train", "dev", "test"}
    held = {v.id for v in plan.voices.heldout}
    assert held == {"fake:c", "fake:y"}
    check_splits(rows, held, plan.heldout_keys)


def test_plan_is_deterministic_and_records_parameters() -> None:
    a = make_plan(PlanConfig(n=60, seed=5), FakeVocabulary(), fake_voices())
    b = make_plan(PlanConfig(n=60, seed=5), FakeVocabulary(), fake_voices())
    c = make_plan(PlanConfig(n=60, seed=6), FakeVocabulary(), fake_voices())
    assert [u.manifest_row() for u in a.utterances] == [u.manifest_row() for u in b.utterances]
    assert [u.manifest_row() for u in a.utterances] != [u.manifest_row() for u in c.utterances]
    steps = [s for u in a.utterances for s in u.manifest_row()["augmentation"]]
    assert all(s["type"] == "prosody" for s in steps[:1])
    assert {s["type"] for s in steps} - {"prosody"}, "some utterances are augmented"
    json.dumps(steps)  # every parameter is plain JSON


def test_holdout_engine_and_impossible_holdouts() -> None:
    vs = split_voices(fake_voices())
    assert {v.id for v in vs.heldout} == {"fake:c", "fake:y"}
    one = [v for v in fake_voices() if v.name == "a"]
    with pytest.raises(ConfigError, match="held out"):
        split_voices(one)
    with pytest.raises(ConfigError, match="no working voices"):
        split_voices(fake_voices(), holdout_engine="kokoro")
    with pytest.raises(ConfigError, match="at least 1"):
        PlanConfig(n=0)


def test_build_writes_flac_manifest_resumes_and_reports_failures(tmp_path: Path, session_home: Path) -> None:
    plan = make_plan(PlanConfig(n=24, seed=2), FakeVocabulary(), fake_voices())
    res = build(plan.utterances, tmp_path, session_home, jobs=1, progress=False)
    assert res.made == 24 and not res.failures
    manifest = (tmp_path / "manifest.jsonl").read_bytes()
    rows = read_rows(tmp_path / "manifest.jsonl")
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    for r in rows:
        assert set(r) == FIELDS
        assert not Path(r["audio"]).is_absolute()
        info = sf.info(str(tmp_path / r["audio"]))
        assert (info.samplerate, info.channels, info.format) == (16000, 1, "FLAC") and info.frames > 0
        for t in r["terms"]:
            assert r["text"][t["start"] : t["end"]] == t["written"]
    # resume: nothing is made again; a deleted and a corrupt file are remade
    (tmp_path / rows[0]["audio"]).unlink()
    (tmp_path / rows[1]["audio"]).write_bytes(b"not a flac")
    res2 = build(plan.utterances, tmp_path, session_home, jobs=1, progress=False)
    assert (res2.made, res2.resumed) == (2, 22)
    assert (tmp_path / "manifest.jsonl").read_bytes() == manifest
    # a failing utterance is reported and left out of the manifest
    u = plan.utterances[0]
    bad = PlannedUtterance("s2-999999", "train", u.sentence.__class__("FAIL now", "FAIL now", "dictation", ()), u.voice, VoiceParams(), ())
    res3 = build([*plan.utterances, bad], tmp_path, session_home, jobs=1, progress=False)
    assert [o.id for o in res3.failures] == ["s2-999999"] and "asked to fail" in res3.failures[0].error
    assert len(read_rows(tmp_path / "manifest.jsonl")) == 24
    st = stats(rows, tmp_path, heldout_keys=plan.heldout_keys, heldout_voices=[v.id for v in plan.voices.heldout])
    assert st["utterances"]["all"] == 24 and st["hours"]["all"] > 0
    assert st["heldout"]["heldout_terms_in_train_or_dev"] == 0


def _synth(cli, out: Path, n: int, *extra: str):
    return cli("synth", "--n", str(n), "--out", str(out), "--seed", "1", "--jobs", "2", "--no-progress", *extra, timeout=900)


def _check_corpus(out: Path, min_engines: int, heldout_fraction: float = 0.05) -> list[dict]:
    from medasr.synth.text import is_heldout

    rows = read_rows(out / "manifest.jsonl")
    assert len({r["engine"] for r in rows}) >= min_engines
    for r in rows:
        assert set(r) == FIELDS
        info = sf.info(str(out / r["audio"]))
        assert (info.samplerate, info.channels) == (16000, 1) and info.frames > 1600
        for t in r["terms"]:
            assert r["text"][t["start"] : t["end"]] == t["written"]
    card = json.loads((out / "card.json").read_text())
    assert card["utterances"]["all"] == len(rows)
    assert (out / "card.md").read_text().startswith("# Synthetic clinical speech corpus")
    assert (out / "card.png").stat().st_size > 10_000
    held_voices = set(card["heldout"]["voices"])
    assert held_voices and not card["heldout"]["heldout_voices_in_train_or_dev"]
    for r in rows:
        if r["split"] == "train":
            assert f"{r['engine']}:{r['voice']}" not in held_voices
            assert not any(is_heldout(t["written"], heldout_fraction) for t in r["terms"] if t["kind"] in {"drug", "brand", "diagnosis", "symptom", "procedure", "anatomy"})
        if r["split"] == "test":
            assert any(is_heldout(t["written"], heldout_fraction) for t in r["terms"])
    return rows


@pytest.mark.integration
def test_cli_synth_real_engines_same_seed_same_manifest(tmp_path: Path, cli) -> None:
    """Done-when 1 at CI size: real espeak-ng, flite and festival, the real vocabulary; two
    fresh runs with one seed give byte-identical manifests; a rerun resumes."""
    engines = ("--engines", "espeak-ng,flite,festival")
    for name in ("a", "b"):
        p = _synth(cli, tmp_path / name, 30, *engines)
        assert p.returncode == 0, p.stderr.decode()[-2000:]
        assert b"30 utterances" in p.stdout
    assert (tmp_path / "a" / "manifest.jsonl").read_bytes() == (tmp_path / "b" / "manifest.jsonl").read_bytes()
    _check_corpus(tmp_path / "a", 3)
    p = _synth(cli, tmp_path / "a", 30, *engines)
    assert p.returncode == 0 and b"made 0, resumed 30" in p.stdout


@pytest.mark.slow
def test_cli_synth_200_all_engines_twice(tmp_path: Path, cli) -> None:
    """Done-when 1 as filed: ``medasr synth --n 200 --out DIR --seed 1`` twice."""
    for name in ("a", "b"):
        p = _synth(cli, tmp_path / name, 200)
        assert p.returncode == 0, p.stderr.decode()[-2000:]
    assert (tmp_path / "a" / "manifest.jsonl").read_bytes() == (tmp_path / "b" / "manifest.jsonl").read_bytes()
    _check_corpus(tmp_path / "a", 3)


def test_cli_voices_lists_working_engines(cli) -> None:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng not installed")
    p = cli("synth", "voices", "--json")
    assert p.returncode == 0, p.stderr.decode()
    data = {e["engine"]: e for e in json.loads(p.stdout)}
    assert data["espeak-ng"]["ok"] and len(data["espeak-ng"]["voices"]) > 10
    assert any(v["heldout"] for v in data["espeak-ng"]["voices"])


def test_cli_bad_input_is_a_clean_error(tmp_path: Path, cli) -> None:
    p = cli("synth", "--n", "0", "--out", str(tmp_path / "x"))
    assert p.returncode != 0 and b"medasr: error: --n must be at least 1" in p.stderr and b"Traceback" not in p.stderr
    p = cli("synth", "--n", "5", "--out", str(tmp_path / "x"), "--engines", "nope")
    assert p.returncode != 0 and b"unknown TTS engine 'nope'" in p.stderr and b"Traceback" not in p.stderr
    (tmp_path / "file").write_text("x")
    p = cli("synth", "--n", "5", "--out", str(tmp_path / "file"), "--engines", "espeak-ng")
    assert p.returncode != 0 and b"is not a folder" in p.stderr
    p = cli("synth", "--n", "5")
    assert p.returncode != 0 and b"--out" in p.stderr


def test_plan_only_then_render_gives_the_same_corpus(tmp_path: Path, session_home: Path) -> None:
    from medasr.config import Settings
    from medasr.synth.run import make_corpus, render_plan

    settings = Settings.resolve({"home": str(session_home)})
    kw = dict(vocab=FakeVocabulary(), engines=["fake"], jobs=1, progress=False)
    cfg = PlanConfig(n=30, seed=4, heldout_fraction=0.2)
    direct = make_corpus(settings, cfg, tmp_path / "direct", **kw)
    assert make_corpus(settings, cfg, tmp_path / "planned", plan_only=True, **kw) is None
    assert not (tmp_path / "planned" / "audio").exists()
    rendered = render_plan(settings, tmp_path / "planned" / "plan.jsonl", tmp_path / "rendered", jobs=1, progress=False)
    assert (tmp_path / "direct" / "manifest.jsonl").read_bytes() == (tmp_path / "rendered" / "manifest.jsonl").read_bytes()
    assert direct is not None and direct.stats["heldout"] == rendered.stats["heldout"]
    assert rendered.stats["heldout"]["heldout_terms_in_test"] > 0
    assert rendered.stats["heldout"]["heldout_terms_in_train_or_dev"] == 0
    check_splits(read_rows(tmp_path / "rendered" / "manifest.jsonl"), set(direct.stats["heldout"]["voices"]), frozenset(json.loads((tmp_path / "planned" / "plan.meta.json").read_text())["heldout_keys"]), voice_in_test=False)


def test_resume_remakes_audio_whose_plan_row_changed(tmp_path: Path, session_home: Path) -> None:
    plan = make_plan(PlanConfig(n=6, seed=9, augment=False), FakeVocabulary(), fake_voices()).utterances
    build(plan, tmp_path, session_home, jobs=1, progress=False)
    u = plan[0]
    changed = PlannedUtterance(u.id, u.split, u.sentence, u.voice, VoiceParams(rate=0.5), ())
    res = build([changed, *plan[1:]], tmp_path, session_home, jobs=1, progress=False)
    assert (res.made, res.resumed) == (1, 5)
    assert read_rows(tmp_path / "manifest.jsonl")[0]["augmentation"][0]["rate"] == 0.5


def test_gate_report_drops_voices_from_the_corpus(tmp_path: Path, session_home: Path) -> None:
    from medasr.config import Settings
    from medasr.synth.gate import GateReport, VoiceScore
    from medasr.synth.run import make_corpus

    scores = (VoiceScore("fake:a", "fake", 4, 40, 30), VoiceScore("fake:b", "fake", 4, 40, 4), VoiceScore("fake:c", "fake", 4, 40, 5))
    report = GateReport("tiny.en", 0.6, 4, 0, scores)
    (tmp_path / "gate.json").write_text(json.dumps(report.to_dict()))
    settings = Settings.resolve({"home": str(session_home)})
    res = make_corpus(settings, PlanConfig(n=20, seed=1, augment=False), tmp_path / "c", vocab=FakeVocabulary(), engines=["fake"], gate=str(tmp_path / "gate.json"), jobs=1, progress=False)
    assert res is not None
    voices = {r["voice"] for r in read_rows(tmp_path / "c" / "manifest.jsonl")}
    assert "a" not in voices and voices <= {"b", "c"}
    assert res.stats["voices_dropped"] == ["fake:a"] and res.stats["gate"]["dropped"] == ["fake:a"]
    assert "Dropped voices: fake:a" in (tmp_path / "c" / "card.md").read_text()
