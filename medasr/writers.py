"""Output writers, one small class per format, chosen by name (like whisper's ``get_writer``)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from medasr.errors import ConfigError
from medasr.schema import Note, Transcript
from medasr.speakers.labels import has_speakers, label_of, speaker_labels


class Writer(Protocol):
    extension: str

    def format(self, transcript: Transcript) -> str: ...


def _timestamp(seconds: float, sep: str) -> str:
    ms = max(0, int(round(seconds * 1000)))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _cues(transcript: Transcript) -> list[tuple[float, float, str, str | None]]:
    """Segments as (start, end, text, speaker label or None) with strictly increasing, non-overlapping times."""
    labels = speaker_labels(transcript)
    cues = []
    last_end = 0.0
    for s in transcript.segments:
        text = s.text.strip()
        if not text:
            continue
        start = max(s.start, last_end)
        end = max(s.end, start + 0.001)
        cues.append((start, end, text, label_of(s, labels)))
        last_end = end
    return cues


def _said(text: str, label: str | None) -> str:
    return f"[{label}] {text}" if label else text


class TxtWriter:
    extension = "txt"

    def format(self, transcript: Transcript) -> str:
        labels = speaker_labels(transcript)
        lines = [_said(s.text.strip(), label_of(s, labels)) for s in transcript.segments if s.text.strip()]
        return "\n".join(lines) + ("\n" if lines else "")


class JsonWriter:
    extension = "json"

    def format(self, transcript: Transcript) -> str:
        return json.dumps(transcript.to_dict(), ensure_ascii=False, indent=2) + "\n"


class SrtWriter:
    extension = "srt"

    def format(self, transcript: Transcript) -> str:
        out = []
        for i, (start, end, text, who) in enumerate(_cues(transcript), start=1):
            out.append(f"{i}\n{_timestamp(start, ',')} --> {_timestamp(end, ',')}\n{_said(text, who)}\n")
        return "\n".join(out)


class VttWriter:
    extension = "vtt"

    def format(self, transcript: Transcript) -> str:
        out = ["WEBVTT\n"]
        for start, end, text, who in _cues(transcript):
            said = f"<v {who}>{text}" if who else text
            out.append(f"{_timestamp(start, '.')} --> {_timestamp(end, '.')}\n{said}\n")
        return "\n".join(out)


class TsvWriter:
    """start<TAB>end<TAB>text with integer milliseconds, as openai-whisper writes it; a fourth
    column ``speaker`` (the label: role or id) when the transcript has speakers."""

    extension = "tsv"

    def format(self, transcript: Transcript) -> str:
        with_speaker = has_speakers(transcript)
        rows = ["start\tend\ttext\tspeaker" if with_speaker else "start\tend\ttext"]
        for start, end, text, who in _cues(transcript):
            row = f"{int(round(start * 1000))}\t{int(round(end * 1000))}\t{text.replace(chr(9), ' ')}"
            rows.append(f"{row}\t{who or ''}" if with_speaker else row)
        return "\n".join(rows) + "\n"


WRITERS: dict[str, type] = {"txt": TxtWriter, "json": JsonWriter, "srt": SrtWriter, "vtt": VttWriter, "tsv": TsvWriter}


def get_writer(fmt: str) -> Writer:
    try:
        return WRITERS[fmt]()
    except KeyError:
        raise ConfigError(f"unknown output format {fmt!r}; choose from {', '.join(WRITERS)}") from None


PART = ".part"  # the suffix a file has while it is being written
NOTE_FILES = {"md": "note.md", "json": "note.json", "fhir": "fhir.json"}  # note format -> file suffix


def render_result(transcript: Transcript, note: Note | None, stem: str, formats: list[str],
                  note_formats: tuple[str, ...] = ("md", "json")) -> dict[str, str]:
    """What :func:`write_result` writes, as {file name: text}: ``<stem>.<ext>`` per transcript format,
    then the note (when there is one) as ``<stem>.note.md`` etc."""
    files = {}
    for fmt in formats:
        w = get_writer(fmt)
        files[f"{stem}.{w.extension}"] = w.format(transcript)
    if note is not None:
        from medasr.note import render

        for fmt in note_formats:
            files[f"{stem}.{NOTE_FILES[fmt]}"] = render(note, fmt)
    return files


def save_files(files: Mapping[str, str], output_dir: Path) -> list[Path]:
    """Write each file under ``output_dir`` through a ``.part`` name and a rename: a stopped run
    leaves whole files (the old or the new), never half of one."""
    output_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in files.items():
        p = output_dir / name
        tmp = p.with_name(p.name + PART)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, p)
        paths.append(p)
    return paths


def write_result(transcript: Transcript, note: Note | None, stem: str, formats: list[str], output_dir: Path,
                 note_formats: tuple[str, ...] = ("md", "json")) -> list[Path]:
    """``<stem>.<ext>`` per transcript format, then the note (when there is one) as ``<stem>.note.md`` etc."""
    return save_files(render_result(transcript, note, stem, formats, note_formats), output_dir)
