"""The medical vocabulary: what medasr knows about medicine.

Built offline from ICD-10-CM (``simple-icd-10-cm``), drugs with brands and synonyms
(``drug-named-entity-recognition``), the ``medwer`` term list and our curated lists
(abbreviations, units, routes, dose forms, frequencies) into one SQLite artifact under
``MEDASR_HOME/vocab/`` (``medasr vocab build``). Public API (other stages rely on these names):

- :func:`load_vocabulary` -> :class:`Vocabulary` (``entries``, ``get``, ``lookup``, ``icd10``,
  ``match``, ``link_diagnosis``, ``link_drug``, ``term_list``, ``stats``)
- :class:`Entry`, :class:`Candidate`, :class:`VocabStats`, ``KINDS``
- :mod:`medasr.vocab.normalize`: ``to_spoken`` / ``to_written``
- :mod:`medasr.vocab.biasing`: ``bias_for(settings, terms_file=None, specialty=None, seen_terms=())``
  -> ``Bias(hotwords, initial_prompt, terms)``; ``terms_in(text, vocabulary)`` finds the terms
  already said in a recording (feed them back as ``seen_terms``)

Importing this package loads no model and reads no file.
"""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path

from medasr.config import Settings
from medasr.vocab.types import KINDS, Candidate, Entry, VocabStats
from medasr.vocab.vocabulary import LINK_THRESHOLD, Vocabulary

__all__ = [
    "KINDS",
    "LINK_THRESHOLD",
    "Candidate",
    "Entry",
    "VocabStats",
    "Vocabulary",
    "build_vocabulary",
    "load_vocabulary",
    "vocabulary_path",
]

log = logging.getLogger("medasr.vocab")
_LOADED: dict[tuple[str, float], Vocabulary] = {}
_GUARD = threading.Lock()


def vocabulary_path(settings: Settings | None = None) -> Path:
    """Where the artifact lives: ``settings.vocab`` if set, else ``<home>/vocab/medvocab-v<N>.sqlite``."""
    from medasr.vocab.store import default_path

    return default_path(settings or Settings.resolve())


def build_vocabulary(settings: Settings | None = None, *, progress: bool = True) -> dict[str, object]:
    """Build (or rebuild) the artifact from all sources; return its meta (counts, versions, seconds).

    With ``progress`` a bar is drawn on stderr. Takes ~30-60 s on 2 cores."""
    from medasr.vocab.store import build

    path = vocabulary_path(settings)
    if not progress:
        return build(path)
    from tqdm import tqdm

    bar = tqdm(total=135000, desc="building vocabulary", unit=" entries", file=sys.stderr, leave=False, disable=None)

    def tick(stage: str, n: int) -> None:
        bar.set_postfix_str(stage)
        bar.update(max(0, n - bar.n))

    try:
        return build(path, progress=tick)
    finally:
        bar.close()


def load_vocabulary(settings: Settings | None = None, *, build_if_missing: bool = True) -> Vocabulary:
    """Load the vocabulary artifact for ``settings`` (``settings.vocab`` or under ``settings.home``).

    If it is missing and ``build_if_missing`` is true, build it first (progress bar on stderr);
    otherwise raise ``ConfigError`` telling to run ``medasr vocab build``. Loaded vocabularies are
    reused per (path, modification time), so repeated calls are cheap."""
    settings = settings or Settings.resolve()
    path = vocabulary_path(settings)
    with _GUARD:
        if not path.is_file() and build_if_missing:
            log.info("no vocabulary at %s; building it", path)
            build_vocabulary(settings, progress=True)
        key = (str(path), path.stat().st_mtime if path.is_file() else 0.0)
        if key not in _LOADED:
            _LOADED[key] = Vocabulary(path)
        return _LOADED[key]
