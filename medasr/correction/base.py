"""The Corrector seam: a protocol every correction stage implements, and a registry.

A corrector takes a Transcript and returns a new Transcript whose segment text and words
reflect the applied edits, with every edit (applied or only suggested) appended to
``Transcript.edits``. It never changes a word without recording an Edit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from medasr.errors import ConfigError
from medasr.schema import Transcript


@runtime_checkable
class Corrector(Protocol):
    name: str

    def correct(self, transcript: Transcript) -> Transcript: ...


_REGISTRY: dict[str, Callable[..., Corrector]] = {}


def register(name: str, factory: Callable[..., Corrector]) -> None:
    _REGISTRY[name] = factory


def available() -> list[str]:
    _load_builtin()
    return sorted(_REGISTRY)


def get_corrector(name: str, **kwargs: object) -> Corrector:
    _load_builtin()
    if name not in _REGISTRY:
        raise ConfigError(f"unknown corrector {name!r}; available: {', '.join(sorted(_REGISTRY)) or 'none'}")
    return _REGISTRY[name](**kwargs)


def _load_builtin() -> None:
    """Import the built-in correctors so they register themselves (lazy: no import-time cost)."""
    import importlib

    for module in ("medasr.correction.lexicon", "medasr.correction.bart.corrector"):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as e:
            if e.name != module:
                raise
