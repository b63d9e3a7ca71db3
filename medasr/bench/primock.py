"""PriMock57 (real mock GP consultations, CC BY 4.0): the TextGrid reader, the consultations with
their clinicians' notes (what ``medasr bench notes`` scores notes against), and the clinical
conversation set: the consultation text spoken by held-out TTS voices.

``load_consultation(name)`` gives a doctor/patient ``Transcript`` and the clinician's note and
highlights. ``medasr bench build-primock`` reads the Praat TextGrids of ``<shared>/primock57-dev``
(real mock GP consultations, CC BY 4.0), cleans the markup, cuts each speaker turn into
utterances of 4-30 words at sentence ends, picks up to ``cap`` of them (those naming a drug
first, then those holding a medwer term, then the rest; round-robin over consultations) and speaks each with one of the voices
that the synth catalogue keeps out of training (``Voice.heldout``), round-robin. The
result is ``$MEDASR_HOME/bench/primock/manifest.jsonl`` plus its wavs.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from medasr.bench.metrics import TermSet
from medasr.text import normalize
from medasr.errors import BackendError, InputError
from medasr.manifest import write_rows
from medasr.schema import Segment, Transcript

log = logging.getLogger("medasr.bench")

MIN_WORDS, MAX_WORDS = 4, 30
DEFAULT_ENGINES = ("flite", "espeak-ng", "kokoro")
_INTERVAL = re.compile(r'xmin = ([\d.]+)\s*\n\s*xmax = ([\d.]+)\s*\n\s*text = "((?:[^"]|"")*)"', re.S)


@dataclass(frozen=True)
class Turn:
    consultation: str
    speaker: str
    index: int
    start: float
    text: str
    end: float = 0.0


def parse_textgrid(path: Path) -> list[Turn]:
    """Non-empty intervals of a PriMock TextGrid (one tier per file), in time order."""
    try:
        raw = path.read_text(encoding="utf-8", errors="replace")
    except OSError as e:
        raise InputError(f"cannot read TextGrid {path}: {e}") from e
    m = re.match(r"(day\d+_consultation\d+)_(\w+)\.TextGrid$", path.name)
    if not m:
        raise InputError(f"{path}: not a PriMock transcript name (dayD_consultationNN_speaker.TextGrid)")
    turns = []
    for i, (xmin, xmax, text) in enumerate(_INTERVAL.findall(raw)):
        text = clean(text.replace('""', '"'))
        if text:
            turns.append(Turn(m.group(1), m.group(2), i, float(xmin), text, float(xmax)))
    return turns


@dataclass(frozen=True)
class Consultation:
    id: str
    transcript: Transcript
    note: str
    highlights: tuple[str, ...]
    presenting_complaint: str


def data_dir() -> Path:
    from medasr.bench.datasets import shared_data_dir

    return shared_data_dir() / "primock57-dev"


def load_consultation(name: str, root: Path | None = None) -> Consultation:
    """Both speakers' turns in time order as one Transcript (segment speaker doctor/patient), and the note."""
    root = root or data_dir()
    turns = [t for sp in ("doctor", "patient") for t in parse_textgrid(root / "transcripts" / f"{name}_{sp}.TextGrid")]
    turns.sort(key=lambda t: (t.start, t.end))
    segs = tuple(Segment(id=i, start=t.start, end=t.end, text=t.text, speaker=t.speaker) for i, t in enumerate(turns))
    meta = json.loads((root / "notes" / f"{name}.json").read_text(encoding="utf-8"))
    tr = Transcript(segments=segs, language="en", duration=max((t.end for t in turns), default=0.0), audio=f"primock57:{name}")
    hl = tuple(h for h in meta.get("highlights") or () if h.strip())
    return Consultation(name, tr, meta.get("note", ""), hl, meta.get("presenting_complaint", ""))


def consultation_names(root: Path | None = None) -> list[str]:
    root = root or data_dir()
    if not (root / "notes").is_dir():
        raise InputError(f"PriMock57 data not found at {root} (set MEDASR_SHARED_DATA to the folder holding primock57-dev)")
    return sorted(p.stem for p in (root / "notes").glob("*.json"))


def clean(text: str) -> str:
    """Drop PriMock markup: ``<UNSURE>x</UNSURE>`` keeps x, ``<UNIN/>`` and other tags go."""
    text = re.sub(r"</?UNSURE>", "", text)
    text = re.sub(r"<[^>]*>", " ", text)
    return " ".join(text.split())


def split_turn(text: str) -> list[str]:
    """Sentences merged greedily into chunks of at most MAX_WORDS words; chunks under
    MIN_WORDS words are dropped; a single over-long sentence is cut at commas, then words."""
    sentences = [s for s in re.split(r"(?<=[.?!])\s+", text) if s.strip()]
    pieces: list[str] = []
    for s in sentences:
        if len(s.split()) <= MAX_WORDS:
            pieces.append(s)
            continue
        words = s.split()
        pieces += [" ".join(words[i : i + MAX_WORDS]) for i in range(0, len(words), MAX_WORDS)]
    chunks, cur = [], []
    for p in pieces:
        if cur and len(cur) + len(p.split()) > MAX_WORDS:
            chunks.append(" ".join(cur))
            cur = []
        cur += p.split()
    if cur:
        chunks.append(" ".join(cur))
    return [c for c in chunks if len(normalize(c).split()) >= MIN_WORDS]


@dataclass(frozen=True)
class Candidate:
    id: str
    consultation: str
    speaker: str
    text: str
    tier: int  # index of the first term list with a match in the text; len(lists) if none


def candidates(primock_dir: Path, termsets: Sequence[TermSet] = ()) -> list[Candidate]:
    files = sorted((primock_dir / "transcripts").glob("*.TextGrid"))
    if not files:
        raise InputError(f"{primock_dir}/transcripts holds no TextGrid files: is the PriMock57 data there?")
    out = []
    for f in files:
        for t in parse_textgrid(f):
            for k, chunk in enumerate(split_turn(t.text)):
                norm = normalize(chunk)
                tier = next((i for i, ts in enumerate(termsets) if ts.keep(norm)), len(termsets))
                out.append(Candidate(f"{t.consultation}_{t.speaker}_{t.index:03d}_{k}", t.consultation, t.speaker, chunk, tier))
    return out


def select(cands: Sequence[Candidate], cap: int) -> list[Candidate]:
    """Up to ``cap``: candidates of the first tier (a term of the first list) first, then the
    next tier, and so on, each round-robin over consultations; returned in corpus order."""
    chosen: set[str] = set()
    for tier in sorted({c.tier for c in cands}):
        pool = [c for c in cands if c.tier == tier]
        by_cons: dict[str, list[Candidate]] = {}
        for c in pool:
            by_cons.setdefault(c.consultation, []).append(c)
        queues = list(by_cons.values())
        while len(chosen) < cap and any(queues):
            for q in queues:
                if q and len(chosen) < cap:
                    chosen.add(q.pop(0).id)
    return [c for c in cands if c.id in chosen]


def heldout_voices(engines: Sequence[str], home: Path) -> list:
    """The held-out voices of the engines that work here (unhealthy engines are skipped)."""
    from medasr.synth.engines.base import get_engine, health_of

    voices = []
    for name in engines:
        engine = get_engine(name, home)
        health = health_of(engine)
        if not health.ok:
            log.warning("TTS engine %s skipped: %s", name, health.detail)
            continue
        voices += [(engine, v) for v in engine.voices() if v.heldout]
    if not voices:
        raise BackendError(f"no held-out TTS voice works here (engines tried: {', '.join(engines)})")
    return voices


def build(
    primock_dir: Path,
    out_dir: Path,
    *,
    cap: int = 200,
    engines: Sequence[str] = DEFAULT_ENGINES,
    home: Path,
    termsets: Sequence[TermSet] = (),
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Write ``out_dir/manifest.jsonl`` and ``out_dir/wav/*.wav``; returns the manifest path."""
    from medasr.audio import write_wav
    from medasr.synth.engines.base import VoiceParams, check_audio

    chosen = select(candidates(primock_dir, termsets), cap)
    voices = heldout_voices(engines, home)
    (out_dir / "wav").mkdir(parents=True, exist_ok=True)
    rows = []
    for i, c in enumerate(chosen):
        engine, voice = voices[i % len(voices)]
        audio, sr = check_audio(*engine.synthesize(c.text, voice, VoiceParams()), voice.id)
        rel = f"wav/{c.id}.wav"
        write_wav(out_dir / rel, audio, sr)
        rows.append({"id": c.id, "audio": rel, "text": c.text, "group": voice.id, "speaker": c.speaker, "consultation": c.consultation, "duration": round(len(audio) / sr, 3)})
        if progress:
            progress(i + 1, len(chosen))
    manifest = out_dir / "manifest.jsonl"
    write_rows(manifest, rows, sort=False)  # the order they were chosen in: capped sets take them round-robin
    log.info("primock set: %d utterances, %d voices -> %s", len(rows), len(voices), manifest)
    return manifest
