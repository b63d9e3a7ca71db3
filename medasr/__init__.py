"""medasr: clinical speech to an accurate transcript and a grounded note.

    import medasr

    transcript = medasr.transcribe("visit.wav", correct="both")
    pipeline = medasr.load_pipeline(model="tiny.en")
    result = pipeline.run("visit.wav", note=True)

Importing this package loads no model and no torch: the names below are imported on first
use (``__getattr__``), and heavy parts are imported inside the functions that need them.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> the module that defines it
_LAZY = {
    "Pipeline": "medasr.pipeline",
    "Result": "medasr.pipeline",
    "SpeakerStage": "medasr.pipeline",
    "build_pipeline": "medasr.pipeline",
    "load_pipeline": "medasr.pipeline",
    "Settings": "medasr.config",
    "load_audio": "medasr.audio",
    "decode_pcm": "medasr.audio",
    "get_writer": "medasr.writers",
    "Transcript": "medasr.schema",
    "Segment": "medasr.schema",
    "Word": "medasr.schema",
    "Edit": "medasr.schema",
    "Note": "medasr.schema",
    "MedasrError": "medasr.errors",
}

__all__ = [
    "__version__", "transcribe", "load_pipeline", "build_pipeline", "Pipeline", "Result", "SpeakerStage", "Settings",
    "load_audio", "decode_pcm", "get_writer", "Transcript", "Segment", "Word", "Edit", "Note", "MedasrError",
]

if TYPE_CHECKING:
    from medasr.audio import decode_pcm, load_audio
    from medasr.config import Settings
    from medasr.errors import MedasrError
    from medasr.pipeline import Pipeline, Result, SpeakerStage, build_pipeline, load_pipeline
    from medasr.schema import Edit, Note, Segment, Transcript, Word
    from medasr.writers import get_writer


def transcribe(source: str | Path | bytes, **settings: Any) -> Transcript:
    """Transcribe (and correct, as ``correct=`` asks) one audio file or its bytes.

    Keywords are settings (``model="tiny.en"``, ``correct="both"``, ``language="en"``, ...), over
    ``MEDASR_*`` variables, the config file and the defaults. The model is loaded once per process."""
    from medasr.pipeline import load_pipeline

    return load_pipeline(**settings).run(source).transcript


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'medasr' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
