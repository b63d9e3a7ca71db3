"""Read the offline vocabulary sources into rows: ICD-10-CM, drugs (generic, brand, synonyms),
the medwer term list and our curated lists. Each reader yields ``Row``s; ``store.build`` writes them.

The sources are Python packages (``../shared/ASSETS.md``); their versions are recorded in the
artifact. Imports are inside functions: they are slow (the drug dictionary unpickles ~9 s).
"""

from __future__ import annotations

import importlib.metadata
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from medasr.vocab.curated import CURATED, UNIT_ENTRIES
from medasr.vocab.normalize import to_spoken

log = logging.getLogger("medasr.vocab")

# Everyday names of common diagnoses -> ICD-10-CM code; added as synonyms of that code's entry
# so that ``link_diagnosis("hypertension")`` finds I10.
COMMON_DIAGNOSES: dict[str, str] = {
    "hypertension": "I10",
    "high blood pressure": "I10",
    "type 2 diabetes": "E11.9",
    "type 2 diabetes mellitus": "E11.9",
    "type 1 diabetes": "E10.9",
    "diabetes": "E11.9",
    "asthma": "J45.909",
    "copd": "J44.9",
    "chronic obstructive pulmonary disease": "J44.9",
    "atrial fibrillation": "I48.91",
    "heart failure": "I50.9",
    "congestive heart failure": "I50.9",
    "hyperlipidemia": "E78.5",
    "high cholesterol": "E78.00",
    "hypothyroidism": "E03.9",
    "depression": "F32.A",
    "anxiety": "F41.9",
    "migraine": "G43.909",
    "pneumonia": "J18.9",
    "urinary tract infection": "N39.0",
    "gerd": "K21.9",
    "gastroesophageal reflux disease": "K21.9",
    "osteoarthritis": "M19.90",
    "low back pain": "M54.50",
    "chronic kidney disease": "N18.9",
    "obesity": "E66.9",
    "anemia": "D64.9",
    "coronary artery disease": "I25.10",
    "stroke": "I63.9",
    "deep vein thrombosis": "I82.409",
    "pulmonary embolism": "I26.99",
    "sinusitis": "J32.9",
    "otitis media": "H66.90",
    "gout": "M10.9",
    "covid 19": "U07.1",
    "chest pain": "R07.9",
    "cough": "R05.9",
    "fever": "R50.9",
    "headache": "R51.9",
    "dizziness": "R42",
    "vomiting": "R11.10",
    "diarrhea": "R19.7",
    "fatigue": "R53.83",
    "abdominal pain": "R10.9",
    "hematuria": "R31.9",
    "edema": "R60.9",
    "dyspnea": "R06.00",
}


@dataclass(frozen=True)
class Row:
    written: str
    kind: str
    codes: tuple[str, ...]
    spoken: tuple[str, ...]
    source: str
    synonyms: tuple[str, ...] = ()


def spoken_forms(written: str, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """At least one spoken form: the normalizer's reading of ``written`` (lowercased), plus extras."""
    forms: list[str] = []
    for f in (*extra, to_spoken(written)):
        f = f.strip()
        if f and f.lower() not in (x.lower() for x in forms):
            forms.append(f)
    return tuple(forms) or (written.lower(),)


def package_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def icd10_rows() -> Iterator[Row]:
    """Every ICD-10-CM category and subcategory (chapters and blocks are skipped) with its
    description and its parent in ``codes`` ("icd10cm-parent:E11")."""
    import simple_icd_10_cm as cm

    synonyms: dict[str, list[str]] = {}
    for name, code in COMMON_DIAGNOSES.items():
        synonyms.setdefault(code, []).append(name)
    for code in cm.get_all_codes(with_dots=True):
        if cm.is_chapter_or_block(code):
            continue
        desc = cm.get_description(code)
        parent = cm.get_parent(code)
        codes = (f"icd10cm:{code}",) + ((f"icd10cm-parent:{parent}",) if parent else ())
        kind = "symptom" if code.startswith("R") else "diagnosis"
        yield Row(desc, kind, codes, spoken_forms(desc), "icd10cm", tuple(synonyms.get(code, ())))


def drug_rows() -> Iterator[Row]:
    """One ``drug`` row per canonical drug (its non-brand variants as synonyms) and one ``brand``
    row per brand name (``codes`` carry the generic's ids and ``generic:<name>``)."""
    import bz2
    import pickle
    from importlib.resources import files

    path = files("drug_named_entity_recognition").joinpath("drug_ner_dictionary.pkl.bz2")
    with path.open("rb") as raw, bz2.open(raw, "rb") as f:
        d = pickle.load(f)  # the package's own bundled dictionary (trusted, pinned version)
    variant_to_canonical: dict[str, list[str]] = d["drug_variant_to_canonical"]
    canonical_data: dict[str, dict] = d["drug_canonical_to_data"]
    variant_data: dict[str, dict] = d["drug_variant_to_variant_data"]

    def ids(canonical: str) -> tuple[str, ...]:
        data = canonical_data.get(canonical, {})
        out = []
        for key, prefix in (("drugbank_id", "drugbank"), ("medline_plus_id", "medlineplus"), ("mesh_id", "mesh")):
            if data.get(key):
                out.append(f"{prefix}:{data[key]}")
        return tuple(out)

    synonyms: dict[str, list[str]] = {}
    brands: list[tuple[str, str]] = []
    for variant, canonicals in variant_to_canonical.items():
        if not canonicals:
            continue
        canonical = canonicals[0]
        if variant == canonical:
            continue
        if any(ch in variant for ch in "&={}<>;|"):
            continue  # scraping debris in the source dictionary
        flag = variant_data.get(variant, {}).get("is_brand")
        if flag or (flag is None and _looks_like_brand(variant, canonical, canonical_data.get(canonical, {}))):
            brands.append((variant, canonical))
        else:
            synonyms.setdefault(canonical, []).append(variant)
    for canonical, data in canonical_data.items():
        name = data.get("name") or canonical
        yield Row(name, "drug", ids(canonical), spoken_forms(name.lower()), "drug-ner", tuple(synonyms.get(canonical, ())[:20]))
    for brand, canonical in brands:
        written = brand.title() if brand.islower() else brand
        generic = canonical_data.get(canonical, {}).get("name") or canonical
        yield Row(written, "brand", ids(canonical) + (f"generic:{generic}",), spoken_forms(brand.lower()), "drug-ner")


_CHEMICAL = ("methyl", "ethyl", "amino", "hydro", "chlor", "acid", "sodium", "phenyl", "oxy", "benz", "fluor",
             "sulf", "phosph", "protein", "kinase", "ase", "receptor", "ate", "um")


def _looks_like_brand(variant: str, canonical: str, data: dict) -> bool:
    """The source flags brands for only ~140 names; the rest of a MedlinePlus drug's variants are
    brands or synonyms. A variant is taken as a brand when it is a short single word unlike the
    generic's spelling and unlike a chemical or Latin/foreign variant of it (a heuristic)."""
    if not data.get("medline_plus_id") or " " in variant or not variant.replace("-", "").isalpha():
        return False
    if not 4 <= len(variant) <= 14 or variant[:4] == canonical[:4]:
        return False
    from rapidfuzz import fuzz

    if fuzz.ratio(variant, canonical.split(",")[0]) >= 70:
        return False  # a misspelling or a foreign form of the generic
    return not any(variant.endswith(x) or (len(x) > 3 and x in variant) for x in _CHEMICAL)


def medwer_terms() -> list[str]:
    """The medwer term list (lowercased ASCII terms, one per line)."""
    from importlib.resources import files

    try:
        text = files("medwer").joinpath("data/medical_terms.txt").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        log.warning("medwer is not installed; its term list is skipped")
        return []
    return [t.strip() for t in text.splitlines() if t.strip() and not t.startswith("#")]


def curated_rows() -> Iterator[Row]:
    for written, kind, spoken in CURATED:
        yield Row(written, kind, (), spoken_forms(written, spoken), "curated")
    for unit, spoken in UNIT_ENTRIES:
        yield Row(unit, "unit", (), spoken_forms(spoken[0], spoken), "curated")


def common_english(n: int = 60000) -> list[tuple[str, float]]:
    """The ``n`` most frequent English words with their Zipf frequency (wordfreq)."""
    from wordfreq import top_n_list, zipf_frequency

    return [(w, zipf_frequency(w, "en")) for w in top_n_list("en", n) if w.isalpha()]


SOURCE_PACKAGES = {
    "icd10cm": "simple-icd-10-cm",
    "drug-ner": "drug-named-entity-recognition",
    "medwer": "medwer",
    "common-english": "wordfreq",
}
