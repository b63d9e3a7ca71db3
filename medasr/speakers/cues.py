"""Content cues that tell a clinician from a patient, scored per speaker.

A clinician asks most of the questions, speaks to "you", introduces themself ("I'm Dr ...",
"what brings you in"), examines, explains and instructs ("I'll prescribe", "take one tablet",
"come back if"); a patient speaks of "I" and "my", of symptoms and how long they have had them.
``clinician_score`` is a weighted sum of per-sentence rates (the weights were chosen on the
benchmark's dev consultations, see benchmarks/results/speakers/); positive leans clinician.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SENT = re.compile(r"[^.?!]+[.?!]*")
_WORD = re.compile(r"[a-z']+")
CLINICIAN = re.compile(
    r"\b(i'?m (dr|doctor)\b|my name is (dr|doctor)|one of the (doctors|gps)|what brings you|how can i help|what can i do for you"
    r"|how long have you|have you (had|noticed|been|tried|taken|got)|do you (have|take|smoke|drink|know|get|feel)|are you (taking|on|allergic)"
    r"|any (allergies|other|medical|medication|fever|blood|pain|problems|family)|on a scale|tell me (about|more)|can you (describe|tell|point)"
    r"|i('d| would) (like to|recommend|suggest)|i('ll| will) (prescribe|give|refer|examine|arrange|send|book|check|ask|start)|i'?m going to (prescribe|give|refer|examine|ask|check|start)"
    r"|(let me|i need to) (examine|check|have a look|take)|examine you|we('ll| will| can| could) (do|arrange|start|try|book|refer|check|see|get)"
    r"|blood tests?|prescri(be|ption)|referr?al|diagnos[ie]s|examination|come back|follow[ -]?up|safety[ -]net|if (it|things|the pain|that) (gets?|get) worse"
    r"|(milligrams?|mg|tablets?|capsules?|twice a day|once a day|three times a day)|it sounds like|most likely|i think (it's|this is|you)"
    r"|sorry to hear|is that (right|okay)|does that (make sense|sound)|any questions)\b"
)
PATIENT = re.compile(
    r"\b(i'?ve (been|had|got|noticed|tried|taken)|i have (been|had|a|some|this)|i (feel|felt|get|got|noticed|think i|was|can't|don't know|took|had)"
    r"|it (hurts|started|comes|feels|gets|was|began)|my (stomach|head|chest|back|throat|leg|arm|tummy|knee|wife|husband|mum|dad|son|daughter|job|work|skin|eyes?|ears?|nose)"
    r"|(for|about) (a|the last|two|three|four|five|a few|a couple of) (days?|weeks?|months?|years?)|since (last|yesterday|monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    r"|thank you( so much|,)? (doctor|dr)|thanks (doctor|dr)|i'?m (worried|not sure|a bit|quite|feeling)|it'?s been)\b"
)
SECOND = {"you", "your", "you're", "you've", "yourself", "you'll", "you'd"}
FIRST = {"i", "my", "me", "i'm", "i've", "myself", "mine", "i'll", "i'd"}


@dataclass(frozen=True)
class CueCounts:
    sentences: int = 0
    words: int = 0
    questions: int = 0
    clinician: int = 0
    patient: int = 0
    second: int = 0
    first: int = 0

    def __add__(self, o: CueCounts) -> CueCounts:
        return CueCounts(*(a + b for a, b in zip(self.astuple(), o.astuple())))

    def astuple(self) -> tuple[int, ...]:
        return (self.sentences, self.words, self.questions, self.clinician, self.patient, self.second, self.first)


def count(text: str) -> CueCounts:
    low = text.lower().replace("\u2019", "'")
    sents = [s for s in _SENT.findall(low) if _WORD.search(s)]
    words = _WORD.findall(low)
    return CueCounts(
        sentences=len(sents),
        words=len(words),
        questions=sum(1 for s in sents if s.rstrip().endswith("?")),
        clinician=len(CLINICIAN.findall(low)),
        patient=len(PATIENT.findall(low)),
        second=sum(1 for w in words if w in SECOND),
        first=sum(1 for w in words if w in FIRST),
    )


WEIGHTS = {"questions": 1.0, "cues": 1.0, "pronouns": 1.0}


def clinician_score(c: CueCounts, weights: dict[str, float] = WEIGHTS) -> float:
    """Per-sentence evidence that the speaker is the clinician (negative: the patient)."""
    if c.sentences == 0 or c.words == 0:
        return 0.0
    q = c.questions / c.sentences
    cues = (c.clinician - c.patient) / c.sentences
    pron = (c.second - c.first) / max(1, c.second + c.first)
    return weights["questions"] * q + weights["cues"] * cues + weights["pronouns"] * pron
