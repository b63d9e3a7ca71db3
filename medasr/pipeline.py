"""A pipeline = a Transcriber followed by zero or more correctors.

Specs name the stages joined by ``+``: ``asr``, ``asr+lexicon``, ``asr+bart``, ``asr+both``
(lexicon then bart), ``asr+lexicon+bart``. The benchmark, the CLI and the server all build
pipelines this way, so a new corrector registered in ``medasr.correction.base`` is usable
everywhere by name.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from medasr.asr.base import ProgressFn, TranscribeOptions, Transcriber
from medasr.config import Settings
from medasr.correction.base import Corrector, get_corrector
from medasr.errors import ConfigError
from medasr.schema import Transcript

_EXPAND = {"both": ("lexicon", "bart"), "none": ()}


def correction_stages(spec: str) -> tuple[str, ...]:
    """``asr+both`` -> ("lexicon", "bart"); ``lexicon`` (a --correct value) -> ("lexicon",)."""
    parts = [p.strip() for p in spec.split("+") if p.strip()]
    if not parts:
        raise ConfigError("empty pipeline spec")
    if parts[0] == "asr":
        parts = parts[1:]
    stages: list[str] = []
    for p in parts:
        for s in _EXPAND.get(p, (p,)):
            if s in stages:
                raise ConfigError(f"pipeline {spec!r} names stage {s!r} twice")
            stages.append(s)
    return tuple(stages)


@dataclass
class Pipeline:
    transcriber: Transcriber
    correctors: list[Corrector] = field(default_factory=list)
    spec: str = "asr"

    def run(self, audio: np.ndarray, options: TranscribeOptions | None = None, *, progress: ProgressFn | None = None) -> Transcript:
        transcript = self.transcriber.transcribe(audio, options, progress=progress)
        return self.correct(transcript)

    def correct(self, transcript: Transcript) -> Transcript:
        timings = dict(transcript.timings)
        for c in self.correctors:
            t0 = time.perf_counter()
            transcript = c.correct(transcript)
            timings[c.name] = round(time.perf_counter() - t0, 4)
        return transcript.with_changes(timings=timings, options={**transcript.options, "pipeline": self.spec})


def build_pipeline(spec: str, settings: Settings, *, transcriber: Transcriber | None = None, model: str | None = None) -> Pipeline:
    stages = correction_stages(spec)
    if transcriber is None:
        from medasr.asr.loader import load_transcriber

        transcriber = load_transcriber(settings, model=model)
    correctors = [get_corrector(s, settings=settings) for s in stages]
    return Pipeline(transcriber=transcriber, correctors=correctors, spec="+".join(("asr",) + stages))
