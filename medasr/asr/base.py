"""The Transcriber seam: a protocol, its options, and a registry of implementations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from typing import Any, Protocol, runtime_checkable

import numpy as np

from medasr.errors import ConfigError
from medasr.schema import ModelInfo, Transcript


@dataclass(frozen=True)
class TranscribeOptions:
    """Decoding options, validated once. Recorded verbatim in every Transcript."""

    language: str | None = None
    beam_size: int = 5
    vad: bool = True
    word_timestamps: bool = True
    initial_prompt: str | None = None
    hotwords: str | None = None
    batch_size: int = 0  # 0: sequential, >0: batched pipeline
    temperature: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    condition_on_previous_text: bool = True
    no_speech_threshold: float = 0.6
    log_prob_threshold: float = -1.0
    compression_ratio_threshold: float | None = 2.4  # text that compresses better than this is a loop
    max_new_tokens: int | None = None  # cap on tokens per 30 s window (streaming: in proportion to the audio)

    def __post_init__(self) -> None:
        if self.beam_size < 1:
            raise ConfigError(f"beam_size must be >= 1, not {self.beam_size}")
        if self.batch_size < 0:
            raise ConfigError(f"batch_size must be >= 0, not {self.batch_size}")
        if self.language is not None and not (1 < len(self.language) < 8):
            raise ConfigError(f"language must be a code such as 'en', not {self.language!r}")
        if self.max_new_tokens is not None and self.max_new_tokens < 1:
            raise ConfigError(f"max_new_tokens must be >= 1, not {self.max_new_tokens}")

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["temperature"] = list(self.temperature)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TranscribeOptions:
        known = {f.name for f in fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ConfigError(f"unknown transcribe options: {', '.join(sorted(unknown))}")
        kw = dict(d)
        if "temperature" in kw:
            t = kw["temperature"]
            kw["temperature"] = tuple(t) if isinstance(t, (list, tuple)) else (float(t),)
        return cls(**kw)


ProgressFn = Callable[[float, float], None]  # (seconds done, seconds total)


@runtime_checkable
class Transcriber(Protocol):
    """Turns 16 kHz mono float32 audio into a Transcript."""

    @property
    def info(self) -> ModelInfo: ...

    def transcribe(
        self,
        audio: np.ndarray,
        options: TranscribeOptions | None = None,
        *,
        progress: ProgressFn | None = None,
    ) -> Transcript: ...
