"""Augmentation: speed, tempo, simulated rooms, coloured and babble noise, gain, telephone band
and codec round trips. ``plan`` draws every parameter up front (so the manifest records exactly
what was done, and a seed reproduces it); ``apply`` carries a plan out on 16 kHz audio.
"""

from __future__ import annotations

import random
import shutil
import subprocess
from functools import lru_cache
from typing import Any

import numpy as np

from medasr.audio import SAMPLE_RATE, resample
from medasr.errors import BackendError, ConfigError

NOISE_COLOURS = ("white", "pink", "brown", "babble")
# codec -> (ffmpeg encode args, ffmpeg decode input args)
CODECS: dict[str, tuple[list[str], list[str]]] = {
    "mp3": (["-c:a", "libmp3lame", "-f", "mp3"], []),
    "opus": (["-c:a", "libopus", "-f", "ogg"], []),
    "aac": (["-c:a", "aac", "-f", "adts"], []),
    "gsm": (["-ar", "8000", "-c:a", "libgsm", "-f", "gsm"], ["-f", "gsm", "-ar", "8000", "-ac", "1"]),
    "mulaw": (["-ar", "8000", "-c:a", "pcm_mulaw", "-f", "mulaw"], ["-f", "mulaw", "-ar", "8000", "-ac", "1"]),
}
CODEC_BITRATES = {"mp3": (16, 24, 32, 48), "opus": (8, 12, 16, 24), "aac": (24, 32, 48)}
BABBLE_TEXTS = (
    "I told her we would meet after lunch near the station.",
    "The weather has been terrible all week, hasn't it?",
    "Could you pass me the folder on the left, please?",
    "We are running about twenty minutes behind this morning.",
    "He said the car park is full again, so park on the street.",
    "Thank you, take a seat and somebody will call you shortly.",
)
BABBLE_VOICES = ("en-us+m3", "en+f2", "en-029+m1", "en-gb-scotland+f4", "en-us+f4", "en-gb-x-rp+m7")


def plan(rng: random.Random, p_clean: float = 0.25) -> list[dict[str, Any]]:
    """Draw an augmentation chain. An empty list means clean audio."""
    if rng.random() < p_clean:
        return []
    steps: list[dict[str, Any]] = []
    r = rng.random()
    if r < 0.15:
        steps.append({"type": "speed", "factor": round(rng.uniform(0.9, 1.1), 3)})
    elif r < 0.3:
        steps.append({"type": "tempo", "factor": round(rng.uniform(0.85, 1.15), 3)})
    if rng.random() < 0.3:
        dims = [round(rng.uniform(3.0, 8.0), 2), round(rng.uniform(3.0, 6.0), 2), round(rng.uniform(2.4, 3.2), 2)]
        src = [round(rng.uniform(0.5, d - 0.5), 2) for d in dims[:2]] + [round(rng.uniform(1.2, 1.8), 2)]
        mic = [round(rng.uniform(0.5, d - 0.5), 2) for d in dims[:2]] + [round(rng.uniform(0.8, 1.5), 2)]
        steps.append({"type": "room", "dims": dims, "rt60": round(rng.uniform(0.2, 0.7), 2), "source": src, "mic": mic})
    if rng.random() < 0.45:
        colour = rng.choice(NOISE_COLOURS)
        steps.append({"type": "noise", "colour": colour, "snr_db": round(rng.uniform(5.0, 30.0), 1), "seed": rng.randrange(2**31)})
    if rng.random() < 0.4:
        steps.append({"type": "gain", "db": round(rng.uniform(-12.0, 6.0), 1)})
    if rng.random() < 0.1:
        steps.append({"type": "telephone", "low_hz": 300, "high_hz": 3400})
    if rng.random() < 0.15:
        codec = rng.choice(sorted(CODECS))
        step: dict[str, Any] = {"type": "codec", "codec": codec}
        if codec in CODEC_BITRATES:
            step["kbps"] = rng.choice(CODEC_BITRATES[codec])
        steps.append(step)
    return steps


def apply(audio: np.ndarray, steps: list[dict[str, Any]]) -> np.ndarray:
    x = np.asarray(audio, dtype=np.float32)
    for step in steps:
        fn = _STEPS.get(step["type"])
        if fn is None:
            raise ConfigError(f"unknown augmentation step {step['type']!r}")
        try:
            x = np.asarray(fn(x, step), dtype=np.float32)
        except ImportError as e:
            raise BackendError(f"augmentation step {step['type']} needs {e.name}: pip install 'medasr[synth]' (or use --no-augment)") from None
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    if peak > 0.99:  # limit rather than clip after gain / noise / rooms
        x = x * (0.99 / peak)
    return x


def _speed(x: np.ndarray, s: dict[str, Any]) -> np.ndarray:
    from scipy.signal import resample_poly

    return resample_poly(x, 1000, int(round(1000 * s["factor"])))


def _tempo(x: np.ndarray, s: dict[str, Any]) -> np.ndarray:
    return _ffmpeg(x, ["-f", "f32le", "-ar", str(SAMPLE_RATE), "-ac", "1", "-i", "pipe:0", "-filter:a", f"atempo={s['factor']}", "-f", "f32le", "pipe:1"])


def _room(x: np.ndarray, s: dict[str, Any]) -> np.ndarray:
    import pyroomacoustics as pra

    e_abs, max_order = pra.inverse_sabine(s["rt60"], s["dims"])
    room = pra.ShoeBox(s["dims"], fs=SAMPLE_RATE, materials=pra.Material(e_abs), max_order=min(max_order, 10))
    room.add_source(s["source"], signal=x)
    room.add_microphone(s["mic"])
    room.simulate()
    y = room.mic_array.signals[0]
    y = y[: len(x) + int(s["rt60"] * SAMPLE_RATE * 0.5)]
    peak_in, peak_out = float(np.max(np.abs(x))), float(np.max(np.abs(y)))
    return y * (peak_in / peak_out) if peak_out > 0 else y


def coloured_noise(n: int, colour: str, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if colour == "babble":
        return _babble(n, rng)
    white = rng.standard_normal(n)
    if colour == "white":
        return white
    alpha = {"pink": 1.0, "brown": 2.0}[colour]
    spec = np.fft.rfft(white)
    f = np.fft.rfftfreq(n)
    f[0] = f[1] if n > 1 else 1.0
    return np.fft.irfft(spec / f ** (alpha / 2), n)


def _noise(x: np.ndarray, s: dict[str, Any]) -> np.ndarray:
    noise = coloured_noise(len(x), s["colour"], s["seed"])
    ps, pn = float(np.mean(x**2)), float(np.mean(noise**2))
    if ps == 0 or pn == 0:
        return x
    return x + noise * np.sqrt(ps / (pn * 10 ** (s["snr_db"] / 10)))


@lru_cache(maxsize=1)
def _babble_bank() -> tuple[np.ndarray, ...]:
    """Six espeak-ng talkers saying everyday (non-clinical) sentences, made once per process."""
    from medasr.synth.engines.base import Voice, VoiceParams
    from medasr.synth.engines.cli_engines import EspeakEngine

    eng = EspeakEngine()
    out = []
    for text, v in zip(BABBLE_TEXTS, BABBLE_VOICES, strict=True):
        a, sr = eng.synthesize(" ".join([text] * 3), Voice("espeak-ng", v), VoiceParams())
        out.append(resample(a, sr))
    return tuple(out)


def _babble(n: int, rng: np.random.Generator) -> np.ndarray:
    bank = _babble_bank()
    mix = np.zeros(n)
    for i in rng.choice(len(bank), size=4, replace=False):
        talker = np.tile(bank[i], n // len(bank[i]) + 2)
        off = int(rng.integers(0, len(bank[i])))
        mix += talker[off : off + n]
    return mix


def _gain(x: np.ndarray, s: dict[str, Any]) -> np.ndarray:
    return x * 10 ** (s["db"] / 20)


def _telephone(x: np.ndarray, s: dict[str, Any]) -> np.ndarray:
    from scipy.signal import butter, resample_poly, sosfiltfilt

    sos = butter(4, [s["low_hz"], s["high_hz"]], btype="bandpass", fs=SAMPLE_RATE, output="sos")
    y = resample_poly(resample_poly(sosfiltfilt(sos, x), 1, 2), 2, 1)
    return y[: len(x)] if len(y) >= len(x) else np.pad(y, (0, len(x) - len(y)))


def _codec(x: np.ndarray, s: dict[str, Any]) -> np.ndarray:
    enc, dec = CODECS[s["codec"]]
    rate = ["-b:a", f"{s['kbps']}k"] if "kbps" in s else []
    blob = _ffmpeg_bytes(["-f", "f32le", "-ar", str(SAMPLE_RATE), "-ac", "1", "-i", "pipe:0", *enc[:-2], *rate, *enc[-2:], "pipe:1"], x.astype("<f4").tobytes())
    raw = _ffmpeg_bytes([*dec, "-i", "pipe:0", "-f", "f32le", "-ar", str(SAMPLE_RATE), "-ac", "1", "pipe:1"], blob)
    y = np.frombuffer(raw, dtype="<f4")
    if y.size == 0:
        raise BackendError(f"codec round trip through {s['codec']} gave no audio")
    return y[: len(x)] if y.size >= len(x) else np.pad(y, (0, len(x) - y.size))


def _ffmpeg(x: np.ndarray, args: list[str]) -> np.ndarray:
    return np.frombuffer(_ffmpeg_bytes(args, x.astype("<f4").tobytes()), dtype="<f4").copy()


def _ffmpeg_bytes(args: list[str], data: bytes) -> bytes:
    exe = shutil.which("ffmpeg")
    if exe is None:
        raise BackendError("ffmpeg not found; install it (Debian: apt-get install ffmpeg) or use --no-augment")
    proc = subprocess.run([exe, "-hide_banner", "-loglevel", "error", "-nostdin", *args], input=data, capture_output=True, timeout=120, check=False)
    if proc.returncode != 0:
        raise BackendError(f"ffmpeg failed: {proc.stderr.decode(errors='replace')[:200]}")
    return proc.stdout


_STEPS = {"speed": _speed, "tempo": _tempo, "room": _room, "noise": _noise, "gain": _gain, "telephone": _telephone, "codec": _codec}
