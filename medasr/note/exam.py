"""What the clinician observes in a consultation, briefly: a part that does or does not look a
certain way ("Throat red", "No swelling of the lips"), what they hear ("Crackles at right base",
"Chest clear"), how the patient looks and speaks ("Looks well", "Speaking in full sentences"),
what they can or cannot see ("No swelling seen"). Questions and conditionals give nothing."""

from __future__ import annotations

import re

from medasr.note.dialogue import CLINICIAN, Remark, evidence
from medasr.note.facts import Fact
from medasr.note.phrase import capitalize
from medasr.schema import Transcript

# What a clinician says they see in a conversation (a video or face-to-face consultation): a named
# part that does or does not look a certain way, findings they can or cannot see, how the patient
# looks. Conditionals and comparisons ("if it looks red", "doesn't look like that") are not findings.
_PART = r"(?:left |right )?(?:lips?|throat|tonsils?|eardrums?|ear drums?|eyes?|skin|rash|arm|leg|hand|foot|feet|knee|elbow|wrist|ankle|joint|chest|tummy|abdomen|neck|face|tongue|mouth|ear|ears|wound|cut|bite|sting|area|swelling|mark|breathing|speech|voice|colou?r)"
_FINDING_ADJ = r"(swollen|red|inflamed|infected|bruised|hot|warm|puffy|raised|blistered|bulging|dry|normal|fine|ok|okay|all right|alright|healthy|clear|well|unwell|pale|yellow|comfortable|laboured)"
_NOUN_OF = {"swollen": "swelling", "red": "redness", "inflamed": "inflammation", "infected": "infection", "bruised": "bruising",
            "hot": "warmth", "warm": "warmth", "puffy": "puffiness", "blistered": "blistering"}
_LOOKS_NOT = re.compile(rf"\b(?:your|the|that|this) ({_PART}) (?:doesn'?t|don'?t|does not|do not) (?:seem|look|appear) (?:to be )?(?:very |too |at all )?({'|'.join(_NOUN_OF)})\b", re.I)
_LOOKS = re.compile(rf"\b(?:your|the|that|this|his|her) ({_PART}) (?:looks?|seems?|appears?|is looking|are looking) (?:a bit |quite |very |slightly |a little )?{_FINDING_ADJ}(?:,? and {_FINDING_ADJ})?\b", re.I)
# what the clinician hears or finds on the chest ("I can hear some crackles at the right base", "your chest is clear")
_HEAR = re.compile(r"\bi can (?:hear|feel) (?:some |a |a bit of |a few |a little )?(crackles|wheez\w*|bronchial breathing)"
                   r"(?: (?:at|in|on|over) (?:the |your |his |her )?((?:left|right) (?:base|side|lung|upper|lower)\w*|both (?:bases|sides|lungs)|bases))?", re.I)
_CHEST_CLEAR = re.compile(r"\b(?:your|the|his|her) chest (?:is |sounds |sounded |was )?(?:completely |nice and |all |totally )?clear\b", re.I)
_YOU_LOOK = re.compile(r"\byou(?: look| seem| appear|'re looking| are looking) (?:very |quite |really )?(well|unwell|comfortable|pale|flushed|short of breath|in pain|distressed|fine)\b", re.I)
# a remote examination: what the clinician sees is not there ("you don't look short of breath"), how the patient speaks
_YOU_NOT_LOOK = re.compile(r"\byou (?:don'?t|do not) (?:look|seem|appear) (?:to be )?(?:very |too |at all )?(unwell|short of breath|in pain|distressed|breathless|pale|jaundiced)\b", re.I)
_FULL_SENTENCES = re.compile(r"\byou(?:'re| are| can| are able to|'re able to)? (?:speak\w*|talk\w*) (?:to me )?in full sentences\b", re.I)
_SEE = re.compile(r"\bi (can|can'?t|cannot|could|couldn'?t|don'?t|do not) (?:really )?see (?:any |a |an |some |the )?(swelling|redness|rash|bruising|lump|puncture mark|sting|bite|discharge|blisters?|spots|pus|bleeding|wound)\b", re.I)
NOT_FINDING = re.compile(r"\b(?:if|when|whether|would|might|could be|should|unless)\b|\blook like\b", re.I)


def exam_facts(utts: list[Remark], tr: Transcript) -> list[Fact]:
    """The clinician's observations anywhere in a conversation (the examination comes before the plan)."""
    return [f for u in utts if u.role == CLINICIAN and not u.is_question for f in _observed(u, tr)]


def _observed(u: Remark, tr: Transcript) -> list[Fact]:
    """What the clinician says they see, briefly: "your lips don't seem swollen to me" -> "No
    swelling of the lips"; "your throat looks a bit red" -> "Throat red"; "I can't see any swelling" -> "No
    swelling seen"; "you look well" -> "Looks well". Questions and conditionals give nothing. A
    finding that is absent is said with its negation first ("No swelling of the lips"), as the
    checks read it."""
    text = u.text
    if NOT_FINDING.search(text):
        return []
    out: list[tuple[str, int, int, bool]] = []
    for m in _LOOKS_NOT.finditer(text):
        out.append((f"no {_NOUN_OF[m.group(2).lower()]} of the {m.group(1).lower()}", m.start(), m.end(), True))
    for m in _LOOKS.finditer(text):
        adj = m.group(2).lower()
        adj = "normal" if adj in ("fine", "ok", "okay", "healthy", "all right", "alright") else adj
        part = m.group(1).lower()
        if part in ("breathing", "speech", "voice", "colour", "color"):  # "your breathing seems all right": "Breathing normal"
            out.append((f"{part} {adj}", m.start(), m.end(), False))
            continue
        if m.group(3):  # "looks swollen and red"
            adj = f"{adj} and {m.group(3).lower()}"
        out.append((f"{part} looks {adj}" if adj in ("normal", "well", "unwell", "clear") else f"{part} {adj}",
                    m.start(), m.end(), False))
    for m in _YOU_LOOK.finditer(text):
        out.append((f"looks {'well' if m.group(1).lower() == 'fine' else m.group(1).lower()}", m.start(), m.end(), False))
    for m in _YOU_NOT_LOOK.finditer(text):
        out.append((f"not {m.group(1).lower()}" if m.group(1).lower() != "unwell" else "does not look unwell", m.start(), m.end(), True))
    for m in _HEAR.finditer(text):
        what = "wheeze" if m.group(1).lower().startswith("wheez") else m.group(1).lower()
        out.append((f"{what} at {m.group(2).lower()}" if m.group(2) else what, m.start(), m.end(), False))
    for m in _CHEST_CLEAR.finditer(text):
        out.append(("chest clear", m.start(), m.end(), False))
    for m in _FULL_SENTENCES.finditer(text):
        out.append(("speaking in full sentences", m.start(), m.end(), False))
    for m in _SEE.finditer(text):
        neg = m.group(1).lower() not in ("can", "could")
        out.append(((f"no {m.group(2).lower()} seen" if neg else f"{m.group(2).lower()} seen"), m.start(), m.end(), neg))
    return [Fact("exam", capitalize(t), (evidence(tr, u, a, b),), key=f"exam:{t}", negated=neg) for t, a, b, neg in out]
