"""The term lists the benchmark scores: medwer's, ours (the built vocabulary), drugs only.

``medwer``  medwer 1.0.0's bundled list (19,373 entries: ICD-10-CM + Health Canada drugs)
``medasr``  every written form of our vocabulary (``Vocabulary.term_list()``)
``drug``    our drug and brand entries only (drug-name WER)
Our lists are passed through Whisper's normalizer once and cached under
``$MEDASR_HOME/cache/bench`` (keyed by the artifact's size and mtime).
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from medasr.bench.metrics import TermSet
from medasr.config import Settings
from medasr.errors import MedasrError

log = logging.getLogger("medasr.bench")

DRUG_KINDS = ("drug", "brand")


def medwer_terms() -> TermSet | None:
    """medwer's list, or None (with a warning) when medwer is not installed (bench extra)."""
    try:
        import medwer
    except ImportError:
        log.warning("medwer is not installed (pip install 'medasr[bench]'): medwer's term list is not scored")
        return None
    return TermSet.from_file("medwer", medwer.default_terms_path(), normalized=True)


def vocab_terms(settings: Settings, *, build: bool = False) -> list[TermSet]:
    """Ours and the drug list; empty (with a warning) when no vocabulary is built and
    ``build`` is false."""
    try:
        from medasr.vocab import load_vocabulary

        vocab = load_vocabulary(settings, build_if_missing=build)
    except (MedasrError, ImportError, OSError) as e:
        log.warning("our vocabulary is not available, its term lists are not scored: %s", e)
        return []
    path = Path(getattr(vocab, "path", ""))
    stamp = f"{path}:{path.stat().st_size}:{path.stat().st_mtime_ns}" if path.is_file() else str(path)
    key = hashlib.sha256(stamp.encode()).hexdigest()[:16]
    cache = Path(settings.cache_dir) / "bench" / f"terms-{key}.json"
    if cache.is_file():
        data = json.loads(cache.read_text(encoding="utf-8"))
        return [TermSet.from_terms(name, entries, normalized=True) for name, entries in data.items()]
    sets = [TermSet.from_terms("medasr", vocab.term_list()), TermSet.from_terms("drug", vocab.term_list(DRUG_KINDS))]
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps({t.name: sorted(t.entries) for t in sets}), encoding="utf-8")
    return sets


def all_termsets(settings: Settings, *, build_vocab: bool = False) -> list[TermSet]:
    out = [t for t in (medwer_terms(),) if t is not None]
    return out + vocab_terms(settings, build=build_vocab)
