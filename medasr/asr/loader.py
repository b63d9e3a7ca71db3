"""The one way to get a real Transcriber from settings (and a cache so servers load once)."""

from __future__ import annotations

import threading

from medasr.asr.base import TranscribeOptions, Transcriber
from medasr.config import Settings

_CACHE: dict[tuple, Transcriber] = {}
_LOCK = threading.Lock()


def load_transcriber(settings: Settings, *, model: str | None = None, cache: bool = True) -> Transcriber:
    """Resolve the model named in ``settings`` (or ``model``), pick device/compute type, load it."""
    from medasr.asr.device import resolve_device
    from medasr.asr.faster import FasterWhisperTranscriber
    from medasr.store.whisper import resolve_model

    name = model or settings.model
    device, compute_type = resolve_device(settings.device, settings.compute_type)
    resolved = resolve_model(name, settings)
    key = (str(resolved.path), device, compute_type, settings.threads)
    with _LOCK:
        if cache and key in _CACHE:
            return _CACHE[key]
        t = FasterWhisperTranscriber(resolved, device=device, compute_type=compute_type, threads=settings.threads)
        if cache:
            _CACHE[key] = t
        return t


def options_from_settings(settings: Settings, **overrides: object) -> TranscribeOptions:
    kw = dict(
        language=settings.language,
        beam_size=settings.beam_size,
        vad=settings.vad,
        word_timestamps=settings.word_timestamps,
        batch_size=settings.batch_size,
    )
    kw.update({k: v for k, v in overrides.items() if v is not None})
    return TranscribeOptions(**kw)
