"""The patient's ideas, concerns and expectations (a UK GP note's "ICE"), in their own words.

- a concern: a serious illness the patient fears, named in lay words the vocabulary may not link
  ("I'm scared it might be a brain tumour" -> "Worried about brain tumour"); never a diagnosis;
- an idea: what the patient thinks caused it ("I think it's from the takeaway" -> "Thinks it is
  from the takeaway"), only with a word of cause, so "I think it's getting worse" is no idea;
- an expectation: what they hope for ("I was hoping to get some antibiotics" -> "Hoping for
  antibiotics").

Written from how patients say these in general practice, not from any consultation. Each is
said by the patient, not negated and not about someone else.
"""

from __future__ import annotations

import re

from medasr.note.contacts import PEOPLE
from medasr.note.dialogue import PATIENT, Remark, evidence, negated_at
from medasr.note.facts import Fact
from medasr.schema import Transcript

CONCERN_CUE = re.compile(r"\b(?:worried|worry|scared|afraid|concerned|frightened|anxious)\b(?: \w+){0,6}? (?:it'?s|it is|it might be|it could be|it'?s going to be|about|that|of|i (?:have|had|might have|could have|'ve got))\b", re.I)
_FEARED = re.compile(r"\b(?:(?:brain|bowel|lung|breast|skin|prostate|ovarian|throat|stomach|blood) )?(?:cancer|tumou?r)s?\b|"
                     r"\bheart attack\b|\bstroke\b|\bmeningitis\b|\bsepsis\b|\bblood clots?\b|\bsomething (?:serious|sinister)\b", re.I)
_IDEA = re.compile(r"\bi (?:think|thought|reckon|wonder(?:ed)? if|guess) (?:it'?s|it is|it was|it might be|it could be|this is|this might be|it'?s probably) "
                   r"(?:probably |maybe |just )?(because of|due to|from|related to|caused by|down to) ((?:the |my |a |an |some )?(?!it\b|that\b|this\b)[a-z]+(?: (?!(?:we|i|you|he|she|they|that|which|who|when|on|at|in|and|but|or|so|because|last|yesterday|today)\b)[a-z]+)?)\b", re.I)
_HOPE = re.compile(r"\bi (?:was|am|'m) hoping (?:to get|for|you could give me|you might give me|to have) (?:some |a |an |the )?([a-z]+(?: [a-z]+)?)", re.I)
_OTHERS = re.compile(rf"\b(?:{PEOPLE}|friend|friends|colleague|neighbour)\b", re.I)


def ice_facts(utts: list[Remark], tr: Transcript) -> list[Fact]:
    out: list[Fact] = []
    for u in utts:
        if u.role != PATIENT:
            continue
        text = u.text
        ev = (evidence(tr, u),)
        others = _OTHERS.search(text)
        for m in _FEARED.finditer(text):
            feared = m.group(0).lower()
            if CONCERN_CUE.search(text[max(0, m.start() - 60) : m.start()]) and not negated_at(text, m.start()) and not others:
                out.append(Fact("hpi", f"Worried about {feared}", ev, key=f"concern:{feared}"))
        m = _IDEA.search(text)
        if m and not negated_at(text, m.start()) and not others:
            cause = re.sub(r"^my ", "", m.group(2).lower())
            how = {"because of": "due to", "down to": "due to"}.get(m.group(1).lower(), m.group(1).lower())
            out.append(Fact("hpi", f"Thinks it is {how} {cause}", ev, key=f"idea:{cause}"))
        m = _HOPE.search(text)
        if m and not negated_at(text, m.start()):
            out.append(Fact("hpi", f"Hoping for {m.group(1).lower()}", ev, key=f"hope:{m.group(1).lower()}"))
    return out
