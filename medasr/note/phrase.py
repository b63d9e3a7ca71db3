"""Brief clinical phrasing: durations, onsets and symptom attributes as a note writes them.

"for the last three days" -> "3 days"; "about four days ago" -> "4 days ago"; "it comes and
goes" -> "intermittent". Every phrase is read from the words said; nothing is added.
"""

from __future__ import annotations

import re

from medasr.note.lexicon import number_value

_N = r"(?:\d+(?:\.\d+)?|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|fifteen|twenty|thirty|forty-five|forty|sixty|ninety|a few|a couple of|couple of|several|few)"
_UNIT = r"(hours?|days?|nights?|weeks?|months?|years?)"
_DURATION = re.compile(
    rf"\bfor (?:about |around |roughly |almost |nearly |over |the )?(?:last |past |next )?({_N})(?:\s*(?:or|to|-)\s*({_N}))? {_UNIT}\b"
    rf"|\b(?:the )?(?:last|past) ({_N})(?:\s*(?:or|to|-)\s*({_N}))? {_UNIT}\b"
    rf"|\b(?:it'?s|it has|its) been (?:about |around |roughly |almost |nearly |over )?({_N})(?:\s*(?:or|to|-)\s*({_N}))? {_UNIT}\b",
    re.I,
)
_LAST_UNIT = re.compile(r"\bfor (?:the |about the )?(last|past) (day|week|fortnight|month|year)\b", re.I)
_AGO = re.compile(rf"\b({_N})(?:\s*(?:or|to|-)\s*({_N}))? {_UNIT} ago\b", re.I)
_SINCE = re.compile(r"\bsince (yesterday|last night|this morning|mid-?day|lunchtime|this afternoon|this evening|last week|the weekend|monday|tuesday|wednesday|thursday|friday|saturday|sunday|then)\b", re.I)
_TODAY = re.compile(r"\b(this morning|last night|yesterday|today|this afternoon)\b", re.I)
_TIMES = re.compile(rf"\b({_N})(?:\s*(?:or|to|-)\s*({_N}))? times (?:a|per|each) (day|week|hour|night)\b|\bevery (hour|day|night|morning)\b", re.I)
_SEVERITY = re.compile(rf"\b({_N}) out of (?:10|ten)\b", re.I)
ATTRIBUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("pattern", re.compile(r"\bcomes? and goes?\b|\bcoming and going\b|\bon and off\b|\boff and on\b|\bintermittent\w*|\bnot (?:all the time|constant\w*)", re.I), "intermittent"),
    ("pattern", re.compile(r"\ball the time\b|\bconstant\w*|\bnon-?stop\b", re.I), "constant"),
    ("character", re.compile(r"\bcramp\w*", re.I), "crampy"),
    ("character", re.compile(r"\bthrobb\w*|\bpounding\b|\bpulsating\b", re.I), "throbbing"),
    ("character", re.compile(r"\bsharp\b|\bstabbing\b", re.I), "sharp"),
    ("character", re.compile(r"\bdull\b", re.I), "dull"),
    ("character", re.compile(r"\btight(?:ness|ening)?\b|(?<!blood )\bpressure\b|\bsqueez\w*|\bcrushing\b", re.I), "tight"),
    ("character", re.compile(r"\bburning\b", re.I), "burning"),
    ("character", re.compile(r"\bdry\b", re.I), "dry"),
    ("character", re.compile(r"\bwatery\b", re.I), "watery"),
    ("character", re.compile(r"\bproductive\b|\bphlegm\b|\bsputum\b|\bmucus\b", re.I), "productive"),
    ("course", re.compile(r"\bgetting (?:a (?:bit|little) |slightly |much )?worse\b|\bworsening\b|\bworse and worse\b", re.I), "worsening"),
    ("course", re.compile(r"\bgetting (?:a (?:bit|little) |slightly |much )?better\b|\bimproving\b", re.I), "improving"),
    ("severity", re.compile(r"\b(?:really|very|quite) (?:bad|severe)\b|\bsevere\b|\bexcruciating\b", re.I), "severe"),
    ("severity", re.compile(r"\bmild\b|\bnot (?:too|that) bad\b", re.I), "mild"),
    # what makes it worse ("trigger"), in a note's words
    ("trigger", re.compile(r"\b(?:worse|comes? on|brought on|starts?|happens?|hurts?) (?:\w+ )?(?:when i (?:walk|exercise|run|go up (?:the )?stairs|climb (?:the )?stairs|exert myself)|on exertion|with exercise|(?:going|walking) up (?:the )?stairs)\b"
                            r"|\bwhen i (?:climb|go up|walk up|run up) (?:the |a |any )?(?:stairs|hills?)\b|\bon exertion\b", re.I), "worse on exertion"),
    ("trigger", re.compile(r"\b(?:worse|comes? on|hurts?|happens?) (?:\w+ )?(?:after|when i|with) (?:eat\w*|meals?|food)\b|\bafter (?:i eat|eating|meals?|food)\b", re.I), "after meals"),
    ("trigger", re.compile(r"\b(?:worse|hurts?|comes? on) (?:\w+ )?(?:when i (?:lie|lay) (?:down|flat)|lying (?:down|flat)|laying down)\b", re.I), "worse lying down"),
    ("trigger", re.compile(r"\b(?:worse|hurts?) (?:\w+ )?(?:when i (?:move|bend|turn)|on movement|with movement|moving)\b", re.I), "worse on movement"),
    ("trigger", re.compile(r"\b(?:worse|hurts?) (?:\w+ )?(?:when i (?:take a deep breath|breathe in|breathe deeply|cough)|on (?:deep )?breathing|on coughing|when i breathe)\b"
                            r"|\bwhen i (?:cough (?:or|and) )?(?:take a deep breath|breathe in|breathe deeply)\b", re.I), "worse on breathing"),
    ("trigger", re.compile(r"\b(?:worse|bad) (?:\w+ )?(?:at night|in the night|overnight)\b|\bmostly (?:at night|in the night|in the evenings?)\b", re.I), "worse at night"),
    ("trigger", re.compile(r"\b(?:worse|bad) (?:\w+ )?in the mornings?\b", re.I), "worse in the morning"),
    ("relief", re.compile(r"\b(?:goes?(?: away)?|went(?: away)?|eases?|eased|settles?|settled|better|stops?|stopped|relieved)\b(?: \w+){0,2}? (?:when i|if i|with|after|on) (?:a )?(?:rest\w*|stop\w*|sit\w* (?:down|still)|lie down)\b", re.I), "relieved by rest"),
    ("trigger", re.compile(r"\bwhen i (?:turn over in bed|roll over(?: in bed)?|look up|turn my head|move my head)\b", re.I), "on head movement"),
    # how it came on ("speed"), apart from when ("onset": "started 2 days ago")
    ("speed", re.compile(r"\bsudden\w*|\bout of the blue\b|\bcame on quickly\b", re.I), "sudden onset"),
    ("speed", re.compile(r"\bgradual\w*|\bslowly\b", re.I), "gradual onset"),
]
_RADIATES = re.compile(r"\b(?:goes?|going|went|spreads?|spreading|spread|radiat\w*|travels?|travell?ing|shoots?|shooting|moves?|moving)\b(?: \w+)?? "
                       r"(?:down|up|into|to|through|across|towards?|round|around)(?: to)?(?: (?:the|my|your))?(?: back of (?:the |my )?)?(?: (left|right))?(?: (?:side of (?:the |my )?))?"
                       r" (arms?|legs?|jaw|neck|back|shoulders?|shoulder blades?|buttocks?|bum|groin|chest|tummy|stomach|hips?|thighs?|knees?|feet|foot|head|eyes?|teeth)\b", re.I)


_LASTING = re.compile(rf"\b(?:last(?:s|ing|ed)?|goes on|go on) (?:for )?(?:about |around |up to |roughly |maybe )?({_N})(?:\s*(?:or|to|-)\s*({_N}))? (seconds?|minutes?|hours?)\b"
                      rf"|^(?:(?:um|uh|so|well|oh|about|around|roughly|maybe|usually|normally|probably)[\s,]+)*({_N})(?:\s*(?:or|to|-)\s*({_N}))? (seconds?|minutes?) (?:each time|at a time|a time|or so)\b", re.I)


_ANY_LENGTH = re.compile(rf"\b({_N})(?:\s*(?:or|to|-)\s*({_N}))? (seconds?|minutes?|hours?)\b", re.I)


def lasting(text: str, *, asked: bool = False) -> str:
    """How long each episode lasts: "they last about ten minutes" -> "lasting 10 minutes"; ``asked``:
    the answer to "How long does it last?", where an amount alone says it ("Maybe thirty seconds.")."""
    m = _LASTING.search(text.strip())
    if m is not None:
        g = m.groups()
        k = 0 if g[0] else 3  # "they last about ten minutes" / "About ten minutes each time"
        return f"lasting {_amount(g[k], g[k + 1], g[k + 2])}"
    found = list(_ANY_LENGTH.finditer(text)) if asked else []
    last = found[-1] if found else None  # "Less than a minute, maybe thirty seconds": the last said
    return f"lasting {_amount(last.group(1), last.group(2), last.group(3))}" if last else ""


def radiation(text: str) -> str:
    """"It goes down my right leg" -> "radiating to right leg"; "" when not said (or denied)."""
    m = _RADIATES.search(text)
    if m is None or _NOT_BEFORE.search(text[: m.start()]):
        return ""
    where = " ".join(w for w in (m.group(1), m.group(2)) if w).lower()
    return f"radiating to {where}"


_SITE = re.compile(r"\b(left|right|both|lower|upper|central|middle|front|back of (?:my|the) head|all over)\b(?: (?:hand )?side)?", re.I)
_PART = re.compile(r"\b(?:on|in|around|over|of) (?:my|your|the|his|her)(?: \w+)? (elbows?|knees?|ankles?|wrists?|shoulders?|hips?|arms?|legs?|hands?|fingers?|palms?|feet|foot|toes?|face|eyes?|ears?|breasts?|neck|armpits?|groin|testicles?)\b", re.I)


def _num(s: str) -> str:
    s = s.lower().replace("a couple of", "2").replace("couple of", "2")
    if s in ("a few", "few", "several"):
        return "a few"
    return number_value(s)


def _amount(a: str, b: str | None, unit: str) -> str:
    n = _num(a)
    unit = unit.lower()
    if b:
        n = f"{n}-{_num(b)}"
    elif n == "1":
        return f"1 {unit.rstrip('s')}"
    if not unit.endswith("s") and n != "1":
        unit += "s"
    return f"{n} {unit}"


_AMOUNT = re.compile(rf"({_N})(?:\s*(?:or|to|-)\s*({_N}))? {_UNIT}", re.I)


def amount(text: str) -> str:
    """"three to four days" -> "3-4 days"; unchanged when it is not an amount of time."""
    m = _AMOUNT.fullmatch(text.strip())
    return _amount(m.group(1), m.group(2), m.group(3)) if m else text.lower()


_BARE_AMOUNT = re.compile(rf"^(?:(?:um|uh|erm|so|well|oh|yeah|i'?d say|i think|probably|maybe|like|about|around|roughly|nearly|almost|over|just)[\s,]+)*({_N})(?:\s*(?:or|to|-)\s*({_N}))? {_UNIT}\b", re.I)


def bare_duration(text: str) -> str:
    """The answer to "How long have you had it?" said as an amount alone ("About three weeks,
    it keeps coming and going") -> "3 weeks"; ""."""
    m = _BARE_AMOUNT.match(text.strip())
    return _amount(m.group(1), m.group(2), m.group(3)) if m else ""


def duration(text: str) -> str:
    """How long, as a note writes it ("3 days", "since yesterday"), or ""."""
    m = _DURATION.search(text)
    if m:
        g = m.groups()
        k = next(i for i in range(0, len(g), 3) if g[i])
        return _amount(g[k], g[k + 1], g[k + 2])
    m = _SINCE.search(text)
    if m:
        return "since " + m.group(1).lower()
    m = _LAST_UNIT.search(text)  # "dizzy spells for the last week": said so (no number was said)
    return f"the {m.group(1).lower()} {m.group(2).lower()}" if m else ""


def onset(text: str, *, last: bool = False) -> str:
    """When it began ("4 days ago", "this morning"), or ""; ``last``: the last time said
    ("about six days ago, no, five days ago")."""
    found = list(_AGO.finditer(text))
    m = found[-1 if last else 0] if found else None
    if m:
        return "started " + _amount(m.group(1), m.group(2), m.group(3)) + " ago"
    m = _TODAY.search(text)
    return ("since " + m.group(1).lower()) if m else ""


def times(text: str) -> str:
    m = _TIMES.search(text)
    if not m:
        return ""
    if m.group(4):
        return "every " + m.group(4).lower()
    n = _num(m.group(1)) + (f"-{_num(m.group(2))}" if m.group(2) else "")
    return f"{n} times a {m.group(3).lower()}"


_BARE_SCORE = re.compile(r"\b(?:a |an |about |around |probably |maybe |like |solid )*(one|two|three|four|five|six|seven|eight|nine|ten|[1-9]|10)\b(?! (?:days?|weeks?|months?|years?|hours?|times?))", re.I)


def severity_score(text: str, *, asked: bool = False) -> str:
    """"6 out of 10" -> "severity 6/10"; ``asked``: the answer to "on a scale of one to ten ...?",
    where a number alone is the score ("Ohh it's probably a eight")."""
    m = _SEVERITY.search(text)
    if m:
        return f"severity {_num(m.group(1))}/10"
    m = _BARE_SCORE.search(text) if asked else None
    return f"severity {_num(m.group(1))}/10" if m else ""


_SITE_WORD = {"middle": "central"}  # "in the middle of my tummy": central abdominal pain
_NOT_SITE = re.compile(r"\b(?:not|no|neither|nor)\b[^.;!?]{0,25}$", re.I)  # "Not on any side, left or right"


_SIDE_FIRST = {"left": 0, "right": 0, "both": 0, "upper": 1, "lower": 1, "central": 1}


def site_order(where: str) -> str:
    """Side, then level, then the part: "arm right" -> "right arm", "lower left" -> "left lower"."""
    words = list(dict.fromkeys(where.split()))
    return " ".join(sorted(words, key=lambda w: _SIDE_FIRST.get(w, 2)))


def site(text: str) -> str:
    """"left", "left lower", "left elbow" ("a swelling on my left elbow"), or ""."""
    found = [_SITE_WORD.get(m.group(1).lower(), m.group(1).lower()) for m in _SITE.finditer(text) if not _NOT_SITE.search(text[: m.start()])]
    part = _PART.search(text)
    if part:
        found.append(part.group(1).lower())
    return site_order(" ".join(dict.fromkeys(found)))


_NOT_BEFORE = re.compile(r"\b(?:not|never|isn'?t|wasn'?t)\s+(?:\w+\s+)?$|n'?t\s+(?:\w+\s+)?$", re.I)


def attributes(text: str) -> dict[str, str]:
    """Symptom attributes said in ``text`` (pattern, character, course, severity, onset, timing)."""
    out: dict[str, str] = {}
    said = sorted((m.start(), k, name, value) for k, (name, rx, value) in enumerate(ATTRIBUTES)
                  for m in rx.finditer(text) if not _NOT_BEFORE.search(text[: m.start()]))  # "not sharp": not said of it
    for _, _, name, value in said:
        out.setdefault(name, value)  # the first said: "a dull ache, but it gets sharp when I bend" is dull
    for name, fn in (("duration", duration), ("onset", onset), ("times", times), ("score", severity_score), ("radiation", radiation), ("lasting", lasting)):
        v = fn(text)
        if v:
            out[name] = v
    return out


ACRONYMS = frozenset("uti utis ibs ibd sle copd dvt pe urti lrti gord gerd hiv adhd ptsd ocd ms mi tia uk nhs gp ecg ct mri nsaids".split())


def capitalize(text: str) -> str:
    """First letter up, acronyms in capitals ("likely uti" -> "Likely UTI")."""
    t = " ".join(w.upper() if w.lower().strip(",.;") in ACRONYMS else w for w in text.split()).strip(" ,;")
    return t[:1].upper() + t[1:] if t else t


def lower_first(text: str) -> str:
    """The phrase to follow other words: "Paracetamol 500 mg" -> "paracetamol 500 mg", "MRI" and
    "GTN" kept ("May need MRI", "Take GTN")."""
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


_ON_SITE = ("rash", "itchy rash", "itching", "spots", "blisters", "bruising")  # "Rash on arms" (a pain or swelling: "Left knee pain")


def symptom_phrase(name: str, attrs: dict[str, str], *, negated: bool = False) -> str:
    """"Left lower abdominal pain, crampy, intermittent, for 3 days" / "No fever"."""
    if negated:
        return capitalize(f"no {name}")
    where = " ".join(w for w in attrs.get("site", "").split() if w not in name.split() and w.rstrip("s") not in name.split())  # "left knee": "Left knee pain"
    if name.endswith((" pain", " injury")) and name not in ("pain", "chest pain", "abdominal pain", "back pain"):
        where = " ".join(w for w in where.split() if w in _SIDE_FIRST)  # "big toe ... right foot": "Right big toe pain"
    if not where or where in name:
        head = name
    elif "skin" in name or name in _ON_SITE:
        head = f"{name} on {where}"  # "sore skin on hands", "rash on arms"
    else:
        head = f"{where} {name}"
    if attrs.get("severity"):
        head = f"{attrs['severity']} {head}"  # "severe diarrhoea"
    d, when = attrs.get("duration", ""), attrs.get("onset", "")
    if d and when.startswith("started"):
        d = ""  # "started 3 days ago" says how long too
    said_since = bool(d) and when.startswith("since") and not d.startswith("since")  # "for 3 days" over "since this morning"
    parts = [head]
    for k in ("character", "painless", "pattern", "course", "trigger", "relief", "speed", "score", "onset", "lasting", "times"):
        v = attrs.get(k)
        if v and v not in head and not (k == "onset" and said_since):
            parts.append(v)
    if attrs.get("radiation"):
        parts.append(attrs["radiation"])
    text = ", ".join(parts)
    if d and d not in text:  # "since this morning" read as both onset and duration is said once
        text += f" {d}" if d.startswith("since") else f" for {d}"
    return capitalize(text)
