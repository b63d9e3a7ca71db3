"""Who said what, and what a question's answer was: the reading of a consultation that the
rules extractor and the grounding checks share.

Roles: a segment's ``role`` (clinician | patient) when the transcript has one, else its
``speaker`` label ("doctor" -> clinician); in dictation everything is the clinician's.
A clinician's question is answered by the patient's next sentence when no other question
comes between; ``polarity`` reads that answer as yes, no, or neither.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from medasr.note.text import Unit, make_evidence, normalize_speaker, sentence_units
from medasr.schema import Evidence, Segment, Transcript

CLINICIAN, PATIENT = "clinician", "patient"
_LEAD = re.compile(r"^(?:(?:uh+|um+|ugh|uhm|er+|erm|mm+|hmm+|oh|ah|so|well|okay|ok|right|and|but|i mean|actually)\b[\s,.!?\-]*)+", re.I)
_YES = re.compile(r"^(?:yes|yeah|yep|yup|yah|mm-?hmm|uh-?huh|correct|that's right|i do|i have|i am|i did|it is|it does|sure|definitely|a little|a bit|sometimes|occasionally)\b", re.I)
_STUTTER = re.compile(r"^i,\s*(?=(?:yes|yeah|no|nope|not)\b)", re.I)
_SAID_YES = re.compile(r"^(?:there (?:was|is|were|has been|have been|'s been) (?:a |some |quite |a little |a bit |one )|i'?ve (?:had|got|noticed)\b|i had\b|i get\b|i think so\b|i do,"
                       r"|(?:a (?:wee|little)(?: bit)?,?\s*)?(?:every now and (?:again|then)|now and (?:again|then)|once in a while|socially\b)"
                       r"|(?:about |around |maybe |probably )?(?:\w+ )?(?:pints?|units?|glass(?:es)? of|cigarettes?|bottles?|cans?)\b)", re.I)
_NO = re.compile(r"^(?:no|nope|not|never|none|nothing|nah|i don'?t|i do not|i haven'?t|i have not|i'?m not|i am not|i didn'?t|it isn'?t|it doesn'?t|it hasn'?t|neither)\b", re.I)
NEGATION = re.compile(
    r"\b(no|not|never|denies|deny|without|none|nil|nothing|negative for|haven'?t|hasn'?t|don'?t|doesn'?t|didn'?t|"
    r"isn'?t|wasn'?t|aren'?t|can'?t|won'?t|free of|no longer|stopped)\b",
    re.I,
)
_CLAUSE_BREAK = r"[,;:.!?]|\b(?:but|although|though|however|apart from|except|other than|because|due to)\b"
_CLAUSE_SPLIT = re.compile(f"({_CLAUSE_BREAK})", re.I)
_OR = re.compile(r"\b(?:or|nor)\b", re.I)


def segment_role(seg: Segment, mode: str) -> str | None:
    """clinician | patient | None, from ``seg.role`` (issue 23) or its speaker label."""
    if mode == "dictation":
        return CLINICIAN
    role = getattr(seg, "role", None)
    if role in (CLINICIAN, PATIENT):
        return role
    sp = normalize_speaker(seg.speaker)
    return CLINICIAN if sp == "doctor" else PATIENT if sp == "patient" else None


@dataclass(frozen=True)
class Remark:
    """A sentence with its speaker's role and its place among the consultation's turns."""

    unit: Unit
    role: str | None
    turn: int  # consecutive sentences of one role share a turn number

    @property
    def text(self) -> str:
        return self.unit.text

    @property
    def is_question(self) -> bool:
        return self.unit.text.rstrip().endswith("?")


def utterances(transcript: Transcript, mode: str) -> list[Remark]:
    roles = {s.id: segment_role(s, mode) for s in transcript.segments}
    out: list[Remark] = []
    turn, last = 0, object()
    for u in sentence_units(transcript):
        r = roles.get(u.segment_id)
        if r != last:
            turn += 1
            last = r
        out.append(Remark(u, r, turn))
    return out


def strip_lead(text: str) -> str:
    """The sentence without leading fillers ("Uh, so, no" -> "no")."""
    return _LEAD.sub("", text.strip()).strip()


def polarity(answer: str) -> bool | None:
    """True for a yes, False for a no, None when the answer is neither."""
    t = strip_lead(answer)
    t = _STUTTER.sub("", t)  # "I, yeah I think so"
    if _NO.match(t):
        return False
    if _YES.match(t):
        return True
    if _SAID_YES.match(t) and not NEGATION.search(re.split(r"[,.;!?]", t)[0]):
        return True  # "There was a little bit of blood", "I've had it before" (not "I've had no fever")
    return None


_BARE = re.compile(r"^(?:yes|yeah|yep|no|nope|nah)[.!]?$", re.I)


def answer_polarity(answer: list[Remark]) -> bool | None:
    """The polarity of an answer (its first sentence), or None when a later sentence of it is a
    bare opposite ("Yeah." "No.": the patient said both, so the answer says neither)."""
    if not answer:
        return None
    first = polarity(answer[0].text)
    if first is not None and any(_BARE.match(strip_lead(a.text)) and polarity(a.text) is (not first) for a in answer[1:]):
        return None
    return first


def answer_to(utts: list[Remark], i: int) -> list[Remark]:
    """The patient's sentences answering the clinician's question ``utts[i]``: the patient's
    next turn, when no later question of the clinician comes first."""
    q = utts[i]
    if q.role != CLINICIAN or not q.is_question:
        return []
    j = i + 1
    while j < len(utts) and utts[j].turn == q.turn:
        if utts[j].is_question:
            return []  # a later question in the same turn is the one answered
        j += 1
    if j >= len(utts) or utts[j].role != PATIENT:
        return []
    turn = utts[j].turn
    out = []
    while j < len(utts) and utts[j].turn == turn:
        out.append(utts[j])
        j += 1
    return out


def turn_answer(utts: list[Remark], i: int) -> list[Remark]:
    """For a question followed by more questions in the clinician's turn ("Any blood in your
    urine? Any darkening of your urine?"), the patient's answer to the turn's last question;
    [] otherwise (``answer_to`` gives the answer of a question that ends its turn). Whether it
    also answers the earlier one is the caller's to decide."""
    q = utts[i]
    if q.role != CLINICIAN or not q.is_question:
        return []
    last = i
    for j in range(i + 1, len(utts)):
        if utts[j].turn != q.turn:
            break
        if utts[j].is_question:
            last = j
    return answer_to(utts, last) if last != i else []


# words of a symptom's mention too common to say which symptom an answer is about ("going to the
# toilet more often" is urinary frequency to the lexicon, and diarrhoea's frequency in a reply)
_ASK_WORDS = frozenset({"your", "have", "been", "there", "some", "noticed", "going", "toilet", "more", "often", "much", "feel",
                        "feeling", "like", "really", "quite", "little", "left", "right", "side", "pain", "when", "with"})


def yes_naming(answer: list[Remark], mention: str) -> bool:
    """Is ``answer`` a yes whose first sentence repeats a content word of the symptom ``mention``
    ("blood" of "blood in your urine")?"""
    if answer_polarity(answer) is not True:
        return False
    words = [w for w in re.findall(r"[a-z]+", mention.lower()) if len(w) > 3 and w not in _ASK_WORDS]
    return any(re.search(rf"\b{w}\b", answer[0].text, re.I) for w in words)


def negated_at(text: str, start: int, window: int = 48) -> bool:
    """Is the mention at ``start`` negated by a cue earlier in its clause?"""
    before = text[max(0, start - window) : start]
    parts = _CLAUSE_SPLIT.split(before)  # clause, break, clause, ..., clause
    if NEGATION.search(parts[-1]):
        return True
    # "it hasn't been burning, specifically or hurting when I pee", "no fever, chills, or
    # cough": an "or" list carries the denial back across commas (never across a "but")
    if not _OR.search(parts[-1]):
        return False
    k = len(parts) - 1
    while k >= 2 and parts[k - 1] == ",":
        k -= 2
        if NEGATION.search(parts[k]):
            return True
        if not (_OR.search(parts[k]) or len(parts[k].split()) <= 3):
            return False
    return False


def evidence(transcript: Transcript, utt: Remark, start: int | None = None, end: int | None = None) -> Evidence:
    """Evidence for a sentence (or a part of it, offsets in the sentence), with its speaker's role."""
    u = utt.unit
    a = u.start + (start or 0)
    b = u.start + end if end is not None else u.end
    return replace(make_evidence(transcript, u.segment_id, a, b), role=utt.role)
