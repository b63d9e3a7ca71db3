"""The transcript as the model reads it: numbered lines, fillers out, split to fit.

``[12] D: Any chest pain?`` / ``[13] P: No.`` — the number is the segment id, the letter
the role (D clinician, P patient, S unknown). Fillers ("um", "you know") and repeated words
go; a segment that is only a backchannel ("Okay.", "Mm-hmm.") goes unless it answers a
question. ``chunks`` splits the lines into pieces of at most ``budget`` tokens (estimated)
for map-reduce over long consultations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medasr.note.dialogue import CLINICIAN, PATIENT, segment_role
from medasr.note.lexicon import clean_map
from medasr.schema import Transcript

_BACKCHANNEL = re.compile(
    r"^(?:(?:okay|ok|yeah|yep|yes|yup|no|right|sure|alright|all right|thanks?|thank you|mm+|mm-?hmm|uh-?huh|hmm+|"
    r"oh|ah|so|great|fine|good|perfect|lovely|brilliant|cheers|sorry|of course|i see|that's right|bye|bye bye|"
    r"goodbye|hello|hi|um+|uh+)[\s,.!?]*)+$",
    re.I,
)
_YESNO = re.compile(r"^\W*(yes|yeah|yep|no|nope|not really|never)\b", re.I)
_REPEAT = re.compile(r"\b(\w+)(?:[\s,]+\1\b)+", re.I)
CHARS_PER_TOKEN = 3.4  # compacted PriMock57-dev text with Qwen2.5's tokenizer: 3.38 chars per token
ROLE_LETTER = {CLINICIAN: "D", PATIENT: "P", None: "S"}


@dataclass(frozen=True)
class Line:
    segment_id: int
    role: str | None
    text: str

    def render(self) -> str:
        return f"[{self.segment_id}] {ROLE_LETTER.get(self.role, 'S')}: {self.text}"


def tidy(text: str) -> str:
    """Fillers and stutters out: "Um, and and I I use an inhaler" -> "And I use an inhaler"."""
    t, _ = clean_map(text)
    t = _REPEAT.sub(r"\1", t)
    t = re.sub(r"\s+([,.?!])", r"\1", t)
    t = re.sub(r"^[\s,.]+", "", t)
    t = re.sub(r"([,.?!])\1+", r"\1", t)
    return t[:1].upper() + t[1:] if t else t


_SENTENCE = re.compile(r"[^.!?]+[.!?]*")


def _drop_backchannel_sentences(text: str) -> str:
    """"Okay. Fine. And is the pain constant?" -> "And is the pain constant?"; a segment that is
    nothing but backchannels is left to ``compact`` (it may answer a question)."""
    parts = [m.group(0).strip() for m in _SENTENCE.finditer(text) if m.group(0).strip()]
    kept = [p for p in parts if not _BACKCHANNEL.match(p)]
    return " ".join(kept) if kept else text


def compact(transcript: Transcript, mode: str) -> list[Line]:
    out: list[Line] = []
    prev_question = False
    for seg in transcript.segments:
        text = _drop_backchannel_sentences(tidy(seg.text))
        role = segment_role(seg, mode)
        if not re.search(r"[A-Za-z0-9]", text):
            continue
        if _BACKCHANNEL.match(text) and not (prev_question and _YESNO.match(text)):
            continue
        out.append(Line(seg.id, role, text))
        prev_question = role == CLINICIAN and text.rstrip().endswith("?")
    return out


def compact_lines(transcript: Transcript, mode: str) -> list[str]:
    return [ln.render() for ln in compact(transcript, mode)]


def estimate_tokens(text: str) -> int:
    return int(len(text) / CHARS_PER_TOKEN) + 1


def chunks(lines: list[Line], budget: int, overlap: int = 2) -> list[list[Line]]:
    """Consecutive pieces of at most ``budget`` estimated tokens; each after the first repeats
    the previous piece's last ``overlap`` lines so a question keeps its answer."""
    if not lines:
        return []
    out: list[list[Line]] = []
    cur: list[Line] = []
    size = 0
    for ln in lines:
        n = estimate_tokens(ln.render()) + 1
        if cur and size + n > budget:
            out.append(cur)
            cur = cur[-overlap:] if overlap else []
            size = sum(estimate_tokens(x.render()) + 1 for x in cur)
        cur.append(ln)
        size += n
    out.append(cur)
    return out
