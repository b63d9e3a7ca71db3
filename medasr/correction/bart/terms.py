"""Which words count as vocabulary terms for the BART gate and judge.

The medical vocabulary (``medasr.vocab.load_vocabulary``; drugs, brands, diagnoses and
symptoms, minus everyday words) when it has been built; otherwise a lighter list straight from
the drug and ICD-10-CM packages, with a warning that says so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from medasr.config import Settings
from medasr.errors import ConfigError
from medasr.text import norm_word

log = logging.getLogger("medasr.correction")

TERM_KINDS = ("drug", "brand", "diagnosis", "symptom")
# conditions common in primary care, counted as terms even without a built vocabulary
# (the corrector's training sentences draw on the same list)
CONDITIONS: tuple[str, ...] = (
    "hypertension", "type 2 diabetes", "asthma", "chronic obstructive pulmonary disease",
    "atrial fibrillation", "heart failure", "angina", "hypercholesterolemia", "hypothyroidism",
    "osteoarthritis", "rheumatoid arthritis", "gout", "depression", "generalized anxiety disorder",
    "insomnia", "migraine", "epilepsy", "gastroesophageal reflux disease", "irritable bowel syndrome",
    "urinary tract infection", "community acquired pneumonia", "cellulitis", "otitis media",
    "tonsillitis", "sinusitis", "bronchitis", "eczema", "psoriasis", "acne vulgaris",
    "iron deficiency anemia", "chronic kidney disease", "benign prostatic hyperplasia",
    "osteoporosis", "peripheral neuropathy", "sciatica", "lower back pain", "plantar fasciitis",
    "allergic rhinitis", "conjunctivitis", "deep vein thrombosis", "pulmonary embolism",
    "transient ischemic attack", "diverticulitis", "gastroenteritis", "cholecystitis",
    "appendicitis", "pancreatitis", "hepatitis", "anaphylaxis", "hyperlipidemia",
    "polymyalgia rheumatica", "fibromyalgia", "tendinitis", "carpal tunnel syndrome",
)
MAX_COMMON_ZIPF = 4.5  # one-word terms at least this common in everyday English do not count


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

    out = {" ".join(norm_word(w) for w in v.split()) for v in drugs.drug_variant_to_canonical}
    out |= set(CONDITIONS)
    for code in icd.get_all_codes(False):
        if len(code) <= 3:  # three-character categories: "Essential (primary) hypertension", ...
            d = icd.get_description(code).lower()
            out.add(" ".join(norm_word(w) for w in d.split()))
    return frozenset(t for t in out if t)
