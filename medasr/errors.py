"""User-facing errors. The CLI prints ``medasr: error: <message>`` and exits non-zero."""

from __future__ import annotations


class MedasrError(Exception):
    """Base class: the message says what went wrong and, where it can, what to do."""

    exit_code = 1


class AudioError(MedasrError):
    """Audio that is missing, unreadable, empty, or too long."""


class ModelNotFoundError(MedasrError):
    """A model name or path that cannot be resolved (offline hub ids included)."""


class ModelIntegrityError(MedasrError):
    """A model file whose checksum does not match the manifest."""


class ConfigError(MedasrError):
    """A bad setting: unknown key, wrong type, impossible combination."""

    exit_code = 2


class InputError(MedasrError):
    """Bad text or JSON input (non-UTF-8, malformed transcript)."""


class BackendError(MedasrError):
    """An external backend (LLM endpoint, TTS engine) failed or answered nonsense."""
