"""Which model's words win where the domain and the general model disagree (``medasr.asr.hybrid``).

:class:`VocabularyJudge` keeps the general model's reading where the two disagree only on
ordinary words. The domain model's words win when they hold

- a medical vocabulary term the general model's words do not (up to six words; the BART
  gate's notion of a term, ``medasr.correction.bart_assets.term_checker``: drug, brand,
  diagnosis and symptom names, one-word terms only when rarer than everyday English);
- a number the general model's words do not ("five" for "bye"; numbers compared after
  Whisper's English number normalizer, so "forty-two" and "42" are the same number);
- a clinical word, one that occurs in the vocabulary's diagnosis, symptom, procedure, lab,
  anatomy or medical-term entries and is rarer than ``CLINICAL_ZIPF`` (5.0: "acute",
  "bilateral", "wrist" count, "left" and "of" do not);
- a word that is not ordinary English (rarer than the lexicon pass's ``COMMON_ZIPF``, 3.5), but
  only when it is near a vocabulary term (fuzzy score >= ``NEAR_TERM``, 0.85: "Fluorinef" for
  Florinef, which the corrector then mends) or the general model was unsure of its own words
  there (a word probability under ``GENERAL_UNSURE``, 0.3). A garbled rare word far from every
  term against a general reading the general model was sure of ("Qxit the menial" for "to exit
  the menu") is not a medical word.

These rules and thresholds were chosen on dev data only (``benchmarks/results/accuracy-balance``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from medasr.config import Settings
from medasr.text import norm_word
from medasr.schema import Word

TermCheck = Callable[[str], bool]
Zipf = Callable[[str], float]
MAX_TERM_WORDS = 6
CLINICAL_ZIPF = 5.0
NEAR_TERM = 0.85
GENERAL_UNSURE = 0.3
CLINICAL_KINDS = ("diagnosis", "symptom", "term", "procedure", "lab", "anatomy")


def terms_in(words: Sequence[str], is_term: TermCheck) -> set[str]:
    """Every phrase of one to six consecutive normalized ``words`` that is a vocabulary term."""
    words = [w for w in words if w]
    out = set()
    for n in range(1, min(MAX_TERM_WORDS, len(words)) + 1):
        for i in range(len(words) - n + 1):
            phrase = " ".join(words[i:i + n])
            if is_term(phrase):
                out.add(phrase)
    return out


@functools.lru_cache(maxsize=1)
def _number_normalizer() -> Callable[[str], str]:
    from whisper_normalizer.english import EnglishNumberNormalizer

    return EnglishNumberNormalizer()


def numbers_in(words: Sequence[str]) -> set[str]:
    """The numbers among normalized ``words``, as digits ("forty-two" and "42" -> {"42"})."""
    if not words:
        return set()
    text = _number_normalizer()(" ".join(w.replace("-", " ") for w in words))
    return {t for t in text.split() if any(c.isdigit() for c in t)}


@dataclass
class VocabularyJudge:
    is_term: TermCheck
    zipf: Zipf
    clinical_words: frozenset[str] = frozenset()
    common_zipf: float = 3.5  # medasr.correction.lexicon.COMMON_ZIPF
    clinical_zipf: float = CLINICAL_ZIPF
    near_term: TermCheck = lambda w: False  # noqa: E731 - is a rare word near a vocabulary term? (near_term_check)
    general_unsure: float = GENERAL_UNSURE
    name: str = "vocabulary"
    _cache: dict[str, str] = field(default_factory=dict, repr=False)

    def _unordinary(self, w: str) -> str:
        """Why ``w`` (normalized) is not an ordinary English word, or "" when it is."""
        if w not in self._cache:
            z = self.zipf(w) if w and "'" not in w and not any(c.isdigit() for c in w) else 9.0
            self._cache[w] = ("rare word" if z < self.common_zipf else
                              "clinical word" if w in self.clinical_words and z < self.clinical_zipf else "")
        return self._cache[w]

    def prefer_domain(self, general_words: Sequence[Word], domain_words: Sequence[Word]) -> tuple[bool, str]:
        general, domain = [norm_word(w.text) for w in general_words], [norm_word(w.text) for w in domain_words]
        new = terms_in(domain, self.is_term) - terms_in(general, self.is_term)
        if new:
            return True, "vocabulary term: " + ", ".join(sorted(new))
        new = numbers_in(domain) - numbers_in(general)
        if new:
            return True, "number: " + ", ".join(sorted(new))
        unsure = min((w.probability for w in general_words), default=0.0) < self.general_unsure
        for w in domain:
            why = self._unordinary(w)
            if why == "clinical word":
                return True, f"{why}: {w}"
            if why == "rare word" and (unsure or self.near_term(w)):
                return True, f"{why}: {w}" + (" (general model unsure)" if unsure else " (near a vocabulary term)")
        return False, ""


def clinical_words(vocab) -> frozenset[str]:
    """Every word of the vocabulary's clinical entries (``CLINICAL_KINDS``), normalized."""
    out: set[str] = set()
    for kind in CLINICAL_KINDS:
        for e in vocab.entries(kind):
            for form in (e.written, *e.synonyms):
                out.update(norm_word(x) for x in form.split())
    out.discard("")
    return frozenset(out)


def near_term_check(vocab, at: float = NEAR_TERM) -> TermCheck:
    """Whether a (normalized) word is spelt or sounds like a vocabulary term: the matcher's best
    candidate among the lexicon pass's kinds (``MEDICAL_KINDS``: what it could mend the word to)
    scores at least ``at``. Cached per word."""
    from medasr.correction.lexicon import MEDICAL_KINDS

    @functools.lru_cache(maxsize=65536)
    def near(w: str) -> bool:
        return any(c.score >= at for c in vocab.match(w, k=1, kinds=MEDICAL_KINDS))

    return near


def vocabulary_judge(settings: Settings | None) -> VocabularyJudge:
    """The judge over the built vocabulary (built on first use, about a minute)."""
    from medasr.correction.bart.terms import term_checker
    from medasr.correction.lexicon import COMMON_ZIPF
    from medasr.vocab import load_vocabulary

    vocab = load_vocabulary(settings)
    return VocabularyJudge(term_checker(settings), vocab.common_zipf, clinical_words(vocab), COMMON_ZIPF,
                           near_term=near_term_check(vocab))
