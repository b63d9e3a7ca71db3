"""Entity linking through the medical vocabulary (``medasr.vocab``).

Every drug id and ICD-10-CM code in a note comes from here: codes proposed by an LLM are
ignored and the problem text is re-linked. ``Linker`` adapts any object with the vocabulary's
interface (``link_diagnosis(text)``, ``link_drug(text)``, ``icd10(code)`` returning
``Candidate``/``Entry``-like objects) and adds span finding over sentences.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from medasr.config import Settings
from medasr.errors import ConfigError

log = logging.getLogger("medasr.note")

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'\-]*")
STOP = frozenset(
    "a an the and or of to in on at for with from by is are was were be been have has had do does did "
    "i you he she it we they me my your his her our their this that these those some any no not yes "
    "yeah okay ok um uh so just like really very well also then there here what when how why which who "
    "can could would should will shall may might must get got go going come take taking took feel feeling "
    "good bad bit lot thing things day days week weeks time times now today right left back side".split()
)


DIAGNOSIS_KINDS = ("diagnosis", "symptom")
DRUG_KINDS = ("drug", "brand")
COMMON_ZIPF = 4.5  # single everyday words ("today", "iron") are not drug mentions
_UNSPECIFIED = re.compile(r"^(?:unspecified )?([^,]+?),? unspecified$|^unspecified ([^,]+)$", re.I)
# Everyday primary-care names the ICD-10-CM descriptions do not contain; each code is checked
# against the vocabulary (``icd10``) and its display comes from there. Candidates for the
# vocabulary's curated list.
LAY_DIAGNOSES = {
    "gastroenteritis": "A09", "eczema": "L30.9", "influenza": "J11.1", "flu": "J11.1",
    "hay fever": "J30.1", "hayfever": "J30.1", "chest infection": "J22", "common cold": "J00",
    "urine infection": "N39.0", "water infection": "N39.0", "uti": "N39.0", "ibs": "K58.9",
    "tonsillitis": "J03.90", "bursitis": "M71.9", "stroke": "I63.9", "heart attack": "I21.9",
    "high blood pressure": "I10", "cold sore": "B00.1", "dermatitis": "L30.9", "earwax": "H61.20",
    "ear wax": "H61.20", "anxiety": "F41.9", "depression": "F32.A", "viral urti": "J06.9",
    "upper respiratory tract infection": "J06.9", "malaria": "B54",
    "colon cancer": "C18.9", "bowel cancer": "C18.9", "breast cancer": "C50.919", "lung cancer": "C34.90",
    "prostate cancer": "C61", "skin cancer": "C44.90", "angina": "I20.9", "heart failure": "I50.9",
    "kidney stones": "N20.0", "kidney infection": "N12", "underactive thyroid": "E03.9", "overactive thyroid": "E05.90",
    "glandular fever": "B27.90", "shingles": "B02.9", "chickenpox": "B01.9", "anaphylaxis": "T78.2XXA",
    "lupus": "M32.9", "sle": "M32.9", "thrush": "B37.9", "psoriasis": "L40.9", "epilepsy": "G40.909",
    "bronchitis": "J40", "pulmonary embolism": "I26.99", "dvt": "I82.409", "acid reflux": "K21.9",
    "tension headache": "G44.209", "tension type headache": "G44.209", "tension-type headache": "G44.209",
    "viral illness": "B34.9", "viral infection": "B34.9", "allergic reaction": "T78.40XA",
    # more of general practice (conditions by the names clinicians say them)
    "mechanical back pain": "M54.50", "mechanical low back pain": "M54.50", "back strain": "S39.012A",
    "costochondritis": "M94.0", "ear infection": "H66.90", "glue ear": "H65.90", "otitis externa": "H60.90",
    "panic attacks": "F41.0", "panic disorder": "F41.0", "croup": "J05.0", "pyelonephritis": "N10",
    "polycystic ovary syndrome": "E28.2", "pcos": "E28.2", "tennis elbow": "M77.10", "frozen shoulder": "M75.00",
    "plantar fasciitis": "M72.2", "sprained ankle": "S93.409A", "ankle sprain": "S93.409A", "whiplash": "S13.4XXA",
    "covid": "U07.1", "covid-19": "U07.1", "bell's palsy": "G51.0", "bells palsy": "G51.0", "athlete's foot": "B35.3",
    "vaginal thrush": "B37.3", "knee sprain": "S83.90XA", "sprained knee": "S83.90XA", "meniscal tear": "S83.209A",
    "torn meniscus": "S83.209A", "benign paroxysmal positional vertigo": "H81.10", "bppv": "H81.10",
}
# UK brand and product names the drug lists lack -> the generic (or main ingredient) they name;
# the code is the generic's, from the vocabulary
LAY_DRUGS = {
    "microgynon": "levonorgestrel", "rigevidon": "levonorgestrel", "implanon": "etonogestrel", "nexplanon": "etonogestrel",
    "rennie": "calcium carbonate", "rennies": "calcium carbonate", "clenil": "beclometasone", "qvar": "beclometasone",
    "lemsip": "paracetamol", "sudocrem": "zinc oxide", "e45": "liquid paraffin", "diprobase": "liquid paraffin",
    "dioralyte": "sodium chloride",
    "gtn": "glyceryl trinitrate", "cerazette": "desogestrel", "movicol": "macrogol",
}
_SPELLING = [("diarrhoea", "diarrhea"), ("oedema", "edema"), ("anaemia", "anemia"), ("haem", "hem"),
             ("oesoph", "esoph"), ("paed", "ped"), ("tumour", "tumor"), ("-", " ")]


def norm_surface(text: str) -> str:
    t = " ".join(text.lower().replace("\u2019", "'").split())
    for a, b in _SPELLING:
        t = t.replace(a, b)
    return t


@dataclass(frozen=True)
class Mention:
    """A vocabulary link: ``code`` is an ICD-10-CM code (diagnosis) or a drug id."""

    kind: str  # "diagnosis" | "drug"
    code: str
    display: str
    score: float
    start: int = -1  # span in the searched text, when found by ``find_*``
    end: int = -1
    surface: str = ""


def _entry_code(entry: Any, kind: str) -> str:
    if kind == "diagnosis":
        code = getattr(entry, "icd10", None)
        return code() if callable(code) else (code or "")
    for prefix in ("drugbank:", "rxnorm:", "medlineplus:", "generic:"):
        for c in getattr(entry, "codes", ()) or ():
            if c.startswith(prefix):
                return c
    codes = getattr(entry, "codes", ()) or ()
    return codes[0] if codes else f"vocab:{getattr(entry, 'id', '')}"


class Linker:
    """Wraps a vocabulary; caches lookups (sentences repeat n-grams a lot)."""

    def __init__(self, vocab: Any, *, min_score: float = 0.9) -> None:
        self.vocab = vocab
        self.min_score = min_score
        self._cache: dict[tuple[str, str], Mention | None] = {}
        self._surfaces: dict[str, dict[str, Mention]] = {}

    def _link(self, kind: str, text: str) -> Mention | None:
        key = (kind, text.lower().strip())
        if key in self._cache:
            return self._cache[key]
        exact = self._index(kind).get(norm_surface(text))
        if exact is not None:
            self._cache[key] = exact
            return exact
        fn = self.vocab.link_diagnosis if kind == "diagnosis" else self.vocab.link_drug
        cand = fn(text)
        m = None
        if cand is not None:
            entry = getattr(cand, "entry", cand)
            code = _entry_code(entry, kind)
            score = float(getattr(cand, "score", 1.0))
            if code and score >= self.min_score:
                m = Mention(kind, code, getattr(entry, "written", text), score, surface=text)
        self._cache[key] = m
        return m

    def link_diagnosis(self, text: str) -> Mention | None:
        m = self._link("diagnosis", text)
        if m is not None and not self.icd10(m.code):
            log.warning("vocabulary returned an unknown ICD-10-CM code %s; ignored", m.code)
            return None
        return m

    def link_drug(self, text: str) -> Mention | None:
        return self._link("drug", text)

    def icd10(self, code: str) -> str | None:
        """The description of a valid ICD-10-CM code, else None."""
        if not code:
            return None
        try:
            got = self.vocab.icd10(code)
        except (KeyError, ValueError):
            return None
        if got is None or got is False:
            return None
        if isinstance(got, str):
            return got
        return getattr(got, "written", None) or getattr(got, "description", None) or code

    def _index(self, kind: str) -> dict[str, Mention]:
        """Exact surface -> mention, from the vocabulary's entries (written, synonyms, spoken,
        and the head of "X, unspecified" descriptions). Built once per linker (~3 s)."""
        if kind in self._surfaces:
            return self._surfaces[kind]
        kinds = DIAGNOSIS_KINDS if kind == "diagnosis" else DRUG_KINDS
        index: dict[str, Mention] = {}
        entries = getattr(self.vocab, "entries", None)
        if entries is None:
            self._surfaces[kind] = index
            return index
        zipf = getattr(self.vocab, "common_zipf", lambda w: 0.0)
        for e in entries():
            if e.kind not in kinds:
                continue
            code = _entry_code(e, kind)
            if not code:
                continue
            forms = {e.written, *e.synonyms, *e.spoken}
            m = _UNSPECIFIED.match(e.written)
            if m:
                forms.add(m.group(1) or m.group(2))
            for f in forms:
                key = norm_surface(f)
                if len(key) < 3 or key in STOP or (" " not in key and zipf(key) >= COMMON_ZIPF):
                    continue
                old = index.get(key)
                # prefer the entry written exactly as said, then the shortest (least specific) code
                rank = (norm_surface(e.written) != key, len(code))
                if old is None or rank < (norm_surface(old.display) != key, len(old.code)):
                    index[key] = Mention(kind, code, e.written, 1.0, surface=f)
        if kind == "drug":
            for term, generic in LAY_DRUGS.items():
                base = index.get(norm_surface(generic))
                if base is not None and term not in index:
                    index[term] = Mention(kind, base.code, base.display, 1.0, surface=term)
        if kind == "diagnosis":
            for term, code in LAY_DIAGNOSES.items():
                display = self.icd10(code)
                if display and term not in index:
                    index[term] = Mention(kind, code, display, 1.0, surface=term)
        self._surfaces[kind] = index
        return index

    def find(self, kind: str, text: str, max_n: int = 5) -> list[Mention]:
        """Non-overlapping vocabulary mentions in ``text`` (longest first), with spans.
        Exact surfaces only (after spelling normalization): spans must be what was said."""
        index = self._index(kind)
        if not index:
            return self._find_by_link(kind, text, max_n)

        def lookup(start: int, end: int, gram: list[tuple[int, int, str]]):
            key = norm_surface(text[start:end])
            m = index.get(key)
            if m is None and kind == "diagnosis" and key.endswith("s") and not key.endswith("ss") and len(gram[-1][2]) > 4:
                m = index.get(key[:-1])  # "my mum has migraines": the plural of a condition is the condition
            if m is None or (kind == "diagnosis" and not self.icd10(m.code)):
                return None
            return m

        return _greedy_mentions(text, max_n, lookup)

    def _find_by_link(self, kind: str, text: str, max_n: int) -> list[Mention]:
        link = self.link_diagnosis if kind == "diagnosis" else self.link_drug

        def lookup(start: int, end: int, gram: list[tuple[int, int, str]]):
            if gram[0][2].lower() in STOP or gram[-1][2].lower() in STOP:
                return None
            if len(gram) == 1 and len(gram[0][2]) < 4:
                return None
            return link(text[start:end])

        return _greedy_mentions(text, max_n, lookup)


def _greedy_mentions(text: str, max_n: int, lookup) -> list[Mention]:
    """Non-overlapping mentions, longest n-grams first: ``lookup(start, end, gram)`` returns a
    linked term (with kind, code, display, score) or None."""
    words = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text)]
    found: list[Mention] = []
    taken: set[int] = set()
    for n in range(max_n, 0, -1):
        for i in range(len(words) - n + 1):
            if any(j in taken for j in range(i, i + n)):
                continue
            gram = words[i : i + n]
            start, end = gram[0][0], gram[-1][1]
            m = lookup(start, end, gram)
            if m is None:
                continue
            found.append(Mention(m.kind, m.code, m.display, m.score, start, end, text[start:end]))
            taken.update(range(i, i + n))
    return sorted(found, key=lambda m: m.start)


def load_linker(settings: Settings) -> Linker:
    """The real vocabulary (``medasr.vocab.load_vocabulary``), wrapped."""
    try:
        from medasr.vocab import load_vocabulary  # type: ignore[attr-defined]
    except ImportError as e:
        raise ConfigError(
            "the note structurer needs the medical vocabulary (medasr.vocab.load_vocabulary); "
            f"it is not available: {e}"
        ) from e
    vocab = load_vocabulary(settings)
    key = id(vocab)  # load_vocabulary reuses one object per artifact: so do we (the index takes seconds)
    if key not in _LINKERS or _LINKERS[key].vocab is not vocab:
        _LINKERS[key] = Linker(vocab)
    return _LINKERS[key]


_LINKERS: dict[int, Linker] = {}
