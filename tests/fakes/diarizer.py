"""A test fake for ``medasr.speakers.base.Diarizer``: answers the turns it was given."""

from __future__ import annotations

import numpy as np

from medasr.schema import SpeakerTurn


class FakeDiarizer:
    name = "fake"

    def __init__(self, turns: list[tuple[float, float, str]]) -> None:
        self.turns = tuple(SpeakerTurn(a, b, s) for a, b, s in turns)
        self.calls: list[tuple[int, int | None]] = []

    def diarize(self, audio: np.ndarray, num_speakers: int | None = None) -> tuple[SpeakerTurn, ...]:
        self.calls.append((len(audio), num_speakers))
        return self.turns
