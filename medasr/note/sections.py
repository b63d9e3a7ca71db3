"""Section cues and a keyword sentence classifier for the rules backend.

Dictation names its sections aloud ("past medical history", "plan"); conversation does not,
so each sentence is scored by cue words, weighted by who said it. The cue lists were shaped
on the PriMock57 development notes (which facts clinicians keep, and under which heading).
"""

from __future__ import annotations

import re

# Spoken headings in dictation -> section.
HEADINGS: list[tuple[str, str]] = [
    (r"chief complaint|presenting complaint|reason for (?:the )?visit", "chief_complaint"),
    (r"history of (?:the )?present(?:ing)? (?:illness|complaint)|h\.?p\.?i\.?", "history_of_present_illness"),
    (r"past medical history|medical history|past history|p\.?m\.?h\.?", "past_history"),
    (r"(?:current )?medications?|drug history|meds", "medications"),
    (r"allerg(?:y|ies)", "allergies"),
    (r"social history|family history|social and family history", "social_family_history"),
    (r"review of systems|systems review|r\.?o\.?s\.?", "review_of_systems"),
    (r"(?:physical )?exam(?:ination)?|on examination|vitals|vital signs|observations", "examination"),
    (r"assessment|impression|diagnosis|assessment and plan", "assessment"),
    (r"plan|management|treatment plan", "plan"),
]
_HEADING_RE = [(re.compile(rf"^\s*(?:{p})\s*(?:[:,.\-]|$)", re.I), s) for p, s in HEADINGS]

SYMPTOMS = re.compile(
    r"\b(pain\w*|ache\w*|aching|hurt\w*|sore\w*|fever\w*|temperature|feverish|cough\w*|diarrh\w*|vomit\w*|"
    r"sick|nause\w*|headache\w*|migraine\w*|rash\w*|itch\w*|swell\w*|swollen|breath\w*|wheez\w*|dizz\w*|"
    r"tired\w*|fatigue\w*|exhaust\w*|letharg\w*|weak\w*|bleed\w*|blood|burn\w*|numb\w*|tingl\w*|sweat\w*|"
    r"chills|shiver\w*|palpitation\w*|constipat\w*|stool\w*|urin\w*|pee\w*|wee\w*|toilet|throat|ears?|"
    r"hearing|tinnitus|ringing|vision|aura|lights?|cramp\w*|stiff\w*|lump\w*|bite|sting|anxi\w*|"
    r"low mood|depress\w*|appetite|weight|runny|blocked|congest\w*|sneez\w*|muscle\w*|joint\w*|"
    r"chest|stomach|tummy|abdom\w*|skin|dry|cracked|red|redness|discharge|swallow\w*|speech|arm|leg|face|"
    r"throbb\w*|sharp|stabbing|dull|sensitiv\w*|photophobia|overweight|hot|cold|runny|running|nose|"
    r"ankles?|knees?|back|neck|shoulders?|wrist|elbow|foot|feet|hands?|eyes?|numbness)\b",
    re.I,
)
_CUES: dict[str, list[tuple[str, float]]] = {
    "allergies": [(r"\ballerg\w*", 3.0), (r"\banaphyla\w*", 2.0)],
    "medications": [(r"\b(medication|medicine|tablets?|pills?|inhalers?|creams?|prescri\w*|the pill|dose)\b", 1.5)],
    "past_history": [
        (r"\b(history of|diagnosed|in the past|past medical|medical (?:problems|conditions|history)|previously|"
         r"used to have|any other (?:conditions|problems|illness\w*)|operations?|surgery|long[- ]term|chronic|"
         r"asthma|diabetes|diabetic|hypertension|high blood pressure|eczema|ibs|epilep\w*|arthritis)\b", 1.5)
    ],
    "social_family_history": [
        (r"\b(smok\w*|cigarettes?|alcohol|drink\w*|units|pints?|wine|beer|recreational|drugs)\b", 2.0),
        (r"\b(work\w* as|my job|for work|occupation|live with|lives? with|living with|married|partner|"
         r"wife|husband|kids|children|son|daughter)\b", 1.5),
        (r"\b(family|mum|mother|dad|father|sister|brother|grand\w+|runs in)\b", 2.0),
        (r"\b(travel\w*|abroad|holiday)\b", 1.0),
    ],
    "examination": [
        (r"\b(blood pressure|pulse|heart rate|saturation\w*|oxygen|sats|respiratory rate|bmi|"
         r"on examination|examin\w*|auscultat\w*|tender\w*|looks? (?:well|unwell)|"
         r"let me (?:have a )?(?:look|listen|check)|i can see|observations?)\b", 2.5),
        (r"\btemperature (?:is|was|of)\b|\bdegrees\b", 2.5),
    ],
    "assessment": [
        (r"\b(i think|i suspect|it sounds like|sounds like|it seems|likely|probably|most likely|"
         r"diagnos\w*|impression|consistent with|could be|might be|suggest\w* (?:that )?(?:it|this|you)|"
         r"what you(?:'ve| have) (?:got|had) is|this is (?:a|an)|caused by|i wonder|may have|might have|"
         r"something called|think about|worried about|concerned|rule out|exclude)\b", 2.5)
    ],
    "plan": [
        (r"\b(i'll|i will|we'll|we will|i'd like|i would like|recommend\w*|prescri\w*|advis\w*|"
         r"suggest|you should|you can take|try (?:to|taking|some)|come back|follow[- ]up|review|refer\w*|"
         r"book|appointment|blood tests?|bloods|test\w*|scan|x-ray|swab|sample|if (?:it|things|you|"
         r"symptoms) (?:get|gets|got|become|don't|do not)|worse|rest|fluids|plenty of|hydrat\w*|"
         r"ambulance|a and e|a&e|urgent\w*|safety)\b", 1.5)
    ],
    "history_of_present_illness": [
        (r"\b(since|started|began|for (?:the )?(?:last|past)|days?|weeks?|months?|yesterday|"
         r"last night|this morning|ago|getting worse|gets worse|comes and goes|on and off|constant)\b", 1.0)
    ],
}
_CUE_RE = {s: [(re.compile(p, re.I), w) for p, w in pats] for s, pats in _CUES.items()}
# Who usually says it, in a consultation.
_DOCTOR_SECTIONS = {"assessment": 1.5, "plan": 1.5, "examination": 1.0}
_PATIENT_SECTIONS = {"history_of_present_illness": 1.0, "social_family_history": 0.5, "past_history": 0.5}
FILLER = re.compile(
    r"^(?:(?:okay|ok|yeah|yes|no|right|sure|alright|thanks?|thank you|um+|uh+|mm+|hmm+|oh|so|great|"
    r"fine|good|perfect|lovely|brilliant|hello|hi|bye|goodbye|cheers|sorry|of course|i see|that's right|"
    r"not really|i don't know|all right)[\s,.!?]*)+$",
    re.I,
)
ALLERGY = re.compile(r"\ballerg\w*|\banaphyla\w*|\breaction to\b", re.I)
HEDGE = re.compile(
    r"\b(might|may|maybe|possibl\w*|perhaps|could be|not sure|unsure|i'?m not certain|query|"
    r"suspect\w*|rule out|exclude|likely|probably)\b|\?",
    re.I,
)
NEGATION = re.compile(r"\b(no|not|never|denies|deny|without|none|nil|negative for|haven'?t|hasn'?t|don'?t|doesn'?t|didn'?t|isn'?t|wasn'?t)\b", re.I)


def heading(text: str) -> tuple[str, int] | None:
    """A spoken section heading at the start of ``text``: (section, length of the heading)."""
    for rx, section in _HEADING_RE:
        m = rx.match(text)
        if m:
            return section, m.end()
    return None


def classify(text: str, speaker: str | None, *, has_drug: bool = False) -> tuple[str | None, float]:
    """Best section for one sentence and its score; (None, 0) for small talk."""
    if FILLER.match(text.strip()) or len(text.split()) < 3:
        return None, 0.0
    scores: dict[str, float] = {}
    for section, pats in _CUE_RE.items():
        s = sum(w for rx, w in pats if rx.search(text))
        if s:
            scores[section] = s
    if has_drug:
        scores["medications"] = scores.get("medications", 0.0) + 2.5
    if SYMPTOMS.search(text):
        scores["history_of_present_illness"] = scores.get("history_of_present_illness", 0.0) + 1.5
    if speaker == "doctor":
        for s, w in _DOCTOR_SECTIONS.items():
            if s in scores:
                scores[s] += w
        scores.pop("history_of_present_illness", None) if not text.rstrip().endswith("?") else None
    elif speaker == "patient":
        for s in ("assessment", "plan", "examination"):
            scores.pop(s, None)
        for s, w in _PATIENT_SECTIONS.items():
            if s in scores:
                scores[s] += w
    if not scores:
        return None, 0.0
    best = max(scores, key=lambda k: scores[k])
    if best == "medications" and speaker == "doctor" and "plan" in scores:
        best = "plan"  # "I'll prescribe amoxicillin": the doctor's plan
    return best, scores[best]


def negated(text: str, start: int, window: int = 40) -> bool:
    """Is the mention at ``start`` negated by a cue in the few words before it?"""
    before = text[max(0, start - window) : start]
    clause = re.split(r"[,;:]|\bbut\b", before)[-1]
    return bool(NEGATION.search(clause))
