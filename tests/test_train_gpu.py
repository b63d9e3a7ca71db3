"""The GPU fine-tuning path (issue 8), run on CPU: features, augmentation, device-side rendering,
packing, a few real training steps, what travels (plan rows, Opus bundles) and assembly back
into a CTranslate2 model that faster-whisper runs."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from medasr.train.gpu import audio as ga  # noqa: E402
from medasr.train.gpu import carry as gpu_carry  # noqa: E402
from medasr.train.gpu import features as feat  # noqa: E402
from medasr.train.gpu import finetune as gf  # noqa: E402

ESPEAK = shutil.which("espeak-ng")
FLITE = shutil.which("flite")
needs_tts = pytest.mark.skipif(ESPEAK is None or FLITE is None, reason="espeak-ng and flite are needed (apt-get install espeak-ng flite)")


@pytest.fixture(scope="module")
def hf_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled tiny.en as a transformers folder with its tokenizer (what travels to the GPU machine)."""
    from medasr.store.whisper import resolve_model
    from medasr.config import Settings
    from medasr.train.convert.ct2_to_hf import convert_ct2_to_hf

    src = resolve_model("tiny.en", Settings.resolve({})).path
    base = tmp_path_factory.mktemp("hf")
    convert_ct2_to_hf(src, base, dtype="float32")
    shutil.copyfile(src / "tokenizer.json", base / "tokenizer.json")
    return base


def _row(i: int, text: str, engine: str = "espeak-ng", voice: str = "en-us+m3", split: str = "train", kind: str = "medical") -> dict:
    return {"id": f"r{i}", "text": text, "spoken": text, "engine": engine, "voice": voice, "rate": 1.0, "pitch": 1.0, "split": split, "kind": kind}


def test_log_mel_matches_faster_whisper() -> None:
    from medasr.train.convert.hf_decode import log_mel

    rng = np.random.default_rng(0)
    a = (rng.standard_normal(16000 * 7) * 0.1).astype(np.float32)
    w = np.zeros((2, feat.N_SAMPLES), np.float32)
    w[0, : a.size] = a
    w[1, :16000] = a[:16000]
    got = feat.log_mel_batch(torch.from_numpy(w), torch.from_numpy(feat.mel_filters())).numpy()
    assert got.shape == (2, 80, 3000)
    assert np.abs(got[0] - log_mel(a)).max() < 1e-4
    assert np.abs(got[1] - log_mel(a[:16000])).max() < 1e-4  # per-clip floor, not the batch's


def test_augmentation_keeps_padding_silent_and_changes_speech() -> None:
    rng = np.random.default_rng(1)
    n = 16000 * 3
    w = np.zeros((6, feat.N_SAMPLES), np.float32)
    w[:, :n] = (rng.standard_normal(n) * 0.1).astype(np.float32)
    g = torch.Generator().manual_seed(0)
    x = feat.augment_batch(torch.from_numpy(w), torch.tensor([n] * 6), g, p=1.0)
    assert float(x[:, n:].abs().max()) == 0.0
    changed = (x[:, :n] - torch.from_numpy(w[:, :n])).abs().amax(dim=1)
    assert bool((changed > 1e-3).all())
    assert float(x.abs().max()) <= 1.0
    off = feat.augment_batch(torch.from_numpy(w), torch.tensor([n] * 6), g, p=0.0)
    assert torch.equal(off, torch.from_numpy(w))

    feats = torch.zeros(3, 80, 3000)
    feats[:, :, :300] = 1.0
    masked = feat.spec_augment_batch(feats, torch.tensor([300, 300, 300]), g, p=1.0)
    frac = (masked != feats).float().mean(dim=(1, 2))
    assert bool((frac > 0).any()) and float(frac.max()) < 0.5
    assert torch.equal(feat.spec_augment_batch(feats, torch.tensor([300] * 3), g, p=0.0), feats)


@needs_tts
def test_render_espeak_and_flite_at_16k_and_refuse_others() -> None:
    rows = [_row(0, "Metformin five hundred milligrams."), _row(1, "Lisinopril ten milligrams.", "flite", "slt"),
            _row(2, "Hello there.", "festival", "kal")]
    audio = ga.render_plan(rows, [ESPEAK], [FLITE], jobs=2)
    assert set(audio) == {"r0", "r1"}  # festival cannot be made on the device: counted, not fatal
    for a in audio.values():
        assert a.dtype == np.float32 and 0.8 < a.size / ga.SAMPLE_RATE < 5 and 0.45 < np.abs(a).max() <= 0.5
    with pytest.raises(ValueError, match="espeak-ng and flite only"):
        ga.render_one(rows[2], [ESPEAK], [FLITE])


def test_make_clips_packs_within_limit_and_keeps_short_alone() -> None:
    rows = [_row(i, f"sentence {i}") for i in range(20)] + [_row(99, "Yes.", kind="short")]
    dur = {r["id"]: 5.0 for r in rows}
    clips = ga.make_clips(rows, dur, pack_seconds=16, single_share=0.0, seed=0)
    ids = [i for c in clips for i in c.ids]
    assert sorted(ids) == sorted(dur)  # every row once
    assert ("r99",) in [c.ids for c in clips]
    assert all(len(c.ids) * 5.3 <= 16 for c in clips) and max(len(c.ids) for c in clips) == 3
    packed = next(c for c in clips if len(c.ids) == 3)
    assert packed.text == " ".join(f"sentence {i[1:]}" for i in packed.ids)
    alone = ga.make_clips(rows, dur, pack_seconds=0, single_share=0.0, seed=0)
    assert all(len(c.ids) == 1 for c in alone)


def test_carry_plan_refuses_heldout_voices_and_unrenderable_engines(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="held-out voice"):
        gpu_carry.write_plan([_row(0, "x", "flite", "awb")], tmp_path / "p.jsonl.gz")
    with pytest.raises(ValueError, match="cannot be rendered"):
        gpu_carry.write_plan([_row(0, "x", "piper", "joe")], tmp_path / "p.jsonl.gz")
    assert gpu_carry.write_plan([_row(0, "x")], tmp_path / "p.jsonl.gz") == 1
    assert json.loads(gzip.open(tmp_path / "p.jsonl.gz", "rt").readline())["voice"] == "en-us+m3"


def test_opus_bundles_split_by_size_and_drop_test_and_heldout(tmp_path: Path) -> None:
    import soundfile as sf

    src = tmp_path / "corpus"
    (src / "audio").mkdir(parents=True)
    t = np.arange(16000 * 2) / 16000
    rows = []
    for i in range(6):
        sf.write(src / "audio" / f"u{i}.flac", (0.3 * np.sin(2 * np.pi * (200 + 50 * i) * t)).astype(np.float32), 16000)
        split = "test" if i == 5 else "train"
        voice = "awb" if i == 4 else "kal"
        rows.append({"id": f"u{i}", "audio": f"audio/u{i}.flac", "text": f"t{i}", "engine": "festival", "voice": voice, "split": split,
                     "augmentation": [{"type": "prosody", "rate": 1.1, "pitch": 1.0}]})
    rows.append({"id": "e0", "audio": "audio/u0.flac", "text": "e", "engine": "espeak-ng", "voice": "espeak-ng:en-us+m3", "split": "train",
                 "augmentation": [{"type": "prosody", "rate": 0.9, "pitch": 1.2}]})
    (src / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    folders = gpu_carry.opus_bundles(src / "manifest.jsonl", tmp_path / "out", engines=["festival"], limit_bytes=12_000, name="c")
    got = [json.loads(line) for f in folders for line in open(f / "manifest.jsonl")]
    assert [r["id"] for r in got] == ["u0", "u1", "u2", "u3"]  # test row and held-out voice stay home
    assert len(folders) >= 2 and all(sum(p.stat().st_size for p in (f / "audio").iterdir()) <= 12_000 for f in folders)
    rows_back, audio = ga.read_corpus(folders[0], prefix="c/")
    assert rows_back[0]["id"] == "c/u0" and abs(audio["c/u0"].size - 32000) < 400
    pr = gpu_carry.plan_row(rows[-1], prefix="x/")
    assert (pr["voice"], pr["rate"], pr["pitch"], pr["id"]) == ("en-us+m3", 0.9, 1.2, "x/e0")


@needs_tts
def test_train_few_steps_then_assemble_into_a_working_model(tmp_path: Path, tts_wav, hf_base: Path) -> None:
    """Real tiny.en weights, real espeak-ng and flite audio: two steps on CPU lower nothing
    dramatic but must run end to end; the assembled model transcribes speech."""
    from faster_whisper import WhisperModel

    base = hf_base
    rows = [_row(0, "Start metformin 500 mg twice daily."), _row(1, "The patient is stable.", "flite", "slt"),
            _row(2, "Please take a deep breath.", split="dev")]
    audio = ga.render_plan(rows, [ESPEAK], [FLITE], jobs=2)
    dur = {k: v.size / ga.SAMPLE_RATE for k, v in audio.items()}
    clips = {s: ga.make_clips([r for r in rows if r["split"] == s], dur, pack_seconds=0, single_share=0, seed=0) for s in ("train", "dev")}
    cfg = gf.GpuTrainConfig(out=tmp_path / "run", base=base, epochs=1, batch_size=2, lr=1e-6, warmup=1, eval_every=1, device="cpu")
    summary = gf.train(cfg, clips, audio)
    assert summary["steps"] == 1 and summary["n_train"] == 2 and summary["dev_loss_start"] > 0
    from safetensors.torch import load_file

    trained = load_file(str(tmp_path / "run" / "trained.safetensors"))
    assert not any("embed_tokens" in k for k in trained) and any(k.startswith("model.encoder.") for k in trained)
    assert all(v.dtype == torch.float16 for v in trained.values())
    log = [json.loads(line) for line in open(tmp_path / "run" / "train_log.jsonl")]
    assert log and log[-1]["dev_loss"] is not None

    out = gf.assemble("tiny.en", tmp_path / "run" / "trained.safetensors", tmp_path / "asm")
    model = WhisperModel(str(out["int8"]), device="cpu", compute_type="int8")
    segs, _ = model.transcribe(str(tts_wav("The patient is stable.")), beam_size=1)
    assert "stable" in " ".join(s.text for s in segs).lower()

    bad = {"model.encoder.conv1.weight": torch.zeros(3, 3)}
    from safetensors.torch import save_file

    save_file(bad, str(tmp_path / "bad.safetensors"))
    from medasr.errors import ConfigError

    with pytest.raises(ConfigError, match="do not fit"):
        gf.assemble("tiny.en", tmp_path / "bad.safetensors", tmp_path / "asm2")


@needs_tts
def test_transcribe_rows_gives_pairs_with_base_and_trained_weights(tmp_path: Path, hf_base: Path) -> None:
    """The corrector's (hypothesis, reference) pairs as the GPU machine makes them, here on CPU."""
    base = hf_base
    rows = [_row(0, "The patient is stable.", "flite", "slt"), _row(1, "Please take a deep breath.")]
    audio = ga.render_plan(rows, [ESPEAK], [FLITE], jobs=2)
    got = gf.transcribe_rows(base, None, rows, audio, batch_size=2, device="cpu")
    assert [r["id"] for r in got] == ["r0", "r1"] and all(r["ref"] == row["text"] for r, row in zip(got, rows, strict=True))
    assert "stable" in got[0]["hyp"].lower() and "breath" in got[1]["hyp"].lower()
    # trained weights go in: zeroing the decoder's final layer norm must change what comes out
    from safetensors.torch import save_file

    save_file({"model.decoder.layer_norm.weight": torch.zeros(384, dtype=torch.float16)}, str(tmp_path / "w.safetensors"))
    broken = gf.transcribe_rows(base, tmp_path / "w.safetensors", rows[:1], audio, batch_size=1, device="cpu")
    assert broken[0]["hyp"] != got[0]["hyp"]


def test_corrector_subcommand_trains_and_keeps_float16(tmp_path: Path) -> None:
    """`python -m medasr.train.gpu.finetune corrector` (what the GPU machine runs), a few steps on CPU."""
    from medasr.correction.bart.format import make_source, make_target, pruned_tokenizer_json

    (tmp_path / "tokenizer.json").write_text(json.dumps(pruned_tokenizer_json(2048)))
    pairs = [("start met 4,500 milligrams", "start metformin 500 milligrams"), ("the patient is stable", "the patient is stable")] * 8
    with gzip.open(tmp_path / "ex.jsonl.gz", "wt") as fh:
        for i, (h, r) in enumerate(pairs):
            fh.write(json.dumps({"source": make_source(h, "", ""), "target": make_target(r), "kind": "asr", "split": "dev" if i < 2 else "train"}) + "\n")
    rc = gf.main(["corrector", "--examples", str(tmp_path / "ex.jsonl.gz"), "--tokenizer", str(tmp_path / "tokenizer.json"), "--size", "tiny",
                  "--steps", "4", "--batch-size", "4", "--warmup", "1", "--eval-every", "2", "--out", str(tmp_path / "corr")])
    assert rc == 0
    from safetensors.torch import load_file

    w = load_file(str(tmp_path / "corr" / "hf" / "model.safetensors"))
    assert w and all(v.dtype == torch.float16 for v in w.values() if v.is_floating_point())
    log = [json.loads(line) for line in open(tmp_path / "corr" / "train_log.jsonl")]
    assert [r["step"] for r in log] == [2, 4] and all(r["dev_loss"] > 0 for r in log)


@needs_tts
def test_train_command_runs_its_epochs_and_records_the_data(tmp_path: Path, hf_base: Path) -> None:
    """`python -m medasr.train.gpu.finetune train` as the GPU machine runs it: plan rows rendered,
    dev rows trimmed, clips packed, the steps of the asked epochs (no time limit unless asked)."""
    rows = [_row(i, t) for i, t in enumerate(["Start metformin 500 mg.", "The patient is stable.", "Take a deep breath.", "No known allergies."])]
    rows += [_row(10, "Lisinopril 10 mg daily.", "flite", "kal16", split="dev"), _row(11, "Review in two weeks.", split="dev")]
    with gzip.open(tmp_path / "plan.jsonl.gz", "wt") as fh:
        fh.writelines(json.dumps(r) + "\n" for r in rows)
    rc = gf.main(["train", "--base", str(hf_base), "--plan", str(tmp_path / "plan.jsonl.gz"), "--espeak", ESPEAK, "--flite", FLITE,
                  "--out", str(tmp_path / "run"), "--epochs", "2", "--batch-size", "2", "--pack-seconds", "0", "--max-dev-render", "1",
                  "--eval-every", "2", "--lr", "1e-6"])
    assert rc == 0
    summary = json.loads((tmp_path / "run" / "train_summary.json").read_text())
    assert summary["steps"] == 4 and summary["stop"] == "steps"  # 4 clips, batch 2, 2 epochs
    assert summary["n_train"] == 4 and summary["n_dev"] == 1
    assert summary["config"]["data"] == ["plan:plan.jsonl.gz"] and summary["config"]["audio_augment"] is True
    # --init: a second run starts from given trained tensors (continued training on the device);
    # a decoder whose last layer norm is zeroed must show in the dev loss before the first step
    from safetensors.torch import save_file

    save_file({"model.decoder.layer_norm.weight": torch.zeros(384, dtype=torch.float16)}, str(tmp_path / "zero.safetensors"))
    rc = gf.main(["train", "--base", str(hf_base), "--plan", str(tmp_path / "plan.jsonl.gz"), "--espeak", ESPEAK, "--flite", FLITE,
                  "--out", str(tmp_path / "run2"), "--epochs", "0.5", "--batch-size", "2", "--pack-seconds", "0", "--max-dev-render", "1",
                  "--lr", "1e-6", "--init", str(tmp_path / "zero.safetensors")])
    assert rc == 0
    s2 = json.loads((tmp_path / "run2" / "train_summary.json").read_text())
    assert s2["config"]["init"].endswith("zero.safetensors") and s2["steps"] == 1
    assert s2["dev_loss_start"] > summary["dev_loss_start"] + 1.0
