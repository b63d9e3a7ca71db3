"""Spoken section headings in dictation ("past medical history:", "plan:") and the hedges
that make a dictated assessment uncertain; used by the rules backend (``medasr.note.rules``)."""

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

HEDGE = re.compile(
    r"\b(might|may|maybe|possibl\w*|perhaps|could be|not sure|unsure|i'?m not certain|query|"
    r"suspect\w*|rule out|exclude|likely|probably)\b|\?",
    re.I,
)


def heading(text: str) -> tuple[str, int] | None:
    """A spoken section heading at the start of ``text``: (section, length of the heading)."""
    for rx, section in _HEADING_RE:
        m = rx.match(text)
        if m:
            return section, m.end()
    return None
