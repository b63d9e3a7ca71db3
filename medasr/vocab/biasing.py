"""ASR biasing: hotwords and an initial prompt chosen from the vocabulary for a context.

The context is a terms file (a clinic's or patient's medication and problem list, one term per
line), a specialty (a short curated list of that specialty's common drugs and diagnoses), and
terms already seen earlier in the same recording (most recent first). faster-whisper puts both
``hotwords`` and ``initial_prompt`` into the decoder's prompt, which holds at most 223 tokens, so
the list is capped (``MAX_HOTWORD_CHARS``): explicit terms first, then seen terms, then the
specialty's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from medasr.config import Settings
from medasr.errors import ConfigError, InputError

if TYPE_CHECKING:
    from medasr.vocab.vocabulary import Vocabulary

MAX_HOTWORD_CHARS = 400  # ~100 Whisper tokens, half of the prompt budget

SPECIALTIES: dict[str, tuple[str, ...]] = {
    "primary-care": (
        "metformin", "lisinopril", "amlodipine", "atorvastatin", "simvastatin", "levothyroxine",
        "omeprazole", "losartan", "hydrochlorothiazide", "gabapentin", "sertraline", "amoxicillin",
        "ibuprofen", "acetaminophen", "prednisone", "albuterol", "hypertension", "type 2 diabetes",
        "hyperlipidemia", "hypothyroidism", "asthma", "COPD", "depression", "anxiety", "HbA1c",
    ),
    "cardiology": (
        "atorvastatin", "rosuvastatin", "metoprolol", "carvedilol", "amlodipine", "lisinopril",
        "losartan", "furosemide", "spironolactone", "warfarin", "apixaban", "rivaroxaban",
        "clopidogrel", "aspirin", "digoxin", "amiodarone", "nitroglycerin", "atrial fibrillation",
        "heart failure", "coronary artery disease", "hypertension", "hyperlipidemia", "CABG",
        "echocardiogram", "troponin",
    ),
    "endocrinology": (
        "metformin", "insulin glargine", "insulin lispro", "glipizide", "sitagliptin", "empagliflozin",
        "dapagliflozin", "semaglutide", "liraglutide", "pioglitazone", "levothyroxine", "methimazole",
        "type 2 diabetes", "type 1 diabetes", "hypothyroidism", "hyperthyroidism", "HbA1c", "TSH",
        "diabetic neuropathy", "hypoglycemia",
    ),
    "respiratory": (
        "albuterol", "salmeterol", "fluticasone", "budesonide", "formoterol", "tiotropium",
        "montelukast", "prednisone", "azithromycin", "doxycycline", "asthma", "COPD", "pneumonia",
        "bronchitis", "spirometry", "shortness of breath", "wheezing",
    ),
    "psychiatry": (
        "sertraline", "fluoxetine", "escitalopram", "citalopram", "venlafaxine", "duloxetine",
        "bupropion", "mirtazapine", "quetiapine", "aripiprazole", "olanzapine", "risperidone",
        "lithium", "lamotrigine", "trazodone", "lorazepam", "depression", "anxiety",
        "bipolar disorder", "schizophrenia", "insomnia",
    ),
}


@dataclass(frozen=True)
class Bias:
    """What to pass to faster-whisper (``TranscribeOptions.hotwords`` / ``.initial_prompt``)."""

    hotwords: str | None
    initial_prompt: str | None
    terms: tuple[str, ...] = ()


def read_terms_file(path: str | Path) -> list[str]:
    """One term per line; blank lines and ``#`` comments ignored."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"terms file {p} does not exist")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise InputError(f"terms file {p} is not UTF-8 text ({e})") from e
    return [line.split("#", 1)[0].strip() for line in text.splitlines() if line.split("#", 1)[0].strip()]


def _canonical(term: str, vocabulary: Vocabulary | None) -> str:
    """The vocabulary's written form for a term the user listed (kept as given if unknown)."""
    if vocabulary is None:
        return term
    for e in vocabulary.lookup(term):
        if e.kind in ("drug", "brand", "lab", "procedure", "abbreviation") and len(e.written) <= 40:
            return e.written.lower() if e.kind == "drug" else e.written
    return term


def choose_terms(groups: Iterable[Sequence[str]], max_chars: int = MAX_HOTWORD_CHARS) -> list[str]:
    """Merge term groups in priority order, dropping duplicates, until ``max_chars`` is used."""
    out: list[str] = []
    seen: set[str] = set()
    used = 0
    for group in groups:
        for term in group:
            t = term.strip()
            if not t or t.lower() in seen:
                continue
            if used + len(t) + 2 > max_chars:
                return out
            out.append(t)
            seen.add(t.lower())
            used += len(t) + 2
    return out


SEEN_KINDS = ("drug", "brand", "diagnosis", "symptom", "lab", "procedure")


def terms_in(text: str, vocabulary: Vocabulary, *, kinds: Sequence[str] = SEEN_KINDS, max_words: int = 4) -> list[str]:
    """Medical terms that occur verbatim in ``text`` (longest first at each position), in order
    of appearance, for ``bias_for(seen_terms=...)`` on the rest of a recording. Words that are
    also ordinary English (Zipf >= 4, e.g. "cough" stays, "march" does not) need two words."""
    from medasr.vocab.keys import norm

    words = norm(text).split()
    found: list[str] = []
    i = 0
    while i < len(words):
        for n in range(min(max_words, len(words) - i), 0, -1):
            phrase = " ".join(words[i : i + n])
            if n == 1 and (len(phrase) < 4 or phrase.isdigit() or vocabulary.common_zipf(phrase) >= 4.0):
                continue
            if any(e.kind in kinds for e in vocabulary.lookup(phrase)):
                if phrase not in found:
                    found.append(phrase)
                i += n
                break
        else:
            i += 1
    return found


def bias_for(
    settings: Settings | None = None,
    terms_file: str | Path | None = None,
    specialty: str | None = None,
    seen_terms: Sequence[str] = (),
    *,
    vocabulary: Vocabulary | None = None,
    max_chars: int = MAX_HOTWORD_CHARS,
) -> Bias:
    """Pick hotwords and an initial prompt for a context; ``Bias(None, None)`` when there is none.

    ``terms_file``: a file of terms (InputError if missing or not UTF-8); ``specialty``: one of
    ``SPECIALTIES`` (ConfigError otherwise); ``seen_terms``: terms recognized earlier in the same
    recording. Terms are canonicalized through the vocabulary when one is given or can be loaded
    without building."""
    if specialty is not None and specialty not in SPECIALTIES:
        raise ConfigError(f"unknown specialty {specialty!r}; choose one of {', '.join(sorted(SPECIALTIES))}")
    listed = read_terms_file(terms_file) if terms_file is not None else []
    if vocabulary is None and (listed or seen_terms):
        from medasr.vocab import load_vocabulary

        try:
            vocabulary = load_vocabulary(settings, build_if_missing=False)
        except ConfigError:
            vocabulary = None  # no vocabulary built: use the terms as given
    groups = [
        [_canonical(t, vocabulary) for t in listed],
        [_canonical(t, vocabulary) for t in reversed(list(seen_terms))],
        list(SPECIALTIES.get(specialty or "", ())),
    ]
    terms = choose_terms(groups, max_chars)
    if not terms:
        return Bias(None, None, ())
    area = specialty.replace("-", " ") if specialty else "clinical"
    prompt = f"A {area} dictation: medications with their doses and frequencies, and diagnoses."
    return Bias(", ".join(terms), prompt, tuple(terms))
