"""A test engine: one short tone per word (pitch from the word), no external program.

Tests register it with ``register("fake", FakeEngine)``; it is in no registry of the package.
Texts containing ``FAIL`` raise ``BackendError`` so failure handling can be tested."""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np

from medasr.errors import BackendError
from medasr.synth.engines.base import Health, Voice, VoiceParams, health_of

SR = 22050


class FakeEngine:
    name = "fake"

    def __init__(self, home: Path | None = None, threads: int = 1, names: tuple[str, ...] = ("a", "b", "c")) -> None:
        self.names = names
        self.calls = 0

    def voices(self) -> list[Voice]:
        return [Voice(self.name, n, f"fake voice {n}", heldout=n == self.names[-1], pitch=True) for n in self.names]

    def health(self) -> Health:
        return health_of(self)

    def synthesize(self, text: str, voice: Voice, params: VoiceParams) -> tuple[np.ndarray, int]:
        self.calls += 1
        if "FAIL" in text:
            raise BackendError(f"fake voice {voice.name}: asked to fail")
        t = np.arange(int(SR * 0.12 / params.rate)) / SR
        base = 110.0 * (1 + (zlib.crc32(voice.name.encode()) % 8) / 8) * params.pitch
        tones = [0.3 * np.sin(2 * np.pi * base * (1 + (zlib.crc32(w.encode()) % 12) / 12) * t) for w in text.split()]
        return np.concatenate(tones).astype(np.float32), SR
