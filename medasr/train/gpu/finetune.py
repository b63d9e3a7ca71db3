"""Whole-model Whisper fine-tuning on a lent GPU machine (see ``scripts/gpu_train.sh``).

That machine has torch, transformers, numpy, scipy and tokenizers, and no network, no PyAV,
no ffmpeg. Only text travels there in bulk: espeak-ng and flite render the training
sentences on its 16 cores (their .debs travel), and the slower engines' audio (festival,
piper) travels compressed. Everything else happens on the GPU: log-mel features (Whisper's
exact recipe, checked against faster-whisper's in the tests), waveform augmentation
(gain, white or brown noise, band limiting) and SpecAugment, bf16 autocast.

What comes back is the trained tensors only, float16, without the token embedding (frozen: it
is tied to the output projection and is half of tiny's weights), so one device call can carry
it home; ``assemble`` puts them into the base model here and exports CTranslate2.

    python -m medasr.train.gpu.finetune train --base HF_DIR --plan plan.jsonl.gz --corpus DIR ... --out RUN
    python -m medasr.train.gpu.finetune assemble --base tiny.en --weights RUN/trained.safetensors --out RUN
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import random
import shlex
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from medasr.audio import SAMPLE_RATE
from medasr.manifest import read_rows
from medasr.train.gpu.audio import Clip, clip_audio, make_clips, read_corpus, render_plan
from medasr.train.gpu.features import N_SAMPLES, augment_batch, log_mel_batch, mel_filters, spec_augment_batch

log = logging.getLogger("medasr.train")


@dataclass(frozen=True)
class GpuTrainConfig:
    out: Path
    base: Path  # transformers folder (config.json, model.safetensors, tokenizer.json)
    epochs: float = 3.0
    batch_size: int = 64
    lr: float = 2e-5
    warmup: int = 50
    weight_decay: float = 0.01
    train_encoder: bool = True
    eval_every: int = 100
    patience: int = 4
    seed: int = 0
    max_seconds: float = 0.0  # stop (keeping the best so far) after this long; 0: no limit
    device: str = "auto"
    init: Path | None = None  # trained tensors (an earlier run's trained.safetensors) to start from instead of the base's


def _trained_names(model: Any, train_encoder: bool) -> list[str]:
    names = []
    for n, p in model.named_parameters():
        frozen = "embed_tokens" in n or "proj_out" in n or (not train_encoder and n.startswith("model.encoder."))
        p.requires_grad_(not frozen)
        if not frozen:
            names.append(n)
    return names


def train(cfg: GpuTrainConfig, clips: dict[str, list[Clip]], audio: dict[str, np.ndarray]) -> dict[str, Any]:
    """Fine-tune; write ``out/trained.safetensors`` (best dev loss; float16; trained tensors only),
    ``out/train_log.jsonl`` and ``out/train_summary.json``; return the summary."""
    import torch
    from safetensors.torch import save_file
    from transformers import WhisperForConditionalGeneration

    from medasr.train.whisper.data import TargetEncoder, pad_batch

    t0 = time.monotonic()
    torch.manual_seed(cfg.seed)
    device = cfg.device if cfg.device != "auto" else ("cuda" if torch.cuda.is_available() else "cpu")
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    model = WhisperForConditionalGeneration.from_pretrained(cfg.base, dtype=torch.float32)
    if cfg.init is not None:
        put_trained(model, Path(cfg.init), str(cfg.base))
    model = model.to(device)
    enc = TargetEncoder(Path(cfg.base) / "tokenizer.json", "en", max_tokens=model.config.max_target_positions - 8)
    names = _trained_names(model, cfg.train_encoder)
    params = [p for p in model.parameters() if p.requires_grad]
    filters = torch.from_numpy(mel_filters(model.config.num_mel_bins)).to(device)
    gen = torch.Generator(device=device)
    gen.manual_seed(cfg.seed)
    train_c, dev_c = clips["train"], clips.get("dev", [])
    targets = {c: enc.encode(c.text) for c in train_c + dev_c}
    amp = device == "cuda"

    def loss_of(batch: list[Clip], augment: bool) -> Any:
        wav = np.zeros((len(batch), N_SAMPLES), dtype=np.float32)
        lens = np.zeros(len(batch), dtype=np.int64)
        for j, c in enumerate(batch):
            a = clip_audio(c, audio)
            wav[j, : a.size], lens[j] = a, a.size
        w = torch.from_numpy(wav).to(device, non_blocking=True)
        ln = torch.from_numpy(lens).to(device)
        if augment:
            w = augment_batch(w, ln, gen)
        feats = log_mel_batch(w, filters)
        if augment:
            feats = spec_augment_batch(feats, ln // 160, gen)
        inp, lab = pad_batch([targets[c] for c in batch], enc.eot)
        with torch.autocast(device_type="cuda", dtype=torch.bfloat16, enabled=amp):
            logits = model(input_features=feats, decoder_input_ids=torch.from_numpy(inp).to(device)).logits
        return torch.nn.functional.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), torch.from_numpy(lab).to(device).reshape(-1), ignore_index=-100)

    def dev_loss() -> float | None:
        if not dev_c:
            return None
        model.eval()
        tot = 0.0
        with torch.no_grad():
            for i in range(0, len(dev_c), cfg.batch_size):
                b = dev_c[i : i + cfg.batch_size]
                tot += float(loss_of(b, False)) * len(b)
        model.train()
        return tot / len(dev_c)

    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    per_epoch = -(-len(train_c) // cfg.batch_size)
    total = max(1, int(round(cfg.epochs * per_epoch)))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / max(1, cfg.warmup)) * max(0.05, 1 - s / total))
    rng = random.Random(cfg.seed)
    d0 = dev_loss()
    best, best_step, bad, step, running, hist = (d0 if d0 is not None else float("inf")), 0, 0, 0, [], []
    best_state = {n: p.detach().to("cpu", torch.float16).clone() for n, p in model.named_parameters() if n in names}
    logf = open(out / "train_log.jsonl", "w", encoding="utf-8")
    order: list[int] = []
    stop_reason = "steps"
    model.train()
    while step < total:
        if not order:
            order = list(range(len(train_c)))
            rng.shuffle(order)
        idx, order = order[: cfg.batch_size], order[cfg.batch_size :]
        loss = loss_of([train_c[i] for i in idx], True)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        step += 1
        running.append(float(loss.detach()))
        timed_out = cfg.max_seconds > 0 and time.monotonic() - t0 > cfg.max_seconds
        if step % cfg.eval_every == 0 or step == total or timed_out:
            dl = dev_loss()
            rec = {"step": step, "train_loss": float(np.mean(running)), "dev_loss": dl, "lr": sched.get_last_lr()[0], "seconds": round(time.monotonic() - t0, 1)}
            running = []
            hist.append(rec)
            logf.write(json.dumps(rec) + "\n")
            logf.flush()
            print(json.dumps(rec), flush=True)
            if dl is None or dl < best:
                best, best_step, bad = (dl if dl is not None else best), step, 0
                best_state = {n: p.detach().to("cpu", torch.float16).clone() for n, p in model.named_parameters() if n in names}
            else:
                bad += 1
                if bad >= cfg.patience:
                    stop_reason = "patience"
                    break
            if timed_out:
                stop_reason = "max_seconds"
                break
    logf.close()
    save_file(best_state, str(out / "trained.safetensors"))
    summary = {
        "steps": step, "best_step": best_step, "stop": stop_reason, "dev_loss_start": d0, "best_dev_loss": None if best == float("inf") else best,
        "first_loss": hist[0]["train_loss"] if hist else None, "final_train_loss": hist[-1]["train_loss"] if hist else None,
        "n_train": len(train_c), "n_dev": len(dev_c), "seconds": round(time.monotonic() - t0, 1),
        "device": torch.cuda.get_device_name(0) if device == "cuda" else device, "trained_tensors": len(names),
        "config": {**{k: str(v) if isinstance(v, Path) else v for k, v in cfg.__dict__.items()}, "spec_augment": True, "audio_augment": True,
                   "freeze_encoder": not cfg.train_encoder},
    }
    (out / "train_summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary


# ---------------------------------------------------------------- here: back into a model


def put_trained(model: Any, weights: Path, base: str) -> None:
    """Overwrite ``model``'s tensors with those in ``weights`` (what `train` brings home);
    refuse tensors the model lacks or of another shape, naming them."""
    import torch
    from safetensors.torch import load_file

    from medasr.errors import ConfigError

    state = model.state_dict()
    new = load_file(str(weights))
    bad = [k for k, v in new.items() if k not in state or tuple(state[k].shape) != tuple(v.shape)]
    if bad:
        raise ConfigError(f"{weights}: tensors that do not fit {base}: {', '.join(bad[:5])}")
    with torch.no_grad():
        for k, v in new.items():
            state[k].copy_(v.to(state[k].dtype))


def assemble(base: str, weights: Path, out: Path, quantizations: tuple[str, ...] = ("int8",)) -> dict[str, Path]:
    """Load ``base`` (a name the model store resolves, or a folder), overwrite the tensors in
    ``weights``, write ``out/hf`` and ``out/ct2-<q>``. Refuses weights that name tensors the
    base lacks or have other shapes."""
    import shutil

    from medasr.config import Settings
    from medasr.train.whisper.train import load_base
    from medasr.train.convert.export import export_ct2

    model, tok_dir, base_id = load_base(base, Settings.resolve({}))
    put_trained(model, weights, base)
    hf = Path(out) / "hf"
    model.save_pretrained(hf, safe_serialization=True)
    summary_path = Path(out) / "train_summary.json"  # the device's summary, when collected beside: name the base for the card
    if summary_path.is_file():
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        summary["base_id"] = base_id
        summary.setdefault("config", {})["freeze_encoder"] = not summary.get("config", {}).get("train_encoder", True)
        summary_path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    shutil.copyfile(tok_dir / "tokenizer.json", hf / "tokenizer.json")
    return {q: export_ct2(hf, Path(out) / f"ct2-{q}", q) for q in quantizations}


def transcribe_rows(base: Path, weights: Path | None, rows: list[dict[str, Any]], audio: dict[str, np.ndarray], *, batch_size: int = 128,
                    device: str = "auto") -> list[dict[str, Any]]:
    """Greedy transcripts of ``rows`` by ``base`` (with ``weights`` put in, when given), batched
    on the GPU in float16: the (hypothesis, reference) pairs the corrector learns from."""
    import torch
    from transformers import WhisperForConditionalGeneration

    from medasr.train.whisper.data import TargetEncoder

    device = device if device != "auto" else ("cuda" if torch.cuda.is_available() else "cpu")
    dtype = torch.float16 if device == "cuda" else torch.float32
    model = WhisperForConditionalGeneration.from_pretrained(base, dtype=torch.float32)
    if weights is not None:
        put_trained(model, weights, str(base))
    model = model.to(device, dtype).eval()
    tok = TargetEncoder(Path(base) / "tokenizer.json").tok
    filters = torch.from_numpy(mel_filters(model.config.num_mel_bins)).to(device)
    todo = [r for r in rows if r["id"] in audio]
    out = []
    for i in range(0, len(todo), batch_size):
        b = todo[i : i + batch_size]
        wav = np.zeros((len(b), N_SAMPLES), dtype=np.float32)
        for j, r in enumerate(b):
            a = audio[r["id"]][:N_SAMPLES]
            wav[j, : a.size] = a
        with torch.no_grad():
            feats = log_mel_batch(torch.from_numpy(wav).to(device), filters).to(dtype)
            ids = model.generate(input_features=feats, max_new_tokens=200, num_beams=1, do_sample=False)
        for r, seq in zip(b, ids.tolist(), strict=True):
            out.append({"id": r["id"], "hyp": tok.decode(seq, skip_special_tokens=True).strip(), "ref": r["text"], "engine": r.get("engine", ""),
                        "voice": r.get("voice", ""), "split": r.get("split", "train")})
    return out


def _corrector(args: argparse.Namespace) -> int:
    """Train the corrector with medasr.train.corrector.train on the device; keep the best checkpoint
    in float16 (half the bytes to carry home)."""
    import torch
    from transformers import BartForConditionalGeneration

    from medasr.train.corrector.train import CorrectorTrainConfig, train_corrector
    from medasr.train.corrector.data import Example

    rows = read_rows(args.examples)
    tr = [Example(r["source"], r["target"], r["kind"]) for r in rows if r.get("split") != "dev"]
    dv = [Example(r["source"], r["target"], r["kind"]) for r in rows if r.get("split") == "dev"]
    device = "cuda" if torch.cuda.is_available() else "cpu"
    cfg = CorrectorTrainConfig(out_dir=args.out, size=args.size, steps=args.steps, batch_size=args.batch_size, lr=args.lr, warmup=args.warmup,
                      eval_every=args.eval_every, max_minutes=args.max_minutes, device=device, tokenizer=args.tokenizer,
                      target=rows[0].get("format", "text") if rows else "text")  # --target text|edits of the examples
    res = train_corrector(cfg, tr, dv, progress=False)
    model = BartForConditionalGeneration.from_pretrained(res.hf_dir)
    model.half().save_pretrained(res.hf_dir)
    print(json.dumps({"steps": res.steps, "best_dev_loss": res.best_dev_loss, "train_loss": res.train_loss, "seconds": round(res.seconds, 1),
                      "n_params": res.n_params, "n_train": len(tr), "n_dev": len(dv), "device": device}), flush=True)
    return 0


def _add_inputs(p: argparse.ArgumentParser) -> None:
    p.add_argument("--base", type=Path, required=True)
    p.add_argument("--plan", type=Path, action="append", default=[], help="jsonl(.gz) rows to render: id, text, spoken, engine, voice, rate, pitch, split")
    p.add_argument("--corpus", type=Path, action="append", default=[], help="a carried corpus folder (manifest.jsonl + audio)")
    p.add_argument("--espeak", default="espeak-ng", help="the espeak-ng command line (e.g. with --path= on the GPU machine)")
    p.add_argument("--flite", default="flite")
    p.add_argument("--max-rows", type=int, default=0, help="use at most this many plan rows")


def _plan_rows(args: argparse.Namespace) -> list[dict[str, Any]]:
    rows = [r for p in args.plan for r in read_rows(p)]
    return rows[: args.max_rows] if args.max_rows else rows


def _load_inputs(args: argparse.Namespace, rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, np.ndarray]]:
    """Render ``rows`` and add the carried corpora: (all rows, {id: 16 kHz audio})."""
    t0 = time.monotonic()
    audio = render_plan(rows, shlex.split(args.espeak), shlex.split(args.flite))
    for c in args.corpus:
        crow, caud = read_corpus(c, prefix=c.name + "/")
        rows = rows + crow
        audio.update(caud)
    hours = sum(a.size for a in audio.values()) / SAMPLE_RATE / 3600
    print(json.dumps({"rows": len(rows), "clips_audio": len(audio), "hours": round(hours, 2), "load_s": round(time.monotonic() - t0, 1)}), flush=True)
    return rows, audio


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m medasr.train.gpu.finetune")
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train", help="render, train, write trained.safetensors (on the GPU machine)")
    _add_inputs(t)
    t.add_argument("--out", type=Path, action="append", required=True, help="one run folder per --variant")
    t.add_argument("--variant", action="append", default=[], help="per run: 'encoder' (whole model) or 'decoder' (frozen encoder)")
    t.add_argument("--epochs", type=float, default=3.0)
    t.add_argument("--batch-size", type=int, default=64)
    t.add_argument("--lr", type=float, default=2e-5)
    t.add_argument("--eval-every", type=int, default=100)
    t.add_argument("--pack-seconds", type=float, default=24.0)
    t.add_argument("--single-share", type=float, default=0.3)
    t.add_argument("--max-seconds", type=float, default=0.0, help="per run")
    t.add_argument("--deadline", type=float, default=0.0, help="seconds from start by which every run has stopped (the device call's limit, less a margin)")
    t.add_argument("--max-dev-render", type=int, default=300, help="dev rows to render (the rest are not needed)")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--init", type=Path, default=None, help="start from an earlier run's trained.safetensors (continued training)")
    d = sub.add_parser("transcribe", help="render plan rows and transcribe them (pairs for the corrector; on the GPU machine)")
    _add_inputs(d)
    d.add_argument("--weights", action="append", default=[], help="NAME=trained.safetensors, or NAME=none for the base itself; repeatable")
    d.add_argument("--batch-size", type=int, default=128)
    d.add_argument("--out", type=Path, required=True, help="pairs .jsonl.gz")
    k = sub.add_parser("corrector", help="train the BART corrector on examples built here (on the GPU machine)")
    k.add_argument("--examples", type=Path, required=True, help="jsonl(.gz): source, target, kind, split (train | dev)")
    k.add_argument("--tokenizer", type=Path, required=True, help="the pruned tokenizer.json the examples were built for")
    k.add_argument("--size", default="medium")
    k.add_argument("--steps", type=int, default=6000)
    k.add_argument("--batch-size", type=int, default=128)
    k.add_argument("--lr", type=float, default=5e-4)
    k.add_argument("--warmup", type=int, default=500)
    k.add_argument("--max-minutes", type=float, default=0.0)
    k.add_argument("--eval-every", type=int, default=500)
    k.add_argument("--out", type=Path, required=True)
    a = sub.add_parser("assemble", help="here: put trained.safetensors into the base model and export")
    a.add_argument("--base", default="tiny.en")
    a.add_argument("--weights", type=Path, required=True)
    a.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.cmd == "assemble":
        print(json.dumps({k: str(v) for k, v in assemble(args.base, args.weights, args.out).items()}))
        return 0
    if args.cmd == "corrector":
        return _corrector(args)
    if args.cmd == "transcribe":
        rows, audio = _load_inputs(args, [r for r in _plan_rows(args) if r.get("split", "train") != "test"])
        with gzip.open(args.out, "wt", encoding="utf-8") as fh:
            for spec in args.weights or ["base=none"]:
                name, _, w = spec.partition("=")
                t1 = time.monotonic()
                got = transcribe_rows(args.base, None if w in ("", "none") else Path(w), rows, audio, batch_size=args.batch_size)
                fh.writelines(json.dumps({**r, "model": name}) + "\n" for r in got)
                same = sum(r["hyp"] == r["ref"] for r in got)
                print(json.dumps({"model": name, "pairs": len(got), "exact": same, "seconds": round(time.monotonic() - t1, 1)}), flush=True)
        return 0
    t0 = time.monotonic()
    rows = _plan_rows(args)
    dev = [r for r in rows if r.get("split") == "dev"]
    random.Random(args.seed).shuffle(dev)
    drop = {r["id"] for r in dev[args.max_dev_render :]}
    rows, audio = _load_inputs(args, [r for r in rows if r["id"] not in drop])
    durations = {i: a.size / SAMPLE_RATE for i, a in audio.items()}
    clips = {s: make_clips([r for r in rows if r.get("split", "train") == s], durations, pack_seconds=args.pack_seconds,
                           single_share=args.single_share if s == "train" else 1.0, seed=args.seed) for s in ("train", "dev")}
    random.Random(args.seed).shuffle(clips["dev"])
    clips["dev"] = clips["dev"][:400]
    variants = args.variant or ["encoder"] * len(args.out)
    for k, (out, v) in enumerate(zip(args.out, variants, strict=True)):
        limit = args.max_seconds
        if args.deadline:
            share = (args.deadline - (time.monotonic() - t0)) / (len(args.out) - k)
            limit = min(limit, share) if limit else share
        cfg = GpuTrainConfig(out=out, base=args.base, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, train_encoder=v == "encoder",
                             eval_every=args.eval_every, seed=args.seed, max_seconds=max(limit, 1.0) if limit else 0.0, init=args.init)
        summary = train(cfg, clips, audio)
        summary["config"]["data"] = [f"plan:{p.name}" for p in args.plan] + [f"corpus:{c.name}" for c in args.corpus]
        summary["render_hours"] = round(sum(durations.values()) / 3600, 2)
        (Path(out) / "train_summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        print(json.dumps({"variant": v, **summary}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
