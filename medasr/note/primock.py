"""PriMock57 loader: TextGrid speaker tracks -> a ``Transcript`` with doctor/patient segments.

The data set is read from ``$MEDASR_SHARED_DATA/primock57-dev`` or ``<repo>/../shared/data/primock57-dev``.
Markup (``<UNSURE>``, ``<UNIN/>``, ...) is removed from the text; intervals keep their times.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from medasr.errors import InputError
from medasr.schema import Segment, Transcript

_INTERVAL = re.compile(r'xmin = ([\d.]+)\s*\n\s*xmax = ([\d.]+)\s*\n\s*text = "((?:[^"]|"")*)"', re.S)
_TAG = re.compile(r"<[^>]*>")


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


def clean(text: str) -> str:
    return " ".join(_TAG.sub(" ", text.replace('""', '"')).split())


def read_textgrid(path: Path, speaker: str) -> list[tuple[float, float, str, str]]:
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read TextGrid {path}: {e}") from e
    out = []
    for a, b, t in _INTERVAL.findall(raw):
        t = clean(t)
        if t:
            out.append((float(a), float(b), t, speaker))
    return out


def load_consultation(name: str, root: Path | None = None) -> Consultation:
    root = root or data_dir()
    rows = read_textgrid(root / "transcripts" / f"{name}_doctor.TextGrid", "doctor")
    rows += read_textgrid(root / "transcripts" / f"{name}_patient.TextGrid", "patient")
    rows.sort(key=lambda r: (r[0], r[1]))
    segs = tuple(Segment(id=i, start=a, end=b, text=t, speaker=s) for i, (a, b, t, s) in enumerate(rows))
    meta = json.loads((root / "notes" / f"{name}.json").read_text(encoding="utf-8"))
    tr = Transcript(segments=segs, language="en", duration=max((r[1] for r in rows), default=0.0), audio=f"primock57:{name}")
    hl = tuple(h for h in meta.get("highlights") or () if h.strip())
    return Consultation(name, tr, meta.get("note", ""), hl, meta.get("presenting_complaint", ""))


def consultation_names(root: Path | None = None) -> list[str]:
    root = root or data_dir()
    if not (root / "notes").is_dir():
        raise InputError(f"PriMock57 data not found at {root} (set MEDASR_SHARED_DATA to the folder holding primock57-dev)")
    return sorted(p.stem for p in (root / "notes").glob("*.json"))
