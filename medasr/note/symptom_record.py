"""A symptom being read from a consultation: its evidence, present or denied, and the attributes
said of it; which attributes fit which symptoms ("crampy" fits a pain, "productive" a cough), given to
the symptom most recently discussed that they fit; a bare "swelling" folded into the one named."""

from __future__ import annotations

from dataclasses import dataclass, field

from medasr.note.lexicon import GENERIC
from medasr.note.phrase import site_order
from medasr.schema import Evidence

PAINLIKE = ("pain", "ache", "swelling", "rash", "itching", "sore", "numbness", "tingling", "weakness", "lump", "injury")
HURTS = ("pain", "ache", "sore")  # a painlike symptom that is itself a pain
# which attributes fit which symptoms (None: any)
FITS = {"site": PAINLIKE, "character": None, "times": ("diarrhoea", "vomiting", "urinary", "cough", "headache", "blood", "palpitations", "fainting", "dizziness"),
         "lasting": ("palpitations", "headache", "dizziness", "pain", "fainting", "tremor"), "radiation": HURTS}
CHARACTER_FITS = {"dry": ("cough", "skin"), "productive": ("cough",), "watery": ("diarrhoea", "runny", "eyes")}


@dataclass
class Symptom:
    name: str
    present: list[Evidence] = field(default_factory=list)
    absent: list[Evidence] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)
    attr_ev: list[Evidence] = field(default_factory=list)
    first: int = 10**9  # utterance index of the first positive mention
    other: bool = False  # denied only as one of "any other" ("any other bowel problems?" "No.")


def painlike(name: str) -> bool:
    return any(w in name for w in PAINLIKE)


def fold_bare(found: dict[str, Symptom]) -> None:
    """A bare "swelling" beside the one named "lip swelling" is that swelling ("where do you feel
    it's swollen?" "On the right-hand side."): its attributes and evidence join the named one."""
    for bare in [x for x in found.values() if x.present and " " not in x.name and x.name != GENERIC]:
        named = [x for x in found.values() if x.present and (x.name.endswith(f" {bare.name}") or bare.name == "swelling" and x.name.startswith("swollen "))]
        if len(named) != 1:
            continue
        into = named[0]
        for k, v in bare.attrs.items():
            into.attrs.setdefault(k, v)
        into.attr_ev.extend(e for e in bare.present + bare.attr_ev if e not in into.attr_ev)
        into.first = min(into.first, bare.first)
        del found[bare.name]


def hurting(found: dict[str, Symptom]) -> bool:
    """Is a pain among the symptoms said ("knee pain" beside a swelling: a no to "any pain
    elsewhere?" does not make the swelling painless)?"""
    return any(x.present and any(w in x.name for w in HURTS) for x in found.values())


def fits(name: str, attr: str, value: str) -> bool:
    if attr == "character":
        return any(w in name for w in CHARACTER_FITS.get(value, PAINLIKE))
    want = FITS.get(attr)
    return want is None or any(w in name for w in want)


def assign(recent: list[Symptom], got: dict[str, str], ev: Evidence) -> None:
    """Give each attribute to the most recently discussed symptom it fits."""
    for attr, value in got.items():
        for sym in recent:
            old = sym.attrs.get(attr, "")
            if old == value and fits(sym.name, attr, value):
                break  # said again of the same symptom ("it's getting worse" twice)
            if attr == "site" and old and value not in old and fits(sym.name, attr, value):
                value = site_order(f"{value} {old}")  # "lower" then "left side": left lower
                old = ""
            if not old and fits(sym.name, attr, value):
                sym.attrs[attr] = value
                if ev not in sym.attr_ev:
                    sym.attr_ev.append(ev)
                break
