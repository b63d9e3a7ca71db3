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

    python -m medasr.train.gpu_finetune train --base HF_DIR --plan plan.jsonl.gz --corpus DIR ... --out RUN
    python -m medasr.train.gpu_finetune assemble --base tiny.en --weights RUN/trained.safetensors --out RUN
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import random
import shlex
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger("medasr.train")
SR = 16000
N_SAMPLES = 30 * SR


# ---------------------------------------------------------------- features (torch, any device)


def mel_filters(n_mels: int = 80) -> np.ndarray:
    """(n_mels, 201) Slaney mel filters, as Whisper (and faster-whisper) build them."""
    from transformers.audio_utils import mel_filter_bank

    return mel_filter_bank(num_frequency_bins=201, num_mel_filters=n_mels, min_frequency=0.0, max_frequency=8000.0,
                           sampling_rate=SR, norm="slaney", mel_scale="slaney").T.astype(np.float32)


def log_mel_batch(audio: Any, filters: Any) -> Any:
    """(B, 480000) float32 audio (zero-padded 30 s windows) -> (B, n_mels, 3000) Whisper log-mel.

    Per clip: |STFT|^2 (n_fft 400, hop 160, Hann), mel, log10 clamped at 1e-10, floor at the
    clip's max - 8, then (x + 4) / 4: ``whisper.audio.log_mel_spectrogram``, batched."""
    import torch

    window = torch.hann_window(400, device=audio.device)
    stft = torch.stft(audio, 400, 160, window=window, return_complex=True)
    mag = stft[..., :-1].abs() ** 2
    mel = filters @ mag
    log_spec = torch.clamp(mel, min=1e-10).log10()
    log_spec = torch.maximum(log_spec, log_spec.amax(dim=(1, 2), keepdim=True) - 8.0)
    return (log_spec + 4.0) / 4.0


def augment_batch(audio: Any, lengths: Any, gen: Any, *, p: float = 0.6) -> Any:
    """Waveform augmentation on the device, per clip with probability ``p``: gain -6..+3 dB,
    white or brown noise at 10-35 dB SNR over the speech, and on a fifth of those a band limit
    to 300-3400 Hz (telephone). Padding stays silent."""
    import torch

    b, n = audio.shape
    dev = audio.device
    on = torch.rand(b, generator=gen, device=dev) < p
    mask = (torch.arange(n, device=dev)[None, :] < lengths[:, None]).float()
    gain = 10 ** (torch.empty(b, device=dev).uniform_(-6, 3, generator=gen) / 20)
    x = audio * torch.where(on, gain, torch.ones_like(gain))[:, None]
    noise = torch.randn(b, n, generator=gen, device=dev)
    brown = torch.rand(b, generator=gen, device=dev) < 0.5
    if bool(brown.any()):
        c = torch.cumsum(noise[brown], dim=1)
        k = torch.ones(1, 1, 401, device=dev) / 401
        c = c - torch.nn.functional.conv1d(c[:, None], k, padding=200)[:, 0]
        noise[brown] = c
    speech = (x**2 * mask).sum(1) / mask.sum(1).clamp(min=1)
    npow = (noise**2 * mask).sum(1) / mask.sum(1).clamp(min=1)
    snr = torch.empty(b, device=dev).uniform_(10, 35, generator=gen)
    scale = torch.sqrt(speech / (npow.clamp(min=1e-12) * 10 ** (snr / 10)))
    x = x + torch.where(on, scale, torch.zeros_like(scale))[:, None] * noise * mask
    tel = on & (torch.rand(b, generator=gen, device=dev) < 0.2)
    if bool(tel.any()):
        spec = torch.fft.rfft(x[tel], dim=1)
        f = torch.fft.rfftfreq(n, 1 / SR).to(dev)
        spec[:, (f < 300) | (f > 3400)] = 0
        x[tel] = torch.fft.irfft(spec, n=n, dim=1) * mask[tel]  # the filter rings into the padding: keep it silent
    return x.clamp(-1, 1)


def spec_augment_batch(feats: Any, frames: Any, gen: Any, *, p: float = 0.5, f_width: int = 10, t_width: int = 40) -> Any:
    """Two frequency and two time masks on about ``p`` of the clips; masked bins take the clip's
    minimum (Whisper's padding value). ``frames``: each clip's count of speech frames."""
    import torch

    b, m, t = feats.shape
    dev = feats.device
    out = feats.clone()
    fill = feats.amin(dim=(1, 2))
    ar_m, ar_t = torch.arange(m, device=dev), torch.arange(t, device=dev)
    on = (torch.rand(b, generator=gen, device=dev) < p).float()
    for _ in range(2):
        w = torch.randint(0, f_width + 1, (b,), generator=gen, device=dev)
        f0 = (torch.rand(b, generator=gen, device=dev) * (m - w).clamp(min=1)).long()
        fm = (ar_m[None] >= f0[:, None]) & (ar_m[None] < (f0 + w)[:, None])
        tw = (torch.rand(b, generator=gen, device=dev) * torch.minimum(torch.full_like(frames, t_width), (frames // 10).clamp(min=1))).long()
        t0 = (torch.rand(b, generator=gen, device=dev) * (frames - tw).clamp(min=1)).long()
        tm = (ar_t[None] >= t0[:, None]) & (ar_t[None] < (t0 + tw)[:, None])
        mask = (fm[:, :, None] | tm[:, None, :]) & (on[:, None, None] > 0)
        out = torch.where(mask, fill[:, None, None], out)
    return out


# ---------------------------------------------------------------- audio on the device


@dataclass(frozen=True)
class Clip:
    """One training example: audio pieces played in a row (0.3 s apart) and their text."""

    ids: tuple[str, ...]
    text: str
    split: str


def _resample(x: np.ndarray, sr: int) -> np.ndarray:
    if sr == SR:
        return x.astype(np.float32)
    from math import gcd

    from scipy.signal import resample_poly

    g = gcd(sr, SR)
    return resample_poly(x, SR // g, sr // g).astype(np.float32)


def _read_wav_bytes(data: bytes) -> tuple[np.ndarray, int]:
    import io
    import wave

    with wave.open(io.BytesIO(data), "rb") as w:
        sr, ch, width = w.getframerate(), w.getnchannels(), w.getsampwidth()
        raw = w.readframes(w.getnframes())
    if width != 2:
        raise ValueError(f"expected 16-bit WAV, got {8 * width}-bit")
    x = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    return (x.reshape(-1, ch).mean(1) if ch > 1 else x), sr


def render_one(row: dict[str, Any], espeak: list[str], flite: list[str]) -> np.ndarray:
    """Audio of one plan row (engine espeak-ng or flite, voice, rate, pitch, spoken text) at 16 kHz,
    with the same command lines as medasr's synth engines."""
    text, rate, pitch = row["spoken"], float(row.get("rate", 1.0)), float(row.get("pitch", 1.0))
    if row["engine"] == "espeak-ng":
        cmd = [*espeak, "-v", row["voice"], "-s", str(int(round(175 * rate))), "-p", str(int(np.clip(round(50 * pitch), 0, 99))), "--stdout", text]
        proc = subprocess.run(cmd, capture_output=True, timeout=60, check=True)
        x, sr = _read_wav_bytes(proc.stdout)
    elif row["engine"] == "flite":
        fd, path = tempfile.mkstemp(suffix=".wav")
        os.close(fd)
        try:
            subprocess.run([*flite, "-voice", row["voice"], "--setf", f"duration_stretch={1.0 / rate:.3f}", "-t", text, "-o", path],
                           capture_output=True, timeout=60, check=True)
            x, sr = _read_wav_bytes(Path(path).read_bytes())
        finally:
            os.unlink(path)
    else:
        raise ValueError(f"cannot render engine {row['engine']!r} here (espeak-ng and flite only)")
    x = _resample(x, sr)
    peak = float(np.abs(x).max()) if x.size else 0.0
    if peak < 1e-4:
        raise ValueError(f"{row['id']}: silent audio from {row['engine']} {row['voice']}")
    return (x * (0.5 / peak)).astype(np.float32)


def render_plan(rows: list[dict[str, Any]], espeak: list[str], flite: list[str], jobs: int = 0) -> dict[str, np.ndarray]:
    """{id: 16 kHz audio} for every row that renders; failures are counted and logged, not fatal."""
    out: dict[str, np.ndarray] = {}
    failed = 0

    def one(r: dict[str, Any]) -> tuple[str, np.ndarray | None]:
        try:
            return r["id"], render_one(r, espeak, flite)
        except (subprocess.SubprocessError, ValueError, OSError) as e:
            log.warning("render %s: %s", r.get("id"), e)
            return r["id"], None

    with ThreadPoolExecutor(jobs or os.cpu_count() or 1) as ex:
        for i, a in ex.map(one, rows):
            if a is None:
                failed += 1
            else:
                out[i] = a
    log.info("rendered %d clips (%d failed)", len(out), failed)
    return out


def read_corpus(folder: Path, splits: tuple[str, ...] = ("train", "dev"), prefix: str = "") -> tuple[list[dict[str, Any]], dict[str, np.ndarray]]:
    """Rows and 16 kHz audio of a carried corpus (manifest.jsonl + FLAC/Opus files, via soundfile)."""
    import soundfile as sf

    rows, audio = [], {}
    for line in open(folder / "manifest.jsonl", encoding="utf-8"):
        if not line.strip():
            continue
        r = json.loads(line)
        if r.get("split", "train") not in splits:
            continue
        p = folder / r["audio"]
        if not p.is_file():
            continue
        x, sr = sf.read(str(p), dtype="float32", always_2d=True)
        rid = prefix + r["id"]
        audio[rid] = _resample(x.mean(1), sr)
        rows.append({**r, "id": rid})
    return rows, audio


def make_clips(rows: list[dict[str, Any]], durations: dict[str, float], *, pack_seconds: float, single_share: float, seed: int) -> list[Clip]:
    """Clips of one split: short rows and a ``single_share`` of the others alone, the rest packed
    into runs of at most ``pack_seconds`` (the CPU recipe's packing, same reasons)."""
    rng = random.Random(seed)
    out, rest = [], []
    for r in rows:
        if r["id"] not in durations:
            continue
        if r.get("kind") == "short" or pack_seconds <= 0 or rng.random() < single_share:
            out.append(Clip((r["id"],), r["text"], r.get("split", "train")))
        else:
            rest.append(r)
    rng.shuffle(rest)
    cur: list[dict[str, Any]] = []
    dur = 0.0
    for r in rest + [None]:  # type: ignore[list-item]
        d = 0.0 if r is None else durations[r["id"]] + 0.3
        if cur and (r is None or dur + d > pack_seconds):
            out.append(Clip(tuple(c["id"] for c in cur), " ".join(c["text"] for c in cur), cur[0].get("split", "train")))
            cur, dur = [], 0.0
        if r is not None:
            cur.append(r)
            dur += d
    return out


def clip_audio(clip: Clip, audio: dict[str, np.ndarray]) -> np.ndarray:
    gap = np.zeros(int(0.3 * SR), dtype=np.float32)
    parts = [x for i in clip.ids for x in (audio[i], gap)][:-1]
    return np.concatenate(parts)[:N_SAMPLES]


# ---------------------------------------------------------------- training


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

    from medasr.train.data import TargetEncoder, pad_batch

    t0 = time.monotonic()
    torch.manual_seed(cfg.seed)
    device = cfg.device if cfg.device != "auto" else ("cuda" if torch.cuda.is_available() else "cpu")
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    model = WhisperForConditionalGeneration.from_pretrained(cfg.base, dtype=torch.float32).to(device)
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


def assemble(base: str, weights: Path, out: Path, quantizations: tuple[str, ...] = ("int8",)) -> dict[str, Path]:
    """Load ``base`` (a name the model store resolves, or a folder), overwrite the tensors in
    ``weights``, write ``out/hf`` and ``out/ct2-<q>``. Refuses weights that name tensors the
    base lacks or have other shapes."""
    import shutil

    import torch
    from safetensors.torch import load_file

    from medasr.config import Settings
    from medasr.errors import ConfigError
    from medasr.train.asr import load_base
    from medasr.train.export import export_ct2

    model, tok_dir, base_id = load_base(base, Settings.resolve({}))
    state = model.state_dict()
    new = load_file(str(weights))
    bad = [k for k, v in new.items() if k not in state or tuple(state[k].shape) != tuple(v.shape)]
    if bad:
        raise ConfigError(f"{weights}: tensors that do not fit {base}: {', '.join(bad[:5])}")
    with torch.no_grad():
        for k, v in new.items():
            state[k].copy_(v.to(state[k].dtype))
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
    from safetensors.torch import load_file
    from transformers import WhisperForConditionalGeneration

    from medasr.train.data import TargetEncoder

    device = device if device != "auto" else ("cuda" if torch.cuda.is_available() else "cpu")
    dtype = torch.float16 if device == "cuda" else torch.float32
    model = WhisperForConditionalGeneration.from_pretrained(base, dtype=torch.float32)
    if weights is not None:
        state = model.state_dict()
        with torch.no_grad():
            for k, v in load_file(str(weights)).items():
                state[k].copy_(v.float())
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
    """Train the corrector with medasr.train.corrector on the device; keep the best checkpoint
    in float16 (half the bytes to carry home)."""
    import torch
    from transformers import BartForConditionalGeneration

    from medasr.train.corrector import TrainConfig, train_corrector
    from medasr.train.corrector_data import Example

    rows = _read_jsonl(args.examples)
    tr = [Example(r["source"], r["target"], r["kind"]) for r in rows if r.get("split") != "dev"]
    dv = [Example(r["source"], r["target"], r["kind"]) for r in rows if r.get("split") == "dev"]
    device = "cuda" if torch.cuda.is_available() else "cpu"
    cfg = TrainConfig(out_dir=args.out, size=args.size, steps=args.steps, batch_size=args.batch_size, lr=args.lr, warmup=args.warmup,
                      eval_every=args.eval_every, max_minutes=args.max_minutes, device=device, tokenizer=args.tokenizer)
    res = train_corrector(cfg, tr, dv, progress=False)
    model = BartForConditionalGeneration.from_pretrained(res.hf_dir)
    model.half().save_pretrained(res.hf_dir)
    print(json.dumps({"steps": res.steps, "best_dev_loss": res.best_dev_loss, "train_loss": res.train_loss, "seconds": round(res.seconds, 1),
                      "n_params": res.n_params, "n_train": len(tr), "n_dev": len(dv), "device": device}), flush=True)
    return 0


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _add_inputs(p: argparse.ArgumentParser) -> None:
    p.add_argument("--base", type=Path, required=True)
    p.add_argument("--plan", type=Path, action="append", default=[], help="jsonl(.gz) rows to render: id, text, spoken, engine, voice, rate, pitch, split")
    p.add_argument("--corpus", type=Path, action="append", default=[], help="a carried corpus folder (manifest.jsonl + audio)")
    p.add_argument("--espeak", default="espeak-ng", help="the espeak-ng command line (e.g. with --path= on the GPU machine)")
    p.add_argument("--flite", default="flite")
    p.add_argument("--max-rows", type=int, default=0, help="use at most this many plan rows")


def _plan_rows(args: argparse.Namespace) -> list[dict[str, Any]]:
    rows = [r for p in args.plan for r in _read_jsonl(p)]
    return rows[: args.max_rows] if args.max_rows else rows


def _load_inputs(args: argparse.Namespace, rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, np.ndarray]]:
    """Render ``rows`` and add the carried corpora: (all rows, {id: 16 kHz audio})."""
    t0 = time.monotonic()
    audio = render_plan(rows, shlex.split(args.espeak), shlex.split(args.flite))
    for c in args.corpus:
        crow, caud = read_corpus(c, prefix=c.name + "/")
        rows = rows + crow
        audio.update(caud)
    hours = sum(a.size for a in audio.values()) / SR / 3600
    print(json.dumps({"rows": len(rows), "clips_audio": len(audio), "hours": round(hours, 2), "load_s": round(time.monotonic() - t0, 1)}), flush=True)
    return rows, audio


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m medasr.train.gpu_finetune")
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
                for r in got:
                    fh.write(json.dumps({**r, "model": name}) + "\n")
                same = sum(r["hyp"] == r["ref"] for r in got)
                print(json.dumps({"model": name, "pairs": len(got), "exact": same, "seconds": round(time.monotonic() - t1, 1)}), flush=True)
        return 0
    t0 = time.monotonic()
    rows = _plan_rows(args)
    dev = [r for r in rows if r.get("split") == "dev"]
    random.Random(args.seed).shuffle(dev)
    drop = {r["id"] for r in dev[args.max_dev_render :]}
    rows, audio = _load_inputs(args, [r for r in rows if r["id"] not in drop])
    durations = {i: a.size / SR for i, a in audio.items()}
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
                             eval_every=args.eval_every, seed=args.seed, max_seconds=max(limit, 1.0) if limit else 0.0)
        summary = train(cfg, clips, audio)
        summary["config"]["data"] = [f"plan:{p.name}" for p in args.plan] + [f"corpus:{c.name}" for c in args.corpus]
        summary["render_hours"] = round(sum(durations.values()) / 3600, 2)
        (Path(out) / "train_summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        print(json.dumps({"variant": v, **summary}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
