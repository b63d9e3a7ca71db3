"""A consultation about someone who is not speaking: a parent telling of their child ("This is my
son Jack, he's three."). Then "my son" and "he" in the parent's words are the patient, not a
relative or a contact, so the symptoms said of them are the patient's."""

from __future__ import annotations

import re

from medasr.note.dialogue import PATIENT, Remark

_INTRO = re.compile(r"\b(?:this is|it'?s|here (?:with|about|for)|brought|calling about|worried about|about) (?:my|our) "
                    r"(son|daughter|baby|little boy|little girl|boy|girl|child|toddler)\b"
                    r"|\bmy (son|daughter|baby|little boy|little girl)(?:,? \w+)?,? (?:who )?(?:is|'s|has|had|was) (?:\w+ )?(?:months?|years?) old\b", re.I)
_PRONOUNS = {"son": r"he|him|his|he's|he'?s", "boy": r"he|him|his|he's", "little boy": r"he|him|his|he's",
             "daughter": r"she|her|hers|she's", "girl": r"she|her|hers|she's", "little girl": r"she|her|hers|she's"}


def proxy_patient(utts: list[Remark]) -> re.Pattern[str] | None:
    """The words that name the patient in a parent's account ("my son", "he", "him"), or None
    when the patient speaks for themselves. Read from the speaker's first turns only."""
    for u in [u for u in utts if u.role == PATIENT][:4]:
        m = _INTRO.search(u.text)
        if m:
            who = (m.group(1) or m.group(2)).lower()
            pron = _PRONOUNS.get(who, r"he|him|his|she|her|they|them")
            return re.compile(rf"\b(?:(?:my|our|the) (?:little )?{re.escape(who)}|{pron})\b", re.I)
    return None


def without_patient(text: str, proxy: re.Pattern[str] | None) -> str:
    """``text`` with the words that name the patient blanked out (same length, so offsets hold)."""
    return proxy.sub(lambda m: " " * len(m.group(0)), text) if proxy else text
