"""The pipeline's replaceable stages past recognition: correctors (cached by name) and speakers.

``SpeakerStage`` is the slot for speakers (``medasr.speakers.stage.Speakers``): ``split`` runs
after recognition and before correction (segments split at speaker changes, so edits point at
the final segments), ``assign`` after correction and before the note (roles). A stage that is
``per_channel`` gets one recognition per channel instead. ``build_pipeline(settings)`` builds the
stage the ``speakers`` setting names (``speakers_for``); ``speakers=`` gives one (tests, embedding).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable

import numpy as np

from medasr.config import Settings
from medasr.correction.base import Corrector, get_corrector
from medasr.errors import ConfigError
from medasr.schema import Transcript


@runtime_checkable
class SpeakerStage(Protocol):
    """Who spoke each segment. ``audio`` is the 16 kHz input when the caller has it (files,
    uploads), None when it does not (a transcript from text, a finished stream)."""

    name: str
    per_channel: bool  # the input's channels are the speakers: recognise each, merge (``run_channels``)

    def split(self, transcript: Transcript, audio: np.ndarray | None = None) -> Transcript: ...

    def assign(self, transcript: Transcript, audio: np.ndarray | None = None) -> Transcript: ...

    def run_channels(self, channels: np.ndarray, recognize: Callable[[np.ndarray], Transcript], label: str = "audio") -> Transcript: ...


def speakers_for(settings: Settings, loaded: dict | None = None) -> SpeakerStage | None:
    """The speakers stage of ``settings.speakers`` (none: no stage); the diarizer loads on first
    use and is kept in ``loaded`` (by name) for every stage that shares that dict."""
    from medasr.speakers.stage import Speakers

    return Speakers.from_settings(settings, loaded=loaded)


class Correctors:
    """Correctors by stage name, built once on first use and shared by every mode that names them
    (``lexicon`` and ``both`` use one lexicon corrector). Safe to use from several threads."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._built: dict[str, Corrector] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> Corrector:
        with self._lock:
            c = self._built.get(name)
        if c is not None:
            return c
        try:
            c = get_corrector(name, settings=self.settings)
        except ConfigError:
            raise
        except Exception as e:  # a corrector that cannot load (missing vocabulary, model)
            raise ConfigError(f"correction {name!r} is not available here: {e}") from None
        with self._lock:
            return self._built.setdefault(name, c)

    def run(self, transcript: Transcript, names: tuple[str, ...], spec: str) -> Transcript:
        """Each named corrector in turn, its wall time under ``timings[name]``; ``options['pipeline']``
        records the spec that ran."""
        timings = dict(transcript.timings)
        for c in [self.get(n) for n in names]:
            t0 = time.perf_counter()
            transcript = c.correct(transcript)
            timings[c.name] = round(time.perf_counter() - t0, 4)
        return transcript.with_changes(timings=timings, options={**transcript.options, "pipeline": spec})


def run_speakers(stage: SpeakerStage, transcript: Transcript, audio: np.ndarray | None) -> Transcript:
    t0 = time.perf_counter()
    out = stage.assign(transcript, audio)
    return out.with_changes(timings={**out.timings, stage.name: round(time.perf_counter() - t0, 4)},
                            options={"speakers": stage.name, **out.options})
