"""Where the corrector's model comes from, and which words count as vocabulary terms.

Model: an explicit path > ``settings.corrector_model`` > the released corrector committed under
``models/corrector-*`` (or its copy in the wheel, ``medasr/_models``) > ``MEDASR_HOME/models/corrector``.

Terms: the medical vocabulary (``medasr.vocab.load_vocabulary``; drugs, brands, diagnoses and
symptoms, minus everyday words) when it has been built; otherwise a lighter list straight from
the drug and ICD-10-CM packages, with a warning that says so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from medasr.config import Settings
from medasr.correction.bart_noise import norm_word
from medasr.errors import ConfigError, ModelNotFoundError

log = logging.getLogger("medasr.correction")

TERM_KINDS = ("drug", "brand", "diagnosis", "symptom")
MAX_COMMON_ZIPF = 4.5  # one-word terms at least this common in everyday English do not count


def _candidates(settings: Settings | None) -> list[Path]:
    import medasr

    pkg = Path(medasr.__file__).resolve().parent
    found: list[Path] = []
    for base in (pkg.parent / "models", pkg / "_models"):
        if base.is_dir():
            found += sorted((p for p in base.glob("corrector-*") if p.is_dir()), reverse=True)
    if settings is not None:
        found.append(settings.models_dir / "corrector")
    return found


def resolve_corrector_path(model_path: str | Path | None = None, settings: Settings | None = None) -> Path:
    explicit = model_path or (getattr(settings, "corrector_model", None) if settings else None)
    if explicit:
        p = Path(explicit).expanduser()
        if not (p / "model.bin").is_file():
            raise ModelNotFoundError(f"corrector model {p} not found (a CTranslate2 folder with model.bin and tokenizer.json)")
        return p
    for p in _candidates(settings):
        if (p / "model.bin").is_file() and (p / "tokenizer.json").is_file():
            return p
    raise ModelNotFoundError(
        "no BART corrector model: none is released under models/corrector-* and none is at "
        f"{(settings.models_dir / 'corrector') if settings else 'MEDASR_HOME/models/corrector'}; "
        "train one with `medasr train corrector` or use --correct lexicon"
    )


def term_checker(settings: Settings | None) -> Callable[[str], bool]:
    """A predicate: is this normalized phrase a medical vocabulary term?"""
    terms = _vocab_terms(settings)
    if terms is None:
        log.warning("medical vocabulary not built (run `medasr vocab build`); the BART gate uses the drug and ICD-10-CM package lists")
        terms = _package_terms()
    return terms.__contains__


def _vocab_terms(settings: Settings | None) -> frozenset[str] | None:
    try:
        from medasr.vocab import load_vocabulary
    except ImportError:  # pragma: no cover - the vocab stage is part of the package
        return None
    try:
        vocab = load_vocabulary(settings, build_if_missing=False)
    except (ConfigError, FileNotFoundError, OSError) as e:
        log.debug("no vocabulary: %s", e)
        return None
    out: set[str] = set()
    for kind in TERM_KINDS:
        for e in vocab.entries(kind):
            for s in (e.written, *e.synonyms):
                n = " ".join(norm_word(w) for w in s.split())
                if n and (" " in n or vocab.common_zipf(n) < MAX_COMMON_ZIPF):
                    out.add(n)
    return frozenset(out)


def _package_terms() -> frozenset[str]:
    import drug_named_entity_recognition.drugs_finder as drugs
    import simple_icd_10_cm as icd

    from medasr.correction.bart_sentences import CONDITIONS

    out = {" ".join(norm_word(w) for w in v.split()) for v in drugs.drug_variant_to_canonical}
    out |= set(CONDITIONS)
    for code in icd.get_all_codes(False):
        if len(code) <= 3:  # three-character categories: "Essential (primary) hypertension", ...
            d = icd.get_description(code).lower()
            out.add(" ".join(norm_word(w) for w in d.split()))
    return frozenset(t for t in out if t)
