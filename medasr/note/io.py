"""Reading a transcript for the note structurer: medasr JSON or plain text (one segment per line).

Plain text lines may start with a speaker label ("Doctor: ...", "PATIENT: ...").
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from medasr.errors import InputError
from medasr.schema import Segment, Transcript

_LABEL = re.compile(r"^\s*(doctor|patient|clinician|dr|nurse|speaker[ _]?\d+)\s*:\s*(.*)$", re.I)


def parse_text(text: str, *, audio: str | None = None) -> Transcript:
    segs = []
    for line in text.splitlines():
        if not line.strip():
            continue
        m = _LABEL.match(line)
        speaker, body = (m.group(1).lower(), m.group(2).strip()) if m else (None, line.strip())
        if body:
            segs.append(Segment(id=len(segs), start=0.0, end=0.0, text=body, speaker=speaker))
    return Transcript(segments=tuple(segs), audio=audio)


def read_transcript(path: str) -> Transcript:
    """``path`` is a medasr transcript JSON, a text file, or ``-`` for stdin."""
    if path == "-":
        raw = sys.stdin.buffer.read()
        label = "stdin"
    else:
        p = Path(path)
        if not p.is_file():
            raise InputError(f"transcript file {path} does not exist")
        raw = p.read_bytes()
        label = p.name
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(f"{label} is not UTF-8 text ({e.reason} at byte {e.start})") from None
    if not text.strip():
        raise InputError(f"{label} is empty: nothing to structure")
    if text.lstrip().startswith("{") or label.endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise InputError(f"{label} is not valid JSON: {e.msg} at line {e.lineno} column {e.colno}") from None
        if not isinstance(data, dict) or not isinstance(data.get("segments"), list):
            raise InputError(f"{label} is JSON but not a medasr transcript (no 'segments' list)")
        try:
            tr = Transcript.from_dict(data)
        except (TypeError, KeyError, ValueError) as e:
            raise InputError(f"{label} has a malformed segment: {e}") from None
        return tr if tr.audio else tr.with_changes(audio=label)
    return parse_text(text, audio=label)
