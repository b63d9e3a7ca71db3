"""``medasr train asr``: fine-tune Whisper on synth manifests, export to CTranslate2.

Written-form targets, SpecAugment and waveform augmentation, a dev set for early stopping
(best dev loss wins), resumable checkpoints, a JSONL loss log, a fixed seed. The guard
against forgetting is a frozen encoder (the default: the acoustic model stays as trained on
680k hours; on CPU it also means the encoder runs once per clip), a low learning rate, and
general English mixed into the corpus.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import random
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from medasr.config import Settings
from medasr.errors import ConfigError
from medasr.manifest import ManifestRow
from medasr.train.whisper.data import Splits, TargetEncoder, make_splits, pack, pad_batch, training_rows

log = logging.getLogger("medasr.train")
Progress = Callable[[str, int, int, dict[str, float]], None]  # (stage, done, total, metrics)


@dataclass(frozen=True)
class WhisperTrainConfig:
    data: tuple[Path, ...]
    out: Path
    base: str = "tiny.en"
    steps: int = 0  # 0: run ``epochs`` over the train split
    epochs: float = 3.0
    batch_size: int = 16
    lr: float = 1e-5
    warmup: int = 10
    weight_decay: float = 0.01
    freeze_encoder: bool = True
    freeze_embeddings: bool = True  # token + position embeddings (the output projection is tied)
    freeze_cross_kv: bool = True  # cross-attention key/value projections (with a frozen encoder)
    spec_augment: bool = True
    audio_augment: bool = True
    eval_every: int = 50
    patience: int = 4
    seed: int = 0
    max_train: int | None = None
    threads: int = 0
    device: str = "auto"
    resume: bool = True
    quantizations: tuple[str, ...] = ("int8",)
    language: str = "en"
    pack_seconds: float = 0.0  # >0: join utterances into clips of at most this many seconds
    pack_single_share: float = 0.0  # with packing: this share of utterances (and every "short" one) stays alone
    encoder_backend: str = "torch"  # frozen-encoder cache: torch (float32) or ct2 (CTranslate2 int8: faster on CPU, the inference encoder)
    max_dev: int = 200

    def __post_init__(self) -> None:
        if self.batch_size < 1 or self.lr <= 0 or self.eval_every < 1:
            raise ConfigError("batch_size and eval_every must be >= 1 and lr > 0")
        if not self.data:
            raise ConfigError("give at least one --data manifest")
        if self.encoder_backend not in ("torch", "ct2"):
            raise ConfigError(f"encoder_backend must be torch or ct2, not {self.encoder_backend!r}")


@dataclass(frozen=True)
class TrainResult:
    out: Path
    hf_dir: Path
    ct2_dirs: dict[str, Path]
    steps: int
    best_step: int
    first_loss: float
    final_train_loss: float
    best_dev_loss: float | None
    dev_loss_start: float | None
    seconds: float
    n_train: int
    n_dev: int
    device: str
    history: list[dict[str, float]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        d = asdict(self)
        d["out"], d["hf_dir"] = str(self.out), str(self.hf_dir)
        d["ct2_dirs"] = {k: str(v) for k, v in self.ct2_dirs.items()}
        d.pop("history")
        return d


def load_base(base: str, settings: Settings) -> tuple[Any, Path, str]:
    """(transformers model, folder holding tokenizer.json, a stable id of the base)."""
    from medasr.store.whisper import resolve_model
    from medasr.train.convert.ct2_to_hf import load_hf_from_ct2

    p = Path(base).expanduser()
    if p.is_dir() and (p / "config.json").is_file() and not (p / "model.bin").is_file():
        from transformers import WhisperForConditionalGeneration

        return WhisperForConditionalGeneration.from_pretrained(p), p, f"hf:{p.resolve()}"
    rm = resolve_model(base, settings)
    log.info("base model %s", rm.describe())
    return load_hf_from_ct2(rm.path), rm.path, f"{rm.source}:{rm.name}"


def _device(name: str) -> str:
    import torch

    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return name


def _batches(n: int, bs: int, rng: random.Random) -> list[list[int]]:
    idx = list(range(n))
    rng.shuffle(idx)
    return [idx[i : i + bs] for i in range(0, n, bs)]


def train_asr(cfg: WhisperTrainConfig, settings: Settings, progress: Progress | None = None) -> TrainResult:
    import torch

    from medasr.train.convert.export import export_ct2
    from medasr.train.whisper.features import cache_key, clip_features, encoder_cache

    t0 = time.monotonic()
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    device = _device(cfg.device)
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    utts: list[ManifestRow] = [u for m in cfg.data for u in training_rows(m)]
    splits = make_splits(utts, seed=cfg.seed, max_train=cfg.max_train, max_dev=cfg.max_dev)
    if cfg.pack_seconds > 0:
        splits = Splits(train=pack(splits.train, cfg.pack_seconds, cfg.seed, single_share=cfg.pack_single_share),
                        dev=pack(splits.dev, cfg.pack_seconds, cfg.seed, single_share=cfg.pack_single_share))
    model, tok_dir, base_id = load_base(cfg.base, settings)
    model.to(device)
    enc_tgt = TargetEncoder(tok_dir / "tokenizer.json", cfg.language, max_tokens=model.config.max_target_positions - 8)
    targets = {u.id: enc_tgt.encode(u.text) for u in splits.train + splits.dev}
    pad = enc_tgt.eot

    def stage(name: str) -> Callable[[int, int], None]:
        return lambda d, t: progress(name, d, t, {}) if progress else None

    train_enc = dev_enc = None
    if cfg.freeze_encoder:
        for p in model.model.encoder.parameters():
            p.requires_grad_(False)
        if cfg.freeze_cross_kv:
            for layer in model.model.decoder.layers:
                for p in (*layer.encoder_attn.k_proj.parameters(), *layer.encoder_attn.v_proj.parameters()):
                    p.requires_grad_(False)
        ct2_dir = None
        if cfg.encoder_backend == "ct2":
            if not (tok_dir / "model.bin").is_file():
                raise ConfigError(f"encoder_backend ct2 needs a CTranslate2 base model; {cfg.base} is a transformers folder")
            ct2_dir = tok_dir
        enc_id = base_id if ct2_dir is None else f"{base_id}:ct2-int8"
        key = cache_key(splits.train, enc_id, cfg.seed, cfg.audio_augment, cfg.spec_augment)
        train_enc = encoder_cache(model, splits.train, out / "cache" / "train", key, seed=cfg.seed, audio_aug=cfg.audio_augment,
                                  specaug=cfg.spec_augment, progress=stage("encode train"), ct2_dir=ct2_dir, threads=cfg.threads)
        dkey = cache_key(splits.dev, enc_id, cfg.seed, False, False)
        dev_enc = encoder_cache(model, splits.dev, out / "cache" / "dev", dkey, seed=cfg.seed, audio_aug=False, specaug=False,
                                progress=stage("encode dev"), ct2_dir=ct2_dir, threads=cfg.threads)
    if cfg.freeze_embeddings:
        for p in (*model.model.decoder.embed_tokens.parameters(), *model.model.decoder.embed_positions.parameters()):
            p.requires_grad_(False)
    feat_rng = np.random.default_rng(cfg.seed + 1)

    def batch_loss(items: list[ManifestRow], idx: list[int], enc_arr: Any, train: bool) -> Any:
        inp, lab = pad_batch([targets[items[i].id] for i in idx], pad)
        inp_t, lab_t = torch.from_numpy(inp).to(device), torch.from_numpy(lab).to(device)
        if enc_arr is not None:
            enc = torch.from_numpy(np.asarray(enc_arr[sorted(idx)], dtype=np.float32)[np.argsort(np.argsort(idx))]).to(device)
            logits = model(encoder_outputs=(enc,), decoder_input_ids=inp_t).logits
        else:
            feats = np.stack([clip_features(items[i], feat_rng if train else None, audio_aug=cfg.audio_augment and train,
                                            specaug=cfg.spec_augment and train, n_mels=model.config.num_mel_bins) for i in idx])
            logits = model(input_features=torch.from_numpy(feats).to(device), decoder_input_ids=inp_t).logits
        return torch.nn.functional.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), lab_t.reshape(-1), ignore_index=-100)

    def dev_loss() -> float | None:
        if not splits.dev:
            return None
        model.eval()
        tot, n = 0.0, 0
        with torch.no_grad():
            for b in [list(range(i, min(i + cfg.batch_size, len(splits.dev)))) for i in range(0, len(splits.dev), cfg.batch_size)]:
                tot += float(batch_loss(splits.dev, b, dev_enc, False)) * len(b)
                n += len(b)
        model.train()
        return tot / n

    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    per_epoch = -(-len(splits.train) // cfg.batch_size)
    total = cfg.steps or max(1, int(round(cfg.epochs * per_epoch)))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / max(1, cfg.warmup)) * max(0.05, 1 - s / total))
    ckpt = out / "checkpoint.pt"
    state = {"step": 0, "best": float("inf"), "best_step": 0, "bad": 0, "history": [], "first_loss": None}
    if cfg.resume and ckpt.is_file():
        c = torch.load(ckpt, map_location=device, weights_only=False)
        model.load_state_dict(c["model"], strict=False)
        opt.load_state_dict(c["opt"])
        sched.load_state_dict(c["sched"])
        state = c["state"]
        log.info("resumed from %s at step %d", ckpt, state["step"])
    best_path = out / "best.pt"
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}

    def save_ckpt() -> None:
        tmp = ckpt.with_suffix(".tmp")
        torch.save({"model": {k: v for k, v in model.state_dict().items() if k in trainable}, "opt": opt.state_dict(),
                    "sched": sched.state_dict(), "state": state}, tmp)
        tmp.replace(ckpt)

    if "dev_loss_start" not in state:
        state["dev_loss_start"] = dev_loss()  # the base model's dev loss: what training must beat
    logf = open(out / "train_log.jsonl", "a", encoding="utf-8")
    model.train()
    rng = random.Random(cfg.seed + state["step"])
    batches: list[list[int]] = []
    running: list[float] = []
    stop = False
    while state["step"] < total and not stop:
        if not batches:
            batches = _batches(len(splits.train), cfg.batch_size, rng)
        b = batches.pop()
        loss = batch_loss(splits.train, b, train_enc, True)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        state["step"] += 1
        lv = float(loss.detach())
        state["first_loss"] = state["first_loss"] if state["first_loss"] is not None else lv
        running.append(lv)
        if progress:
            progress("train", state["step"], total, {"loss": lv})
        if state["step"] % cfg.eval_every == 0 or state["step"] == total:
            dl = dev_loss()
            rec = {"step": state["step"], "train_loss": float(np.mean(running)), "dev_loss": dl, "lr": sched.get_last_lr()[0],
                   "seconds": round(time.monotonic() - t0, 1)}
            running = []
            state["history"].append(rec)
            logf.write(json.dumps(rec) + "\n")
            logf.flush()
            log.info("step %d train %.4f dev %s", rec["step"], rec["train_loss"], dl)
            if dl is None or dl < state["best"]:
                state["best"], state["best_step"], state["bad"] = (dl if dl is not None else state["best"]), state["step"], 0
                torch.save({k: v for k, v in model.state_dict().items() if k in trainable}, best_path)
            else:
                state["bad"] += 1
                stop = state["bad"] >= cfg.patience
            save_ckpt()
    logf.close()
    if best_path.is_file():
        model.load_state_dict(torch.load(best_path, map_location=device), strict=False)
    hf_dir = out / "hf"
    model.to("cpu").save_pretrained(hf_dir, safe_serialization=True)
    shutil.copyfile(tok_dir / "tokenizer.json", hf_dir / "tokenizer.json")
    ct2 = {q: export_ct2(hf_dir, out / f"ct2-{q}", q) for q in cfg.quantizations}
    hist = state["history"]
    res = TrainResult(
        out=out, hf_dir=hf_dir, ct2_dirs=ct2, steps=state["step"], best_step=state["best_step"], first_loss=float(state["first_loss"] or 0.0),
        final_train_loss=float(hist[-1]["train_loss"]) if hist else float("nan"),
        best_dev_loss=None if state["best"] == float("inf") else float(state["best"]), dev_loss_start=state.get("dev_loss_start"), seconds=round(time.monotonic() - t0, 1),
        n_train=len(splits.train), n_dev=len(splits.dev), device=f"{device} ({platform.processor() or platform.machine()}, {os.cpu_count()} cores)",
        history=hist,
    )
    summary = {**res.summary(), "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(cfg).items()}, "base_id": base_id}
    summary["config"]["data"] = [str(p) for p in cfg.data]
    (out / "train_summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    from medasr.train.whisper.report import plot_losses

    plot_losses(out)
    return res
