"""Training audio on the GPU machine: espeak-ng and flite render plan rows there (the synth
engines' own command lines), carried corpora (FLAC/Opus) are read with soundfile, and
sentences are packed into clips (``medasr.train.gpu.finetune``)."""

from __future__ import annotations

import logging
import os
import random
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from medasr.audio import SAMPLE_RATE, resample
from medasr.manifest import read_rows
from medasr.synth.engines.cli_engines import espeak_command, flite_command
from medasr.train.gpu.features import N_SAMPLES

log = logging.getLogger("medasr.train")


@dataclass(frozen=True)
class Clip:
    """One training example: audio pieces played in a row (0.3 s apart) and their text."""

    ids: tuple[str, ...]
    text: str
    split: str


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
    with the synth engines' own command lines (``espeak_command``, ``flite_command``)."""
    text, rate, pitch = row["spoken"], float(row.get("rate", 1.0)), float(row.get("pitch", 1.0))
    if row["engine"] == "espeak-ng":
        proc = subprocess.run(espeak_command(text, row["voice"], rate, pitch, espeak), capture_output=True, timeout=60, check=True)
        x, sr = _read_wav_bytes(proc.stdout)
    elif row["engine"] == "flite":
        fd, path = tempfile.mkstemp(suffix=".wav")
        os.close(fd)
        try:
            subprocess.run(flite_command(text, row["voice"], path, rate, flite), capture_output=True, timeout=60, check=True)
            x, sr = _read_wav_bytes(Path(path).read_bytes())
        finally:
            os.unlink(path)
    else:
        raise ValueError(f"cannot render engine {row['engine']!r} here (espeak-ng and flite only)")
    x = resample(x, sr, SAMPLE_RATE)
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
    for r in read_rows(folder / "manifest.jsonl"):
        if r.get("split", "train") not in splits:
            continue
        p = folder / r["audio"]
        if not p.is_file():
            continue
        x, sr = sf.read(str(p), dtype="float32", always_2d=True)
        rid = prefix + r["id"]
        audio[rid] = resample(x.mean(1), sr, SAMPLE_RATE)
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
    gap = np.zeros(int(0.3 * SAMPLE_RATE), dtype=np.float32)
    parts = [x for i in clip.ids for x in (audio[i], gap)][:-1]
    return np.concatenate(parts)[:N_SAMPLES]
