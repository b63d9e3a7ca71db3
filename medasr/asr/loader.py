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
    if is_hybrid(name):
        return _load_hybrid(settings, name, cache)
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


def is_hybrid(name: str) -> bool:
    """``DOMAIN+GENERAL`` (``tiny.en-medical+tiny.en``) names two models decoded together
    (:mod:`medasr.asr.hybrid`); a folder whose name holds a ``+`` is still a folder."""
    from pathlib import Path

    from medasr.asr.hybrid import SEPARATOR

    return SEPARATOR in name and not Path(name).expanduser().exists()


def _load_hybrid(settings: Settings, name: str, cache: bool) -> Transcriber:
    from medasr.asr.hybrid import SEPARATOR, HybridTranscriber
    from medasr.asr.hybrid_judge import vocabulary_judge
    from medasr.errors import ConfigError

    domain, _, general = name.partition(SEPARATOR)
    if not domain or not general or SEPARATOR in general or domain == general:
        raise ConfigError(f"model {name!r}: a combined model is DOMAIN{SEPARATOR}GENERAL, two different models (e.g. tiny.en-medical{SEPARATOR}tiny.en)")
    key = ("hybrid", name, settings.device, settings.compute_type, settings.threads)
    with _LOCK:
        if cache and key in _CACHE:
            return _CACHE[key]
    t = HybridTranscriber(load_transcriber(settings, model=domain, cache=cache), load_transcriber(settings, model=general, cache=cache),
                          vocabulary_judge(settings))
    if cache:
        with _LOCK:
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
