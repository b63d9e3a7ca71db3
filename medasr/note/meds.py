"""Medication instruction parser: dose, unit, route, frequency, duration in plain English.

"paracetamol 500 milligrams by mouth four times a day for five days" ->
dose 500, unit mg, route oral, frequency "four times a day", duration "5 days".
Only what is in the text is returned: a field not found stays empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medasr.vocab.normalize import parse_number

_NUMS = {"half": "0.5", "a": "1", "an": "1"}
_ONES = r"(?:one|two|three|four|five|six|seven|eight|nine)"
_TEENS = r"(?:ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"
_SMALL = r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[ -]" + _ONES + r")?|" + _TEENS + "|" + _ONES + ")"
# digits, or number words up to the hundreds: "four hundred", "two hundred and fifty", "twenty five"
_NUM = (r"(?:\d+(?:\.\d+)?|half|(?:" + _SMALL + r" )?hundred(?: and " + _SMALL + r"| " + _SMALL + r")?|" + _SMALL + ")")
_UNITS = {
    "mg": "mg", "milligram": "mg", "milligrams": "mg", "mgs": "mg",
    "mcg": "mcg", "microgram": "mcg", "micrograms": "mcg", "µg": "mcg",
    "g": "g", "gram": "g", "grams": "g",
    "ml": "mL", "millilitre": "mL", "milliliter": "mL", "millilitres": "mL", "milliliters": "mL",
    "unit": "units", "units": "units", "iu": "units",
    "puff": "puffs", "puffs": "puffs",
    "tablet": "tablets", "tablets": "tablets", "tab": "tablets", "tabs": "tablets",
    "capsule": "capsules", "capsules": "capsules", "drop": "drops", "drops": "drops",
    "sachet": "sachets", "sachets": "sachets", "patch": "patches", "spray": "sprays", "sprays": "sprays",
    "%": "%", "percent": "%", "per cent": "%",  # a cream's strength ("hydrocortisone 1%")
}
_DOSE = re.compile(
    r"\b(" + _NUM + r")(?:\s*(?:-|to)\s*(" + _NUM + r"))?\s*(" + "|".join(sorted(map(re.escape, _UNITS), key=len, reverse=True)) + r")(?:\b|(?<=%))",
    re.I,
)
_ROUTES = [
    (r"\bby mouth\b|\borally\b|\boral\b|\bp\.?o\.?\b|\btablets?\b|\bcapsules?\b|\bswallow", "oral"),
    (r"\binhal\w*|\binhaler\b|\bpuffs?\b|\bnebuli[sz]\w*", "inhaled"),
    (r"\bcream\b|\bointment\b|\btopical\w*|\bapply\b|\bemollient\w*|\bgel\b", "topical"),
    (r"\bintravenous\w*|\bIV\b|\bdrip\b", "intravenous"),
    (r"\bintramuscular\w*|\bIM\b", "intramuscular"),
    (r"\bsubcutaneous\w*|\bsub ?cut\b|\binjection\b|\binject\w*", "subcutaneous"),
    (r"\bnasal\b|\bnose\b|\bintranasal\b", "nasal"),
    (r"\beye drops?\b|\bin the eye\b", "ophthalmic"),
    (r"\bsuppositor\w*|\brectal\w*", "rectal"),
    (r"\bpatch\b|\btransdermal\b", "transdermal"),
    (r"\bsublingual\w*|\bunder the tongue\b", "sublingual"),
]
_FREQ = re.compile(
    r"\b(?:up to (?:about |around )?)?(?:once|twice|" + _NUM + r" times?)\s+(?:a|per|each)\s+(?:day|daily|week)\b"
    r"|\b(?:once|twice|three times|four times) daily\b"
    r"|\bevery\s+(?:" + _NUM + r"\s+)?(?:to\s+" + _NUM + r"\s+)?(?:hours?|days?|morning|night|evening)\b"
    r"|\b(?:at night|at bedtime|in the morning|every morning|every night|daily|weekly|nightly)\b"
    r"|\b(?:as needed|as required|when needed|if needed|prn|p\.r\.n\.?|bd|b\.i\.d\.?|tds|t\.i\.d\.?|qds|q\.i\.d\.?|od|nocte|mane)\b",
    re.I,
)
_DURATION = re.compile(
    r"\bfor\s+(?:(?:the\s+)?next\s+|another\s+)?(" + _NUM + r"(?:\s+(?:to|or)\s+" + _NUM + r")?|a)\s+(days?|weeks?|months?)\b",
    re.I,
)
_REPAIR = re.compile(r"[\s,.-]*(?:(?:uh|um|er|erm|sorry|i mean|or rather|no|actually)[\s,.-]+)+", re.I)
_STOPPED = re.compile(r"\b(stopped|stop taking|no longer|came off|discontinu\w*)\b", re.I)
_PLANNED = re.compile(r"\b(i'll|i will|we'll|we will|going to|prescrib\w*|recommend\w*|start\w* you|try|suggest|advise|can take|could take|you should take)\b", re.I)
_ACTIVE = re.compile(r"\b(i take|i'm on|i am on|i'm taking|i am taking|i use|i've been taking|currently|regularly|on (?:a|the)\b)", re.I)


_SINGULAR = {"tablets": "tablet", "puffs": "puff", "sprays": "spray", "capsules": "capsule", "drops": "drop", "sachets": "sachet",
             "patches": "patch", "units": "unit"}


def dose_text(dose: str, unit: str) -> str:
    """"1 tablet", "2 tablets", "500 mg"."""
    if unit == "%":
        return f"{dose}%"
    if dose == "1":
        unit = _SINGULAR.get(unit, unit)
    return f"{dose} {unit}".strip()


@dataclass(frozen=True)
class Instruction:
    dose: str = ""
    unit: str = ""
    route: str = ""
    frequency: str = ""
    duration: str = ""
    status: str = "unknown"


def _num(s: str) -> str:
    s = s.strip().lower()
    if s in _NUMS:
        return _NUMS[s]
    words = [w for w in re.split(r"[ -]+", s) if w != "and"]
    if words and words[0] == "hundred":
        words.insert(0, "one")
    parsed = parse_number(words, 0)
    return parsed[0] if parsed is not None and parsed[1] == len(words) else s


def parse_instruction(text: str, *, anchor: int = 0) -> Instruction:
    """Parse the instruction nearest to ``anchor`` (the drug name's offset) in ``text``."""
    dose = unit = ""
    best = None
    for m in _DOSE.finditer(text):
        d = abs(m.start() - anchor)
        if best is None or d < best[0]:
            best = (d, m)
    if best is not None:
        m = best[1]
        for later in _DOSE.finditer(text, m.end()):
            if not _REPAIR.fullmatch(text[m.end() : later.start()]):
                break
            m = later  # "two tablets, uh, one tablet twice a day": the dose said last
        dose = _num(m.group(1)) + (f"-{_num(m.group(2))}" if m.group(2) else "")
        unit = _UNITS[m.group(3).lower()]
    route = next((name for pat, name in _ROUTES if re.search(pat, text, re.I)), "")
    fm = _FREQ.search(text)
    frequency = fm.group(0).lower() if fm else ""
    dm = _DURATION.search(text)
    duration = ""
    if dm:
        amount = "1" if dm.group(1).lower() == "a" else " ".join(_num(p) if p.lower() not in ("to", "or") else p for p in dm.group(1).split())
        duration = f"{amount} {dm.group(2).lower()}"
    if _STOPPED.search(text):
        status = "stopped"
    elif _ACTIVE.search(text):
        status = "active"
    elif _PLANNED.search(text):
        status = "planned"
    else:
        status = "unknown"
    return Instruction(dose, unit, route, frequency, duration, status)
