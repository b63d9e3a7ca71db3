"""Typed objects that pass between medasr's stages.

audio -> asr (``Transcript`` of ``Segment``/``Word``) -> correction (same transcript, new
text, plus ``Edit`` records) -> note structuring (``Note`` whose items carry ``Evidence``
pointing at segment ids and character spans) -> writers.

Every object is a frozen dataclass with ``to_dict``/``from_dict`` so that JSON output
round-trips exactly. Word ids are stable strings ``"<segment id>.<word index>"`` assigned by
the transcriber; corrections keep the id of the first word they replace so evidence can be
traced back to the audio.

Speakers (``medasr.speakers``): a segment that holds two speakers' words is split at the change;
the pieces are renumbered with the other segments (ids 0..n-1 in time order) while every word
keeps the id the transcriber gave it, so after a split a word's id prefix names the recognizer's
segment it came from, not necessarily the segment that now holds it. ``speaker`` is an id
(``S1``, ``S2``, ... in order of first speech), ``role`` is ``clinician``, ``patient``, ``other``
or None (unknown), ``role_score`` in [0, 1] says how sure the role is. The speaker fields are
written to JSON only when set, so transcripts without speakers read and write as before.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

SCHEMA_VERSION = "1"
ROLES: tuple[str, ...] = ("clinician", "patient", "other")
_OPTIONAL = ("role", "role_score")  # left out of JSON when None (older readers, unchanged outputs)


def word_id(segment_id: int, index: int) -> str:
    return f"{segment_id}.{index}"


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    text: str  # as Whisper emits it, usually with a leading space
    probability: float
    id: str = ""
    speaker: str | None = None  # the segment's speaker, set by the speaker stage
    role: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("speaker", "role"):
            if d[k] is None:
                del d[k]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Word:
        return cls(**{f.name: d[f.name] for f in fields(cls) if f.name in d})


@dataclass(frozen=True)
class Segment:
    id: int
    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()
    avg_logprob: float | None = None
    no_speech_prob: float | None = None
    compression_ratio: float | None = None
    speaker: str | None = None
    role: str | None = None  # clinician | patient | other | None (unknown)
    role_score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["words"] = [w.to_dict() for w in self.words]
        for k in _OPTIONAL:
            if d[k] is None:
                del d[k]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Segment:
        kw = {f.name: d[f.name] for f in fields(cls) if f.name in d and f.name != "words"}
        return cls(words=tuple(Word.from_dict(w) for w in d.get("words") or ()), **kw)


@dataclass(frozen=True)
class Edit:
    """One change (or suggested change) made by a corrector.

    ``word_ids`` are the ids of the words that were replaced (empty for an insertion,
    which is then anchored by ``segment_id`` and ``char_start``). ``applied`` is False for a
    suggestion: shown to the user, not written into the transcript.
    """

    segment_id: int
    before: str
    after: str
    source: str  # "lexicon", "bart", ...
    score: float
    word_ids: tuple[str, ...] = ()
    char_start: int = -1  # span of ``before`` in the segment text before the edit
    char_end: int = -1
    applied: bool = True
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["word_ids"] = list(self.word_ids)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Edit:
        kw = {f.name: d[f.name] for f in fields(cls) if f.name in d}
        kw["word_ids"] = tuple(kw.get("word_ids") or ())
        return cls(**kw)


@dataclass(frozen=True)
class ModelInfo:
    """Which model produced a transcript and where it came from."""

    name: str
    path: str = ""
    source: str = ""  # bundled | repo | user | local | hub | fake
    device: str = ""
    compute_type: str = ""
    sha256: str = ""
    parts: tuple[ModelInfo, ...] = ()  # the models a combined transcriber ran (medasr.asr.hybrid)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["parts"] = [p.to_dict() for p in self.parts]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ModelInfo:
        kw = {f.name: d[f.name] for f in fields(cls) if f.name in d and f.name != "parts"}
        return cls(parts=tuple(cls.from_dict(p) for p in d.get("parts") or ()), **kw)


@dataclass(frozen=True)
class Transcript:
    segments: tuple[Segment, ...]
    language: str | None = None
    duration: float = 0.0  # seconds of audio
    model: ModelInfo | None = None
    options: dict[str, Any] = field(default_factory=dict)
    edits: tuple[Edit, ...] = ()
    audio: str | None = None  # path or label of the input
    timings: dict[str, float] = field(default_factory=dict)  # wall seconds per stage

    @property
    def text(self) -> str:
        return " ".join(s.text.strip() for s in self.segments if s.text.strip())

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(w for s in self.segments for w in s.words)

    def segment(self, segment_id: int) -> Segment:
        for s in self.segments:
            if s.id == segment_id:
                return s
        raise KeyError(f"no segment with id {segment_id}")

    def with_changes(self, **kw: Any) -> Transcript:
        return replace(self, **kw)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "text": self.text,
            "language": self.language,
            "duration": self.duration,
            "audio": self.audio,
            "model": self.model.to_dict() if self.model else None,
            "options": dict(self.options),
            "timings": dict(self.timings),
            "segments": [s.to_dict() for s in self.segments],
            "edits": [e.to_dict() for e in self.edits],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Transcript:
        return cls(
            segments=tuple(Segment.from_dict(s) for s in d.get("segments") or ()),
            language=d.get("language"),
            duration=float(d.get("duration") or 0.0),
            model=ModelInfo.from_dict(d["model"]) if d.get("model") else None,
            options=dict(d.get("options") or {}),
            edits=tuple(Edit.from_dict(e) for e in d.get("edits") or ()),
            audio=d.get("audio"),
            timings=dict(d.get("timings") or {}),
        )

    @classmethod
    def from_text(cls, text: str, *, audio: str | None = None) -> Transcript:
        """A transcript from plain text: one segment per non-empty line, no timings."""
        segs = []
        for line in text.splitlines():
            if line.strip():
                segs.append(Segment(id=len(segs), start=0.0, end=0.0, text=line.strip()))
        return cls(segments=tuple(segs), audio=audio)


@dataclass(frozen=True)
class SpeakerTurn:
    """A stretch of audio one speaker holds (a diarizer's output): seconds, speaker id ``S1``..."""

    start: float
    end: float
    speaker: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SpeakerTurn:
        return cls(float(d["start"]), float(d["end"]), str(d["speaker"]))


# --- Note (clinical note structuring) -------------------------------------------------
# The note types live below; they are owned by the note structurer (medasr/note).

# The classic SOAP sections (notes made before templates), in reading order, with their titles.
SECTION_TITLES: dict[str, str] = {
    "chief_complaint": "Chief complaint", "history_of_present_illness": "History of present illness",
    "past_history": "Past medical history", "medications": "Medications", "allergies": "Allergies",
    "social_family_history": "Family and social history", "review_of_systems": "Review of systems",
    "examination": "Examination and vitals", "assessment": "Assessment", "plan": "Plan",
}
NOTE_SECTIONS: tuple[str, ...] = tuple(SECTION_TITLES)


@dataclass(frozen=True)
class Evidence:
    """A span of transcript text a note item came from: ``segment.text[char_start:char_end]``."""

    segment_id: int
    char_start: int
    char_end: int
    text: str = ""  # the quoted span, kept for the reader and re-checked by grounding
    word_ids: tuple[str, ...] = ()
    role: str | None = None  # who said it, where known: "clinician" | "patient"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["word_ids"] = list(self.word_ids)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Evidence:
        kw = {f.name: d[f.name] for f in fields(cls) if f.name in d}
        kw["word_ids"] = tuple(kw.get("word_ids") or ())
        return cls(**kw)


def _ev_from(d: dict[str, Any]) -> tuple[Evidence, ...]:
    return tuple(Evidence.from_dict(e) for e in d.get("evidence") or ())


@dataclass(frozen=True)
class NoteItem:
    """One statement of a note section, with the transcript spans that support it."""

    text: str
    evidence: tuple[Evidence, ...] = ()
    uncertain: bool = False
    reason: str = ""  # why it is flagged uncertain
    speaker: str | None = None
    category: str = ""  # what it is about (medasr.note.templates.CATEGORIES); the template placed it

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["evidence"] = [e.to_dict() for e in self.evidence]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> NoteItem:
        kw = {f.name: d[f.name] for f in fields(cls) if f.name in d and f.name != "evidence"}
        return cls(evidence=_ev_from(d), **kw)


@dataclass(frozen=True)
class Medication:
    """A medication statement; ``drug_id`` comes from the vocabulary, never from a model."""

    name: str
    drug_id: str = ""
    dose: str = ""
    unit: str = ""
    route: str = ""
    frequency: str = ""
    duration: str = ""
    indication: str = ""
    status: str = "unknown"  # active | planned | stopped | unknown
    evidence: tuple[Evidence, ...] = ()
    uncertain: bool = False
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["evidence"] = [e.to_dict() for e in self.evidence]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Medication:
        kw = {f.name: d[f.name] for f in fields(cls) if f.name in d and f.name != "evidence"}
        return cls(evidence=_ev_from(d), **kw)


@dataclass(frozen=True)
class Problem:
    """A diagnosis or problem; ``icd10`` is linked through the vocabulary, never taken from a model."""

    text: str
    icd10: str = ""
    icd10_display: str = ""
    kind: str = "assessment"  # assessment | history
    evidence: tuple[Evidence, ...] = ()
    uncertain: bool = False
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["evidence"] = [e.to_dict() for e in self.evidence]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Problem:
        kw = {f.name: d[f.name] for f in fields(cls) if f.name in d and f.name != "evidence"}
        return cls(evidence=_ev_from(d), **kw)


@dataclass(frozen=True)
class Note:
    """A structured clinical note. ``sections`` maps names from ``NOTE_SECTIONS`` to items.

    ``grounding`` counts what the safety net did: items proposed by the backend, dropped as
    ungrounded, flagged uncertain.
    """

    sections: dict[str, tuple[NoteItem, ...]] = field(default_factory=dict)
    medications: tuple[Medication, ...] = ()
    problems: tuple[Problem, ...] = ()
    backend: str = ""
    model: str = ""
    mode: str = ""  # dictation | conversation
    source: str | None = None  # the transcript's audio label
    warnings: tuple[str, ...] = ()
    grounding: dict[str, int] = field(default_factory=dict)
    template: str = ""  # the layout of ``sections`` (medasr.note.templates); "" for older notes

    def section(self, name: str) -> tuple[NoteItem, ...]:
        return self.sections.get(name, ())

    def all_items(self) -> tuple[NoteItem | Medication | Problem, ...]:
        items: list[NoteItem | Medication | Problem] = []
        order = [*self.sections] if self.template else [n for n in NOTE_SECTIONS if n in self.sections]
        for name in order:
            items.extend(self.sections[name])
        return (*items, *self.medications, *self.problems)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "backend": self.backend,
            "model": self.model,
            "mode": self.mode,
            "source": self.source,
            "sections": {k: [i.to_dict() for i in v] for k, v in self.sections.items()},
            "medications": [m.to_dict() for m in self.medications],
            "problems": [p.to_dict() for p in self.problems],
            "warnings": list(self.warnings),
            "grounding": dict(self.grounding),
            "template": self.template,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Note:
        return cls(
            sections={k: tuple(NoteItem.from_dict(i) for i in v) for k, v in (d.get("sections") or {}).items()},
            medications=tuple(Medication.from_dict(m) for m in d.get("medications") or ()),
            problems=tuple(Problem.from_dict(p) for p in d.get("problems") or ()),
            backend=d.get("backend") or "",
            model=d.get("model") or "",
            mode=d.get("mode") or "",
            source=d.get("source"),
            warnings=tuple(d.get("warnings") or ()),
            grounding=dict(d.get("grounding") or {}),
            template=d.get("template") or "",
        )
