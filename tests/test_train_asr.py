"""`medasr train asr` on CPU: a few steps on a handful of real espeak-ng clips (issue 8)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from medasr.errors import InputError
from medasr.train.whisper.data import TargetEncoder, make_splits, spec_augment, training_rows


@pytest.fixture(scope="module")
def tiny_tokenizer() -> Path:
    from medasr.store.whisper import resolve_model
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
        training_rows(tmp_path)
    (tmp_path / "manifest.jsonl").write_text('{"id": 1, "text": "no audio key"}\n')
    with pytest.raises(InputError, match=r"manifest.jsonl, line 1"):
        training_rows(tmp_path)
    (tmp_path / "manifest.jsonl").write_text(json.dumps({"id": "a", "audio": "a.wav", "text": "x", "split": "test"}) + "\n")
    with pytest.raises(InputError, match="no training utterances"):
        make_splits(training_rows(tmp_path))


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
    from medasr.train.whisper.train import WhisperTrainConfig, train_asr
    from medasr.train.whisper.corpus import build_corpus

    root = tmp_path_factory.mktemp("train")
    manifest = build_corpus(root / "corpus", 10, seed=3, engines=("espeak-ng",))
    lines = [json.loads(x) for x in manifest.read_text().splitlines()]
    assert len(lines) == 10 and all((manifest.parent / d["audio"]).is_file() for d in lines)
    cfg = WhisperTrainConfig(data=(manifest,), out=root / "run", base="tiny.en", steps=8, batch_size=4, lr=2e-4, warmup=1, eval_every=4,
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
    from medasr.store.whisper import resolve_model
    from medasr.config import Settings
    from medasr.train.whisper.registry import register_trained

    settings = Settings.resolve({})
    entry = register_trained("medical-test", tiny_run, settings, bench={"note": "test"})
    card = json.loads(Path(entry["card"]).read_text())
    assert card["base"] == "bundled:tiny.en" and card["steps"] == 8 and len(card["files"]["model.bin"]) == 64
    rm = resolve_model("medical-test", settings)
    assert rm.source == "user" and rm.path == tiny_run.ct2_dirs["int8"].resolve()


def test_resume_continues_from_checkpoint(tiny_run) -> None:
    from medasr.config import Settings
    from medasr.train.whisper.train import WhisperTrainConfig, train_asr

    cfg = WhisperTrainConfig(data=(tiny_run.out.parent / "corpus",), out=tiny_run.out, base="tiny.en", steps=10, batch_size=4, lr=2e-4, warmup=1,
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

    code = ("import sys, medasr.train.whisper.train, medasr.train.whisper.registry, medasr.train.convert.ct2_to_hf, medasr.train.whisper.corpus, medasr.cli.train; "
            "bad = [m for m in ('torch', 'transformers') if m in sys.modules]; assert not bad, bad")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_rescore_splits_merged_bench_sets_by_id_prefix(tmp_path: Path) -> None:
    from medasr.bench.rescore import rescore

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


def test_interpolate_state_is_linear_and_checks_shapes() -> None:
    import torch

    from medasr.errors import ConfigError
    from medasr.train.whisper.merge import interpolate_state

    base = {"w": torch.zeros(2, 3), "n": torch.tensor([1, 2])}
    tuned = {"w": torch.ones(2, 3) * 4, "n": torch.tensor([5, 6])}
    out = interpolate_state(base, tuned, 0.25)
    assert torch.allclose(out["w"], torch.full((2, 3), 1.0)) and out["n"].tolist() == [5, 6]
    assert torch.equal(interpolate_state(base, tuned, 0.0)["w"], base["w"])
    with pytest.raises(ConfigError, match="between 0 and 1"):
        interpolate_state(base, tuned, 1.5)
    with pytest.raises(ConfigError, match="shape"):
        interpolate_state(base, {"w": torch.ones(3, 2), "n": tuned["n"]}, 0.5)
    with pytest.raises(ConfigError, match="differ"):
        interpolate_state(base, {"w": tuned["w"]}, 0.5)


def test_merge_cli_interpolates_a_run_with_its_base_and_registers_it(tiny_run, cli, tmp_home: Path, tts_wav) -> None:
    import torch
    from faster_whisper import WhisperModel
    from transformers import WhisperForConditionalGeneration

    out = tiny_run.out.parent / "merged"
    r = cli("train", "merge", "--tuned", str(tiny_run.out), "--alpha", "0.5", "--out", str(out), "--register", "merged-test")
    assert r.returncode == 0, r.stderr.decode()
    assert b"registered merged-test" in r.stdout
    tuned = WhisperForConditionalGeneration.from_pretrained(tiny_run.hf_dir).state_dict()
    merged = WhisperForConditionalGeneration.from_pretrained(out / "hf").state_dict()
    name = "model.decoder.layers.0.fc1.weight"  # trained (decoder MLP), so it moved
    from medasr.config import Settings
    from medasr.train.whisper.train import load_base

    base = load_base("tiny.en", Settings.resolve({}))[0].state_dict()
    assert not torch.equal(base[name], tuned[name])
    assert torch.allclose(merged[name], (base[name] + tuned[name]) / 2, atol=1e-6)
    card = json.loads((out / "ct2-int8" / "card.json").read_text())
    assert card["merged_from"]["alpha"] == 0.5
    model = WhisperModel(str(out / "ct2-int8"), device="cpu", compute_type="int8")
    segs, _ = model.transcribe(str(tts_wav("The patient feels much better today.")), beam_size=1)
    assert "better" in " ".join(s.text for s in segs).lower()


def test_release_copies_the_int8_export_with_card_and_manifest_entry(tiny_run, cli, tmp_path: Path) -> None:
    from medasr.files import sha256_file

    models = tmp_path / "models"
    models.mkdir()
    (models / "manifest.json").write_text(json.dumps({"manifest_version": 1, "models": [{"name": "tiny.en", "source": "bundled"}]}))
    bench = tmp_path / "results.json"
    bench.write_text(json.dumps({"config": {"beam_size": 5}, "results": [
        {"set": "synth-test", "system": "x asr", "utts": 3, "score": {"ref_words": 9, "wer": {"value": 0.5, "low": 0.1, "high": 0.9},
                                                                   "terms": {"medwer": {"ref_terms": 2, "wer": {"value": 0.5}}}}}]}))
    r = cli("train", "release", "--run", str(tiny_run.out), "--name", "tiny-test", "--bench", str(bench), "--models-dir", str(models))
    assert r.returncode == 0, r.stderr.decode()
    manifest = json.loads((models / "manifest.json").read_text())
    entry = next(m for m in manifest["models"] if m["name"] == "tiny-test")
    assert [m["name"] for m in manifest["models"]] == ["tiny.en", "tiny-test"]
    assert entry["source"] == "repo" and entry["path"] == "tiny-test"
    assert entry["files"]["model.bin"] == sha256_file(models / "tiny-test" / "model.bin") == sha256_file(tiny_run.ct2_dirs["int8"] / "model.bin")
    card = json.loads((models / "cards" / "tiny-test.json").read_text())
    assert card["bench"]["sets"]["synth-test"]["x asr"]["medwer_wer"]["value"] == 0.5 and card["steps"] == json.loads((tiny_run.out / "train_summary.json").read_text())["steps"]
    r = cli("train", "release", "--run", str(tmp_path), "--name", "nope", "--models-dir", str(models))
    assert r.returncode != 0 and b"no train_summary.json" in r.stderr and b"Traceback" not in r.stderr


def test_pack_keeps_short_speech_alone_and_joins_the_rest(tmp_path: Path) -> None:
    from medasr.audio import write_wav
    from medasr.manifest import ManifestRow
    from medasr.train.whisper.corpus import short_sentences
    from medasr.train.whisper.data import pack

    utts = []
    for i in range(12):
        kind = "short" if i < 3 else "medical"
        write_wav(tmp_path / f"u{i}.wav", np.zeros(16000 * (1 if kind == "short" else 5), dtype=np.float32))
        utts.append(ManifestRow(id=f"u{i}", audio=tmp_path / f"u{i}.wav", text=f"t{i}", kind=kind))
    clips = pack(utts, 24.0, seed=0)
    assert {c.id for c in clips if "+" not in c.id} >= {"u0", "u1", "u2"}  # short ones never joined
    joined = [c for c in clips if "+" in c.id]
    assert joined and all(len(c.parts) <= 4 for c in joined)  # 5.3 s each: at most 4 fit in 24 s
    assert sorted(i for c in clips for i in c.id.split("+")) == sorted(u.id for u in utts)  # nothing lost or doubled
    alone = pack(utts, 24.0, seed=0, single_share=1.0)
    assert [c.id for c in alone] == [u.id for u in utts]
    shorts = short_sentences(200, seed=1)
    assert shorts == short_sentences(200, seed=1) and all(len(s.split()) <= 2 for s in shorts)
    assert any(s == "Three." for s in shorts) and any(s[:-1].isdigit() for s in shorts)


def test_ct2_encoder_cache_matches_torch_and_trains(tiny_run, tmp_path: Path) -> None:
    from medasr.config import Settings
    from medasr.train.whisper.train import WhisperTrainConfig, load_base, train_asr
    from medasr.train.whisper.features import encoder_cache

    utts = make_splits(training_rows(tiny_run.out.parent / "corpus")).train[:3]
    model, ct2_dir, _ = load_base("tiny.en", Settings.resolve({}))
    ref = np.asarray(encoder_cache(model, utts, tmp_path / "torch", "k1", seed=0, audio_aug=False, specaug=False), dtype=np.float32)
    ct2 = np.asarray(encoder_cache(model, utts, tmp_path / "ct2", "k2", seed=0, audio_aug=False, specaug=False, ct2_dir=ct2_dir, threads=2), dtype=np.float32)
    assert ref.shape == ct2.shape == (3, 1500, 384)
    cos = (ref * ct2).sum(-1) / (np.linalg.norm(ref, axis=-1) * np.linalg.norm(ct2, axis=-1))
    assert float(np.median(cos)) > 0.98, float(np.median(cos))  # int8 quantization moves it a little, no more
    cfg = WhisperTrainConfig(data=(tiny_run.out.parent / "corpus",), out=tmp_path / "run", base="tiny.en", steps=6, batch_size=4, lr=2e-4, warmup=1, eval_every=6,
                      patience=10, seed=0, threads=2, audio_augment=False, spec_augment=False, encoder_backend="ct2")
    res = train_asr(cfg, Settings.resolve({}))
    assert res.steps == 6 and res.best_dev_loss is not None and res.best_dev_loss < res.dev_loss_start, (res.dev_loss_start, res.history)
