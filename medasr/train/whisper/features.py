"""Features for training: log-mel per clip, and (for a frozen encoder) cached encoder outputs.

With the encoder frozen, its outputs are computed once and kept in a float16 memmap under the
run folder, so every epoch costs only the decoder; a resumed run reuses the cache when the
data and base model are the same (the key is a hash of both).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from medasr.manifest import ManifestRow
from medasr.train.whisper.data import augment_audio, spec_augment
from medasr.train.convert.hf_decode import log_mel

log = logging.getLogger("medasr.train")


def read_audio(path: Path) -> np.ndarray:
    """16 kHz mono 16-bit WAVs (what the corpus writes) through the stdlib; anything else
    through medasr.audio (PyAV), so training runs where PyAV is missing (the lent GPU)."""
    import wave

    from medasr.audio import SAMPLE_RATE, load_audio

    if Path(path).suffix.lower() == ".wav":
        try:
            with wave.open(str(path), "rb") as w:
                if w.getframerate() == SAMPLE_RATE and w.getnchannels() == 1 and w.getsampwidth() == 2:
                    return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768.0
        except (wave.Error, EOFError):
            pass
    return load_audio(path)


def clip_features(utt: ManifestRow, rng: np.random.Generator | None, *, audio_aug: bool, specaug: bool, n_mels: int = 80) -> np.ndarray:
    from medasr.audio import SAMPLE_RATE

    if utt.parts:
        gap = np.zeros(int(0.3 * SAMPLE_RATE), dtype=np.float32)
        audio = np.concatenate([x for p in utt.parts for x in (read_audio(p), gap)])[: 30 * SAMPLE_RATE]
    else:
        audio = read_audio(utt.audio)[: 30 * SAMPLE_RATE]
    if audio_aug and rng is not None:
        audio = augment_audio(audio, rng)
    feats = log_mel(audio, n_mels)
    if specaug and rng is not None and rng.random() < 0.5:
        feats = spec_augment(feats, rng, valid_frames=int(audio.size / 160))
    return feats


def cache_key(utts: list[ManifestRow], base_id: str, seed: int, audio_aug: bool, specaug: bool) -> str:
    h = hashlib.sha256(json.dumps([base_id, seed, audio_aug, specaug]).encode())
    for u in utts:
        h.update(f"{u.id}|{u.audio}|{u.parts}|{u.text}\n".encode())
    return h.hexdigest()[:16]


def encoder_cache(model: Any, utts: list[ManifestRow], cache_dir: Path, key: str, *, seed: int, audio_aug: bool, specaug: bool,
                  batch: int = 8, progress: Callable[[int, int], None] | None = None, ct2_dir: Path | None = None,
                  ct2_compute_type: str = "int8", threads: int = 0) -> np.ndarray:
    """(N, frames, d_model) float16 encoder outputs, memory-mapped at ``cache_dir/enc-<key>.npy``.

    With ``ct2_dir`` the CTranslate2 int8 encoder computes them: the encoder faster-whisper runs
    at inference, and 1.2x faster per clip than torch float32 on 2 CPU cores, log-mel included
    (``benchmarks/encoder_cache_speed.py``)."""
    import torch

    cache_dir.mkdir(parents=True, exist_ok=True)
    path, done = cache_dir / f"enc-{key}.npy", cache_dir / f"enc-{key}.done"
    frames, d = model.config.max_source_positions, model.config.d_model
    if path.is_file() and done.is_file():
        log.info("reusing encoder cache %s", path)
        return np.load(path, mmap_mode="r")
    for old in cache_dir.glob("enc-*.npy"):
        old.unlink()
    arr = np.lib.format.open_memmap(path, mode="w+", dtype=np.float16, shape=(len(utts), frames, d))
    rng = np.random.default_rng(seed)
    enc = model.model.encoder
    dev = next(model.parameters()).device
    ct2 = None
    if ct2_dir is not None:
        import ctranslate2

        ct2 = ctranslate2.models.Whisper(str(ct2_dir), device="cpu", compute_type=ct2_compute_type, intra_threads=threads)
    with torch.no_grad():
        for i in range(0, len(utts), batch):
            chunk = utts[i : i + batch]
            feats = np.stack([clip_features(u, rng, audio_aug=audio_aug, specaug=specaug, n_mels=model.config.num_mel_bins) for u in chunk])
            if ct2 is not None:
                out_np = np.asarray(ct2.encode(ctranslate2.StorageView.from_array(feats), to_cpu=True))
            else:
                out_np = enc(torch.from_numpy(feats).to(dev)).last_hidden_state.float().cpu().numpy()
            arr[i : i + len(chunk)] = out_np.astype(np.float16)
            if (i // batch) % 5 == 0:
                log.info("encoder cache %d/%d clips", min(i + batch, len(utts)), len(utts))
            if progress:
                progress(min(i + batch, len(utts)), len(utts))
    arr.flush()
    del arr
    done.write_text(key)
    return np.load(path, mmap_mode="r")
