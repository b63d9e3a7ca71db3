"""``medasr bench run`` end to end: real espeak-ng speech, the real bundled tiny.en."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("medwer")
pytest.importorskip("matplotlib")

SENTENCES = [
    "The patient takes metformin for diabetes.",
    "She has asthma and uses an inhaler every day.",
]


@pytest.fixture
def manifest(tmp_path: Path, tts_wav) -> Path:
    rows = [{"id": f"u{i}", "audio": str(tts_wav(t)), "text": t} for i, t in enumerate(SENTENCES)]
    m = tmp_path / "set.jsonl"
    m.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return m


@pytest.mark.integration
def test_bench_run_scores_real_speech_and_writes_reports(manifest: Path, tmp_path: Path, cli):
    out = tmp_path / "out"
    p = cli("bench", "run", "--set", str(manifest), "--model", "tiny.en", "--pipeline", "asr", "--device", "cpu",
            "--long-form", "8", "--bootstrap", "50", "--no-vocab-terms", "--out", str(out))
    assert p.returncode == 0, p.stderr.decode()[-2000:]
    res = json.loads((out / "results.json").read_text())
    (r,) = res["results"]
    assert r["system"] == "tiny.en asr" and r["utts"] == 2
    wer = r["score"]["wer"]
    assert 0.0 <= wer["low"] <= wer["value"] <= wer["high"] and wer["value"] < 0.9  # robotic espeak-ng speech: tiny.en gets most words
    assert r["score"]["terms"]["medwer"]["ref_terms"] >= 2  # metformin, asthma
    assert r["rtf"] > 0 and r["audio_s"] > 2
    assert [x["mode"] for x in res["long_form"]] == ["sequential", "batched"]
    assert all(x["ttfs_s"] is not None and 0 < x["ttfs_s"] <= x["wall_s"] for x in res["long_form"])
    assert res["machine"]["cpu_count"] >= 1 and res["machine"]["versions"]["ctranslate2"]
    assert res["machine"]["cpu_isa"].split()[0] in {"AVX512", "AVX2", "AVX", "SSE4.1", "NEON"}  # int8 output depends on it
    hyps = {u["id"]: u["hyp"] for u in res["utterances"]}
    assert set(hyps) == {"u0", "u1"} and all(hyps.values())
    md = (out / "results.md").read_text()
    assert f"({res['machine']['cpu_isa']})" in md
    assert "| tiny.en asr |" in md and "Long-form speed" in md
    assert "REF: the patient takes metformin for diabetes" in (out / "utterances.md").read_text()
    for png in ("wer.png", "speed.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "tiny.en asr" in p.stdout.decode()  # the table is printed too


def test_bench_run_bad_set_is_a_clean_error(cli):
    p = cli("bench", "run", "--set", "no-such-set", "--model", "tiny.en")
    assert p.returncode != 0
    err = p.stderr.decode()
    assert "medasr: error: unknown benchmark set 'no-such-set'" in err and "Traceback" not in err


def test_build_primock_rejects_a_bad_cap(cli):
    p = cli("bench", "build-primock", "--cap", "0")
    assert p.returncode != 0 and "medasr: error: --cap must be at least 1" in p.stderr.decode()


def test_build_primock_speaks_held_out_voices(tmp_path: Path, cli, primock_dir):
    out = tmp_path / "primock"
    p = cli("bench", "build-primock", "--cap", "4", "--engine", "flite", "--engine", "espeak-ng", "--out", str(out))
    assert p.returncode == 0, p.stderr.decode()[-2000:]
    rows = [json.loads(x) for x in (out / "manifest.jsonl").read_text().splitlines()]
    assert len(rows) == 4
    assert {r["group"] for r in rows} <= {"flite:awb", "espeak-ng:en-gb-x-gbcwmd+m3", "espeak-ng:en-gb-x-gbcwmd+f2"}
    assert all((out / r["audio"]).stat().st_size > 10000 for r in rows)


@pytest.mark.slow
def test_transformers_peer_matches_ours_on_real_speech(real_speech_dir, tmp_home):
    """The converted weights through transformers transcribe JFK like faster-whisper does."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from medasr.audio import load_audio
    from medasr.bench.metrics import word_edits
    from medasr.text import normalize
    from medasr.bench.peers import load_peer
    from medasr.config import Settings

    settings = Settings.resolve({"device": "cpu", "beam_size": 1})
    peer = load_peer("tiny.en", settings)
    text = peer.transcribe_text(load_audio(real_speech_dir / "jfk" / "jfk.flac"))
    ref = normalize("And so, my fellow Americans, ask not what your country can do for you, ask what you can do for your country.")
    assert word_edits(ref, normalize(text)) <= 1


def test_every_bench_option_is_documented():
    """datasette-style: each option of `medasr bench run` / `build-primock` is in benchmarks/README.md."""
    from medasr.cli.bench import bench

    readme = (Path(__file__).resolve().parents[1] / "benchmarks" / "README.md").read_text()
    for cmd in bench.commands.values():
        for param in cmd.params:
            for opt in param.opts + param.secondary_opts:
                if opt.startswith("--"):
                    assert opt in readme, f"medasr bench {cmd.name} {opt} is not documented in benchmarks/README.md"


def test_cpu_isa_names_a_forced_level(monkeypatch):
    """Results say when CTranslate2 was told to use lower kernels than the CPU has."""
    from medasr.bench.machine import cpu_isa

    monkeypatch.delenv("CT2_FORCE_CPU_ISA", raising=False)
    native = cpu_isa()
    assert native and "forced" not in native
    monkeypatch.setenv("CT2_FORCE_CPU_ISA", "AVX")
    assert cpu_isa() == "AVX (forced)"
