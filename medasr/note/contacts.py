"""Unwell contacts: whether the people around the patient have the same illness.

The clinician asks ("Anyone else at home unwell?", "Have you been around anyone with
diarrhoea?") and the patient answers ("Yeah, my son had the same" -> "Son had similar
symptoms"; "No." -> "No unwell contacts"), or the patient says it unasked ("My wife and kids
are poorly too" -> "Wife and children also unwell"). A statement always names the contact:
a relative's symptom is never written as the patient's (``is_contact_statement`` lets the
checks tell the two apart).
"""

from __future__ import annotations

import re

from medasr.note.dialogue import CLINICIAN, PATIENT, Remark, answer_polarity, answer_to, evidence, negated_at
from medasr.note.facts import Fact
from medasr.note.lexicon import GENERIC, clean_map, symptom_patterns
from medasr.note.phrase import capitalize
from medasr.schema import Transcript

# the people a patient lives or works with, as they are said
PEOPLE = (r"mum|mom|mother|dad|father|brother|sister|son|daughter|wife|husband|partner|kids?|children|child|bab(?:y|ies)|"
          r"boyfriend|girlfriend|grand\w+|nan|aunt|uncle|cousin|friends?|flatmates?|housemates?|colleagues?|family")
_PERSON = re.compile(rf"\b({PEOPLE})\b", re.I)
_NAME = {"mum": "mother", "mom": "mother", "dad": "father", "kids": "children", "kid": "child", "babies": "baby"}
_ILL = re.compile(r"\b(?:unwell|ill|poorly|sick|under the weather|(?:tummy |stomach )?bug)\b", re.I)
_SAME = re.compile(r"\b(?:the same|similar|something like (?:this|that)|like (?:this|that|mine)|(?:has|had|got|have|caught) (?:it|this|that)\b(?: too| as well)?)", re.I)
_ALSO = re.compile(r"\b(?:also|too|as well)\b", re.I)
_PAST = re.compile(r"\b(?:had|was|were|caught)\b", re.I)
_NO_ONE = re.compile(r"\b(?:no ?one|no-one|nobody|none of them)\b", re.I)
_JOINED = re.compile(r"^\s*(?:,|and|&)\s*(?:(?:my|our|the|his|her|both|two|three|four)\s+)?$", re.I)
# a question about the people around the patient being ill (not about family history)
_WHO = re.compile(rf"\b(?:any ?one|any ?body|some ?one|some ?body|other people|people|others|contacts?|{PEOPLE})\b", re.I)
_NEAR = re.compile(r"\b(?:else|around|at home|household|in contact|contacts?|close to you|liv(?:e|es|ing) with|at work)\b", re.I)
_NOT_CONTACT_Q = re.compile(r"\btold you\b|\bdiagnos\w*|\brun in\b|\bhistory\b|\bever had\b", re.I)
_STATEMENT = re.compile(rf"^(?:no (?:other )?(?:unwell )?contacts\b|has unwell contacts$|(?:{PEOPLE})(?:(?:,| and) (?:{PEOPLE}))* "
                        rf"(?:also unwell\b|similarly unwell$|ha[sd] similar symptoms$))", re.I)


def is_contact_statement(text: str, evidence_text: str) -> bool:
    """Is this a statement about the patient's contacts ("Son had similar symptoms", "No unwell
    contacts") whose evidence names every contact it names (mother for "my mum")?"""
    if not _STATEMENT.match(text.strip()):
        return False
    said = {_NAME.get(m.group(1).lower(), m.group(1).lower()) for m in _PERSON.finditer(clean_map(evidence_text)[0])}
    return all(_NAME.get(m.group(1).lower(), m.group(1).lower()) in said for m in _PERSON.finditer(text))


_FIRST_PERSON = re.compile(r"\b(?:i|i'?ve|i'?m|i'?d|me|myself)\b", re.I)
_CUT = re.compile(r"[.;!?]|\bbut\b|\b(?:i|i'?ve|i'?m|i'?d)\b", re.I)


def someone_else_in(clause: str, who: re.Pattern[str] = _PERSON) -> bool | None:
    """Is the end of ``clause`` about someone it names, not the patient after them ("my mum
    has"; not "my wife and I have")? None when it names nobody."""
    people = list(who.finditer(clause))
    if not people:
        return None
    return not _FIRST_PERSON.search(clause[people[-1].end() :])


def about_others(text: str, start: int) -> bool:
    """Is what is said at ``start`` someone else's: a person named before it in its clause (up
    to a full stop or "but"), and not the patient after them ("my mum has migraines"; not "my
    wife and I have both got diarrhoea")?"""
    return bool(someone_else_in(re.split(r"[.;!?]|\bbut\b", text[:start])[-1]))


def _symptom(text: str) -> str:
    """The first symptom said (and not denied) in ``text``, or ""."""
    for name, rx in symptom_patterns():
        if name != GENERIC and any(not negated_at(text, m.start()) for m in rx.finditer(text)):
            return name
    return ""


def asks_contacts(question: str) -> bool:
    """"Anyone else unwell?", "Have you been around anyone else with diarrhoea?"; not "Anyone
    else at home with you?" nor "Does anyone in your family get migraines?"."""
    if not _WHO.search(question) or _NOT_CONTACT_Q.search(question):
        return False
    return bool(_ILL.search(question)) or bool(_NEAR.search(question)) and bool(re.search(r"\b(?:same|similar)\b", question, re.I) or _symptom(question))


def _who(text: str, people: list[re.Match[str]], k: int) -> str:
    """The contact ``people[k]`` with those joined to it by "and" before it ("wife and kids")."""
    j = k
    while j and _JOINED.match(text[people[j - 1].end() : people[j].start()]):
        j -= 1
    names = list(dict.fromkeys(_NAME.get(m.group(1).lower(), m.group(1).lower()) for m in people[j : k + 1]))
    return " and ".join(filter(None, (", ".join(names[:-1]), names[-1])))


def _similar(after: str, context: str) -> str:
    """"had similar symptoms", or "similarly unwell" where the words said are "unwell" and "the same"."""
    if not re.search(r"\b(?:symptoms?|something)\b", f"{after} {context}", re.I) and _ILL.search(f"{after} {context}"):
        return "similarly unwell"
    return "had similar symptoms" if _PAST.search(after) else "has similar symptoms"


def _said_of(after: str, *, strict: bool, context: str = "") -> str:
    """How the contact is ill, from the words after them ("has it as well" -> similar), or "";
    ``context``: the question answered."""
    ill = _ILL.search(after)
    same = _SAME.search(after)
    symptom = _symptom(after)
    if strict and not (_ALSO.search(after) and (ill or same and same.group(0).lower().startswith(("has", "had", "got", "have", "caught")))):
        return ""  # said unasked: only "also unwell", "got it too"
    if symptom:
        return f"also unwell with {symptom}"
    if same and not negated_at(after, same.start()):
        return _similar(after, context)
    return "also unwell" if ill and not negated_at(after, ill.start()) else ""


def ill_contacts(text: str, *, strict: bool, named_is_enough: bool = False, context: str = "") -> list[tuple[str, str]]:
    """(who, statement) for each contact said to be ill in ``text``; ``strict``: said unasked;
    ``named_is_enough``: a yes to the question, so naming them says they are ill ("Yeah, my son");
    ``context``: the question answered."""
    plain = clean_map(text)[0]
    people = [m for m in _PERSON.finditer(plain) if not negated_at(plain, m.start())]
    out: list[tuple[str, str]] = []
    for k, m in enumerate(people):
        stop = people[k + 1].start() if k + 1 < len(people) else len(plain)
        after = _CUT.split(plain[m.end() : stop])[0]  # up to the next clause about the patient ("... and I've got diarrhoea")
        said = _said_of(after, strict=strict, context=context) or ("also unwell" if named_is_enough and k + 1 == len(people) else "")
        if said:
            who = _who(plain, people, k)
            out.append((who, capitalize(f"{who} {said}")))
    return out


def _denial(question: str, sentence: str, *, others: bool) -> str:
    """"No unwell contacts" (or with the symptom asked about, or "the same symptoms" as said)."""
    if _SAME.search(sentence) and re.search(r"\bsymptoms\b", sentence, re.I):
        return "No contacts with the same symptoms"
    symptom = _symptom(question)
    if not _ILL.search(question) and symptom:
        return f"No contacts with {symptom}"
    return "No other unwell contacts" if others else "No unwell contacts"


_WELL = re.compile(r"\b(?:fine|well|ok|okay|alright|all right|healthy|good|maybe|perhaps|not sure|don'?t know)\b", re.I)


def _names_them(answer: str, pol: bool | None) -> bool:
    """Does naming someone answer yes ("Yeah, my son", "Just my son."; not "My wife is fine", nor
    "Maybe my son")?"""
    return pol is True or pol is None and len(answer.split()) <= 5 and not _WELL.search(answer)


def _answered(q: Remark, ans: list[Remark], tr: Transcript) -> list[Fact]:
    """The contacts an answer names as ill, and its denial: one said after them is "no other"
    ("Just my son. Nobody else."); a "No." before them is taken back ("No. Actually my son has it too.")."""
    pol = answer_polarity(ans)
    out: list[Fact] = []
    named: list[int] = []
    for k, a in enumerate(ans):
        for who, said in ill_contacts(a.text, strict=False, named_is_enough=k == 0 and _names_them(a.text, pol), context=q.text):
            out.append(Fact("hpi", said, (evidence(tr, q), evidence(tr, a)), key=f"contacts:{who}"))
            named.append(k)
    denials = [a for k, a in enumerate(ans) if k not in named and (k == 0 and pol is False or _NO_ONE.search(a.text))
               and k > min(named, default=-1)]
    if denials:
        out.append(Fact("hpi", _denial(q.text, denials[-1].text, others=bool(out)), (evidence(tr, q), evidence(tr, denials[-1])),
                        key="contacts:none", negated=True))
    elif pol is True and not out:
        out.append(Fact("hpi", "Has unwell contacts", (evidence(tr, q), evidence(tr, ans[0])), key="contacts:yes"))
    return out


def contact_facts(utts: list[Remark], tr: Transcript) -> list[Fact]:
    """Unwell contacts, from answers to the clinician's questions and the patient's own words."""
    out: list[Fact] = []
    answered: set[int] = set()
    for i, u in enumerate(utts):
        if u.role == CLINICIAN and u.is_question and asks_contacts(u.text):
            ans = answer_to(utts, i)
            answered |= {id(a) for a in ans}
            out += _answered(u, ans, tr) if ans else []
        elif u.role == PATIENT and id(u) not in answered:
            out += [Fact("hpi", said, (evidence(tr, u),), key=f"contacts:{who}") for who, said in ill_contacts(u.text, strict=True)]
    if any(not f.negated for f in out):  # "Anyone else unwell?" "No. Actually my son's got it too.": the son
        out = [f for f in out if f.text != "No unwell contacts"]
    return out
