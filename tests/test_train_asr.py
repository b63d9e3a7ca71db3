"""`medasr train asr` on CPU: a few steps on a handful of real espeak-ng clips (issue 8)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from medasr.errors import InputError
from medasr.train.data import TargetEncoder, make_splits, read_manifest, spec_augment


@pytest.fixture(scope="module")
def tiny_tokenizer() -> Path:
    from medasr.asr.models import resolve_model
    from medasr.config import Settings

    return resolve_model("tiny.en", Settings.resolve({})).path / "tokenizer.json"


def test_targets_mask_prompt_and_end_with_eot(tiny_tokenizer: Path) -> None:
    enc = TargetEncoder(tiny_tokenizer)
    inp, lab = enc.encode("Start metformin 500 mg twice daily.")
    assert inp[:2] == [50257, 50362]  # <|startoftranscript|> <|notimestamps|>
    assert len(inp) == len(lab) and lab[0] == -100 and lab[-1] == 50256
    assert lab[:-1][1:] == inp[2:]  # labels are the inputs shifted by one
    assert enc.decode(inp[2:]) == "Start metformin 500 mg twice daily."


def test_manifest_errors_name_the_problem(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_manifest(tmp_path)
    (tmp_path / "manifest.jsonl").write_text('{"id": 1, "text": "no audio key"}\n')
    with pytest.raises(InputError, match=r"manifest.jsonl:1"):
        read_manifest(tmp_path)
    (tmp_path / "manifest.jsonl").write_text(json.dumps({"id": "a", "audio": "a.wav", "text": "x", "split": "test"}) + "\n")
    with pytest.raises(InputError, match="no training utterances"):
        make_splits(read_manifest(tmp_path))


def test_spec_augment_masks_with_floor_value() -> None:
    rng = np.random.default_rng(0)
    feats = np.random.default_rng(1).normal(size=(80, 3000)).astype(np.float32)
    out = spec_augment(feats, rng, n_freq=2, f_width=10, n_time=2, t_width=40)
    assert out.shape == feats.shape and not np.array_equal(out, feats)
    changed = out != feats
    assert np.all(out[changed] == feats.min())


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory):
    from medasr.config import Settings
    from medasr.train.asr import TrainConfig, train_asr
    from medasr.train.corpus import build_corpus

    root = tmp_path_factory.mktemp("train")
    manifest = build_corpus(root / "corpus", 10, seed=3, engines=("espeak-ng",))
    lines = [json.loads(x) for x in manifest.read_text().splitlines()]
    assert len(lines) == 10 and all((manifest.parent / d["audio"]).is_file() for d in lines)
    cfg = TrainConfig(data=(manifest,), out=root / "run", base="tiny.en", steps=8, batch_size=4, lr=2e-4, warmup=1, eval_every=4,
                      patience=10, seed=0, threads=2, audio_augment=False, spec_augment=False)
    return train_asr(cfg, Settings.resolve({}))


def test_cpu_training_loss_falls_and_export_loads_in_faster_whisper(tiny_run, tts_wav) -> None:
    from faster_whisper import WhisperModel

    res = tiny_run
    assert res.steps == 8 and len(res.history) == 2
    assert res.final_train_loss < 0.7 * res.first_loss, (res.first_loss, res.history)
    assert (res.out / "checkpoint.pt").is_file() and (res.out / "train_log.jsonl").is_file() and (res.out / "loss.png").is_file()
    assert res.dev_loss_start is not None and res.best_dev_loss is not None
    model = WhisperModel(str(res.ct2_dirs["int8"]), device="cpu", compute_type="int8")
    segs, info = model.transcribe(str(tts_wav("The patient feels much better today.")), beam_size=1)
    text = " ".join(s.text for s in segs).lower()
    assert "patient" in text and "better" in text, text


def test_registered_model_resolves_through_the_model_store(tiny_run, tmp_home: Path) -> None:
    from medasr.asr.models import resolve_model
    from medasr.config import Settings
    from medasr.train.registry import register_trained

    settings = Settings.resolve({})
    entry = register_trained("medical-test", tiny_run, settings, bench={"note": "test"})
    card = json.loads(Path(entry["card"]).read_text())
    assert card["base"] == "bundled:tiny.en" and card["steps"] == 8 and len(card["files"]["model.bin"]) == 64
    rm = resolve_model("medical-test", settings)
    assert rm.source == "user" and rm.path == tiny_run.ct2_dirs["int8"].resolve()


def test_resume_continues_from_checkpoint(tiny_run) -> None:
    from medasr.config import Settings
    from medasr.train.asr import TrainConfig, train_asr

    cfg = TrainConfig(data=(tiny_run.out.parent / "corpus",), out=tiny_run.out, base="tiny.en", steps=10, batch_size=4, lr=2e-4, warmup=1,
                      eval_every=2, patience=10, seed=0, threads=2, audio_augment=False, spec_augment=False)
    res = train_asr(cfg, Settings.resolve({}))
    assert res.steps == 10 and [h["step"] for h in res.history] == [4, 8, 10]


def test_cli_train_asr_without_data_is_a_clean_error(cli, tmp_path: Path) -> None:
    r = cli("train", "asr", "--out", str(tmp_path / "x"))
    assert r.returncode != 0
    assert b"medasr: error: give --data" in r.stderr and b"Traceback" not in r.stderr
    r = cli("train", "--help")
    assert r.returncode == 0 and b"asr" in r.stdout


def test_train_modules_import_no_torch() -> None:
    import subprocess
    import sys

    code = ("import sys, medasr.train.asr, medasr.train.registry, medasr.train.ct2_to_hf, medasr.train.corpus, medasr.cli.train; "
            "bad = [m for m in ('torch', 'transformers') if m in sys.modules]; assert not bad, bad")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_rescore_splits_merged_bench_sets_by_id_prefix(tmp_path: Path) -> None:
    from medasr.train.rescore import rescore

    utts = [
        {"set": "manifest", "id": "gen-1", "system": "a asr", "ref": "start metformin today", "hyp": "start met for men today"},
        {"set": "manifest", "id": "day-1", "system": "a asr", "ref": "how are you", "hyp": "how are you"},
    ]
    p = tmp_path / "results.json"
    p.write_text(json.dumps({"utterances": utts}))
    out = rescore([p], {"gen": "synth", "day": "primock"}, n_boot=10)
    assert set(out) == {"synth | a asr", "primock | a asr"}
    assert out["primock | a asr"]["wer"]["value"] == 0.0
    assert out["synth | a asr"]["wer"]["value"] == pytest.approx(3 / 3)  # 1 substitution + 2 insertions over 3 words
