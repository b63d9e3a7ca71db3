"""Transcript -> sentence units with exact character spans, the grain of note evidence."""

from __future__ import annotations

import re
from dataclasses import dataclass

from medasr.schema import Evidence, Segment, Transcript

_SENT = re.compile(r"\S.*?(?:[.!?]+(?=\s)|[.!?]*$)", re.S)  # "38.5" stays one sentence
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
DOCTOR_NAMES = ("doctor", "clinician", "dr", "physician", "gp", "nurse")


@dataclass(frozen=True)
class Unit:
    """One sentence of one segment: ``segment.text[start:end] == text``."""

    index: int
    segment_id: int
    start: int
    end: int
    text: str
    speaker: str | None = None  # "doctor" | "patient" | raw label | None; a segment's role (clinician -> doctor) wins over its speaker id

    @property
    def is_doctor(self) -> bool:
        return self.speaker == "doctor"

    @property
    def is_patient(self) -> bool:
        return self.speaker == "patient"

    @property
    def is_question(self) -> bool:
        return self.text.rstrip().endswith("?")


def normalize_speaker(label: str | None) -> str | None:
    if not label:
        return None
    s = label.strip().lower()
    if s in DOCTOR_NAMES or s.startswith("doctor"):
        return "doctor"
    if s.startswith("patient"):
        return "patient"
    return s


def sentence_units(transcript: Transcript) -> list[Unit]:
    units: list[Unit] = []
    for seg in transcript.segments:
        for m in _SENT.finditer(seg.text):
            raw = m.group(0)
            lead = len(raw) - len(raw.lstrip())
            body = raw.strip()
            if not body or not re.search(r"[A-Za-z0-9]", body):
                continue
            start = m.start() + lead
            units.append(
                Unit(len(units), seg.id, start, start + len(body), body, normalize_speaker(seg.role or seg.speaker))
            )
    return units


def word_ids_for(seg: Segment, start: int, end: int) -> tuple[str, ...]:
    """Ids of the segment's words that overlap ``[start, end)`` of its text."""
    ids: list[str] = []
    pos = 0
    for w in seg.words:
        token = w.text.strip()
        if not token:
            continue
        at = seg.text.find(token, pos)
        if at < 0:
            continue
        pos = at + len(token)
        if at < end and pos > start and w.id:
            ids.append(w.id)
    return tuple(ids)


def make_evidence(transcript: Transcript, segment_id: int, start: int, end: int) -> Evidence:
    seg = transcript.segment(segment_id)
    return Evidence(segment_id, start, end, seg.text[start:end], word_ids_for(seg, start, end))


def detect_mode(transcript: Transcript) -> str:
    """conversation when two or more speakers talk, else dictation."""
    speakers = {normalize_speaker(s.role or s.speaker) for s in transcript.segments if s.speaker or s.role}
    return "conversation" if len(speakers) >= 2 else "dictation"


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower().replace("\u2019", "'"))
