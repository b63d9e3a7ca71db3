"""Clinical sentences from templates and the vocabulary, each with its written form (the
reference), its spoken form (the TTS input) and the terms it holds (codes and character spans).

Terms are drawn by walking a seeded permutation of each kind's pool, so a corpus of N sentences
covers about N distinct terms per slot (rare terms as often as common ones) before any repeats.
A stable, seed-independent fraction of content terms is *held out*: those only ever appear in
sentences made with ``heldout=True`` (the test split), and a train sentence that contains a
held-out term's words anywhere (inside a longer term, say) is drawn again.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from medasr.errors import ConfigError
from medasr.synth import templates as T

# slot -> kinds it draws from
TERM_SLOTS: dict[str, tuple[str, ...]] = {
    "drug": ("drug", "brand"), "drug2": ("drug", "brand"),
    "dx": ("diagnosis",), "dx2": ("diagnosis",),
    "sx": ("symptom",), "sx2": ("symptom",),
    "proc": ("procedure",), "anat": ("anatomy",),
    "route": ("route",), "freq": ("frequency",), "freq2": ("frequency",),
}
HOLDOUT_KINDS = frozenset({"drug", "brand", "diagnosis", "symptom", "procedure", "anatomy"})
_SLOT = re.compile(r"\{(\w+)\}")
_OK_TERM = re.compile(r"^[A-Za-z][A-Za-z0-9 ,'()\-/.&]{1,58}$")
_WORD = re.compile(r"[a-z0-9]+")
_AWKWARD = re.compile(r"\b(encounter|sequela|not elsewhere classified)\b|^(other|unspecified) ")  # ICD coding phrases nobody says
_MID_SENTENCE_LOWER = frozenset({"diagnosis", "symptom"})  # "Asthma" -> "asthma" inside a sentence


class EntryLike(Protocol):
    id: Any
    written: str
    kind: str
    codes: tuple[str, ...]
    spoken: tuple[str, ...]


class VocabularyLike(Protocol):
    def entries(self, kind: str | None = None) -> Iterable[EntryLike]: ...


@dataclass(frozen=True)
class Term:
    written: str
    kind: str
    codes: tuple[str, ...]
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"written": self.written, "kind": self.kind, "codes": list(self.codes), "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Sentence:
    text: str
    spoken: str
    style: str
    terms: tuple[Term, ...]


def term_key(written: str) -> str:
    return " ".join(_WORD.findall(written.lower()))


def is_heldout(written: str, fraction: float) -> bool:
    """Seed-independent: the same terms are held out in every corpus built with this fraction."""
    h = hashlib.sha1(("medasr-heldout-v1:" + term_key(written)).encode()).digest()
    return int.from_bytes(h[:8], "big") / 2**64 < fraction


def _template_words() -> set[str]:
    words: set[str] = set()
    for style in T.TEMPLATES.values():
        for t in style:
            for lit in _SLOT.split(t)[::2]:
                words.update(_ngrams(_WORD.findall(lit.lower())))
    for name in T.LABS:
        words.add(term_key(name))
    return words


def _ngrams(words: Sequence[str], max_n: int = 8) -> set[str]:
    return {" ".join(words[i : i + n]) for n in range(1, max_n + 1) for i in range(len(words) - n + 1)}


class TermPools:
    """Per-slot pools of usable entries, split into train and held-out, walked in seeded order."""

    def __init__(self, vocab: VocabularyLike, seed: int, heldout_fraction: float = 0.05) -> None:
        if not 0.0 < heldout_fraction < 0.5:
            raise ConfigError(f"heldout_fraction must be between 0 and 0.5, not {heldout_fraction}")
        self.fraction = heldout_fraction
        protected = _template_words()  # words in templates can never be held out
        by_kind: dict[str, list[EntryLike]] = {}
        for kind in sorted({k for ks in TERM_SLOTS.values() for k in ks} | {"lab"}):
            try:
                got = list(vocab.entries(kind=kind))
            except (KeyError, ValueError):
                got = []
            seen: set[str] = set()
            keep = []
            for e in sorted(got, key=lambda e: (e.written, str(e.id))):
                key = term_key(e.written)
                if key and key not in seen and _OK_TERM.match(e.written) and len(e.written.split()) <= 8 and not _AWKWARD.search(key):
                    seen.add(key)
                    keep.append(e)
            by_kind[kind] = keep
        self.labs = {e.written: e for e in by_kind.get("lab", [])}
        self.heldout_keys: set[str] = set()
        self._pools: dict[tuple[tuple[str, ...], bool], list[EntryLike]] = {}
        self._cursor: dict[tuple[tuple[str, ...], bool], int] = {}
        for kinds in sorted(set(TERM_SLOTS.values())):
            train, held = [], []
            for kind in kinds:
                for e in by_kind.get(kind, []):
                    key = term_key(e.written)
                    if kind in HOLDOUT_KINDS and key not in protected and is_heldout(e.written, heldout_fraction):
                        held.append(e)
                        self.heldout_keys.add(key)
                    else:
                        train.append(e)
            for flag, pool in ((False, train), (True, held)):
                random.Random(f"{seed}:{'+'.join(kinds)}:{flag}").shuffle(pool)
                self._pools[(kinds, flag)] = pool
                self._cursor[(kinds, flag)] = 0
                # drugs in clinical use (a MedlinePlus monograph): drawn 60% of the time, so
                # sentences are not all about experimental compounds, while rare ones still come
                common = [e for e in pool if any(c.startswith("medlineplus:") for c in e.codes)]
                if kinds == TERM_SLOTS["drug"] and 0 < len(common) < len(pool):
                    self._pools[(kinds, flag, "common")] = common  # type: ignore[index]
                    self._cursor[(kinds, flag, "common")] = 0  # type: ignore[index]
        self._mix = random.Random(f"{seed}:mix")

    def has(self, kinds: tuple[str, ...], heldout: bool = False) -> bool:
        return bool(self._pools.get((kinds, heldout)))

    def size(self, kinds: tuple[str, ...], heldout: bool = False) -> int:
        return len(self._pools.get((kinds, heldout), []))

    def next(self, kinds: tuple[str, ...], heldout: bool) -> EntryLike:
        key: tuple = (kinds, heldout)
        if (kinds, heldout, "common") in self._pools and self._mix.random() < 0.6:  # type: ignore[comparison-overlap]
            key = (kinds, heldout, "common")
        pool = self._pools[key]  # type: ignore[index]
        i = self._cursor[key]  # type: ignore[index]
        self._cursor[key] = i + 1  # type: ignore[index]
        return pool[i % len(pool)]

    def leaks(self, text: str) -> bool:
        """True when the text contains the words of a held-out term."""
        return bool(self.heldout_keys & _ngrams(_WORD.findall(text.lower())))


def _speak_run(run: str) -> str:
    """Spoken form of literal text, keeping its leading and trailing spaces."""
    if not run.strip():
        return run
    lead = run[: len(run) - len(run.lstrip())]
    trail = run[len(run.rstrip()) :]
    return lead + _to_spoken(run.strip()) + trail


def _to_spoken(written: str) -> str:
    from medasr.vocab.normalize import to_spoken

    return to_spoken(written)


class SentenceGenerator:
    def __init__(self, pools: TermPools) -> None:
        self.pools = pools

    def _usable(self, template: str, heldout: bool) -> bool:
        slots = _SLOT.findall(template)
        for s in slots:
            kinds = TERM_SLOTS.get(s)
            if kinds and not self.pools.has(kinds) and s not in ("route", "freq", "freq2"):
                return False
        if heldout:
            return any(TERM_SLOTS.get(s) and self.pools.has(TERM_SLOTS[s], True) for s in slots)
        return True

    def sentence(self, rng: random.Random, style: str, heldout: bool = False, max_tries: int = 50) -> Sentence:
        if style not in T.TEMPLATES:
            raise ConfigError(f"unknown sentence style {style!r}; known: {', '.join(T.STYLES)}")
        choices = [t for t in T.TEMPLATES[style] if self._usable(t, heldout)]
        if not choices:
            raise ConfigError(f"the vocabulary has no terms for any {style} template" + (" (held out)" if heldout else ""))
        for _ in range(max_tries):
            s = self._render(rng, rng.choice(choices), style, heldout)
            if heldout or not self.pools.leaks(s.text):
                return s
        raise ConfigError("could not make a sentence free of held-out terms; lower heldout_fraction")

    def utterance(self, rng: random.Random, style: str, heldout: bool = False) -> Sentence:
        """One to three sentences of one style (conversation turns run longer)."""
        k = rng.choices((1, 2, 3), weights=(0.6, 0.3, 0.1))[0]
        parts = [self.sentence(rng, style, heldout and i == 0) for i in range(k)]
        text, spoken, terms = "", "", []
        for p in parts:
            off = len(text) + (1 if text else 0)
            text = f"{text} {p.text}" if text else p.text
            spoken = f"{spoken} {p.spoken}" if spoken else p.spoken
            terms += [Term(t.written, t.kind, t.codes, t.start + off, t.end + off) for t in p.terms]
        return Sentence(text, spoken, style, tuple(terms))

    def _render(self, rng: random.Random, template: str, style: str, heldout: bool) -> Sentence:
        pieces: list[tuple[str, str | None]] = []  # (written, spoken for terms / None: to_spoken later)
        terms: list[tuple[int, EntryLike | None, str, str]] = []  # (piece index, entry, written, kind)
        slots = _SLOT.findall(template)
        first_held = next((s for s in slots if TERM_SLOTS.get(s) and self.pools.has(TERM_SLOTS[s], True)), None) if heldout else None
        for i, part in enumerate(_SLOT.split(template)):
            if i % 2 == 0:
                if part:
                    pieces.append((part, None))
                continue
            kinds = TERM_SLOTS.get(part)
            if kinds:
                if self.pools.has(kinds):
                    e = self.pools.next(kinds, heldout=part == first_held)
                    spoken = rng.choice(e.spoken) if e.spoken else _to_spoken(e.written)
                    written = e.written
                    before = "".join(p[0] for p in pieces).rstrip()
                    if e.kind in _MID_SENTENCE_LOWER and before and before[-1] not in ".:?!" and written[:2].istitle():
                        written = written[0].lower() + written[1:]
                        spoken = spoken[0].lower() + spoken[1:] if spoken[:2].istitle() else spoken
                    terms.append((len(pieces), e, written, e.kind))
                    pieces.append((written, spoken))
                else:  # route / frequency fallback lists
                    pieces.append((rng.choice(T.ROUTES if part == "route" else T.FREQUENCIES), None))
            elif part in ("lab_result", "lab_result2", "lab_name"):
                name = rng.choice(sorted(T.LABS))
                e = self.pools.labs.get(name)
                terms.append((len(pieces), e, name, "lab"))
                spoken = (rng.choice(e.spoken) if e and e.spoken else None)
                pieces.append((name, spoken))
                if part != "lab_name":
                    unit, lo, hi, dec = T.LABS[name]
                    value = f"{rng.uniform(lo, hi):.{dec}f}"
                    pieces.append((f" {value}{unit}" if unit == "%" else f" {value} {unit}".rstrip(), None))
            else:
                pieces.append((self._value(rng, part), None))
        return self._join(pieces, terms, style)

    @staticmethod
    def _value(rng: random.Random, slot: str) -> str:
        if slot in ("dose", "dose2"):
            unit, values = rng.choices(T.DOSES, weights=T.DOSE_WEIGHTS)[0]
            return f"{rng.choice(values.split())} {unit}"
        if slot == "dur":
            return rng.choice(T.DURATIONS)
        if slot == "age":
            return str(rng.randint(18, 94))
        if slot == "sex":
            return rng.choice(T.SEXES)
        if slot == "doctor":
            return rng.choice(T.DOCTORS)
        if slot == "n":
            return str(rng.randint(2, 10))
        if slot == "weeks":
            return str(rng.randint(2, 12))
        raise ConfigError(f"template slot {{{slot}}} is not known")

    @staticmethod
    def _join(pieces: list[tuple[str, str | None]], terms: list[tuple[int, EntryLike | None, str, str]], style: str) -> Sentence:
        text, spans = "", {}
        spoken = ""
        run = ""
        for idx, (written, said) in enumerate(pieces):
            if said is None and written.startswith(".") and text.endswith("."):
                written = written[1:]  # "b.i.d." + "." -> one full stop
            spans[idx] = (len(text), len(text) + len(written))
            text += written
            if said is None:
                run += written
            else:
                spoken += _speak_run(run) + said
                run = ""
        spoken = " ".join((spoken + _speak_run(run)).split())
        out = []
        for idx, e, written, kind in terms:
            start, end = spans[idx]
            codes = tuple(e.codes) if e is not None else ()
            out.append(Term(written, kind if e is None else e.kind, codes, start, end))  # written: as it appears in text
        return Sentence(text, spoken, style, tuple(out))
