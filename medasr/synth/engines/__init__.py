"""TTS engines behind one protocol (``TTSEngine``), found by name with ``get_engine``."""

from medasr.synth.engines.base import Health, TTSEngine, Voice, VoiceParams, engine_names, get_engine, register

__all__ = ["Health", "TTSEngine", "Voice", "VoiceParams", "engine_names", "get_engine", "register"]
