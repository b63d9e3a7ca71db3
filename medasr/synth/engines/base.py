"""The TTS engine protocol, the voice record, and the registry that finds engines by name.

An engine turns spoken-form text into float32 mono audio at its own sample rate. Each engine
knows its voice catalogue and answers ``health()`` with whether it can speak on this machine
(a real one-word synthesis, not an import check). ``synthesize`` must be deterministic for a
given (text, voice, params).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from medasr.errors import BackendError, ConfigError

log = logging.getLogger("medasr.synth")


@dataclass(frozen=True)
class Voice:
    """One speaker of one engine. ``id`` is unique across engines: ``<engine>:<name>``."""

    engine: str
    name: str
    description: str = ""
    heldout: bool = False  # the catalogue's choice of a voice kept out of train
    rate: bool = True  # the engine applies VoiceParams.rate for this voice
    pitch: bool = False  # the engine applies VoiceParams.pitch for this voice

    @property
    def id(self) -> str:
        return f"{self.engine}:{self.name}"


@dataclass(frozen=True)
class VoiceParams:
    """Per-utterance prosody: rate and pitch as factors around 1.0 (engines map them)."""

    rate: float = 1.0
    pitch: float = 1.0

    def to_dict(self) -> dict[str, float]:
        return {"rate": round(self.rate, 3), "pitch": round(self.pitch, 3)}


@dataclass(frozen=True)
class Health:
    engine: str
    ok: bool
    detail: str = ""
    voices: tuple[Voice, ...] = field(default_factory=tuple)


@runtime_checkable
class TTSEngine(Protocol):
    name: str

    def voices(self) -> list[Voice]: ...

    def health(self) -> Health: ...

    def synthesize(self, text: str, voice: Voice, params: VoiceParams) -> tuple[np.ndarray, int]:
        """Return (float32 mono audio in [-1, 1], sample rate)."""
        ...


def synthesize_many(engine: TTSEngine, items: list[tuple[str, Voice, VoiceParams]]) -> list[tuple[np.ndarray, int] | Exception]:
    """Several utterances at once: engines with a start-up cost (festival) batch them."""
    batch = getattr(engine, "synthesize_many", None)
    if batch is not None:
        return batch(items)
    out: list[tuple[np.ndarray, int] | Exception] = []
    for text, voice, params in items:
        try:
            out.append(engine.synthesize(text, voice, params))
        except BackendError as e:
            out.append(e)
    return out


_REGISTRY: dict[str, Callable[..., TTSEngine]] = {}


def register(name: str, factory: Callable[..., TTSEngine]) -> None:
    """``factory(home=Path, threads=int)`` builds the engine; it must not load models yet."""
    _REGISTRY[name] = factory


def engine_names() -> list[str]:
    _ensure_builtin()
    return sorted(_REGISTRY)


def get_engine(name: str, home: Path, threads: int = 1) -> TTSEngine:
    _ensure_builtin()
    if name not in _REGISTRY:
        raise ConfigError(f"unknown TTS engine {name!r}; known: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name](home=Path(home), threads=threads)


def _ensure_builtin() -> None:
    if _REGISTRY:
        return
    from medasr.synth.engines import cli_engines, neural

    register("espeak-ng", cli_engines.EspeakEngine)
    register("flite", cli_engines.FliteEngine)
    register("festival", cli_engines.FestivalEngine)
    register("piper", neural.PiperEngine)
    register("kokoro", neural.KokoroEngine)


def check_audio(audio: np.ndarray, sr: int, what: str) -> tuple[np.ndarray, int]:
    """Common sanity check on what an engine returned."""
    audio = np.asarray(audio, dtype=np.float32).reshape(-1)
    if audio.size < sr * 0.1:
        raise BackendError(f"{what}: produced no audio ({audio.size} samples)")
    if not np.all(np.isfinite(audio)):
        raise BackendError(f"{what}: produced NaN or infinite samples")
    peak = float(np.max(np.abs(audio)))
    if peak < 1e-4:
        raise BackendError(f"{what}: produced silence")
    return audio, sr


def health_of(engine: TTSEngine, probe: str = "test") -> Health:
    """Speak one word with the first voice; any failure becomes ``ok=False`` with the reason."""
    try:
        voices = engine.voices()
        if not voices:
            return Health(engine.name, False, "no voices installed")
        audio, sr = engine.synthesize(probe, voices[0], VoiceParams())
        check_audio(audio, sr, engine.name)
    except Exception as e:  # report any failure of a third-party engine as unhealthy
        log.debug("health check of %s failed: %r", engine.name, e)
        return Health(engine.name, False, f"{type(e).__name__}: {e}"[:200])
    return Health(engine.name, True, f"{len(voices)} voices, {sr} Hz", tuple(voices))
