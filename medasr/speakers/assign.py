"""Speakers onto words and segments: time overlap with the diarizer's turns.

Each word takes the speaker whose turns overlap it longest (a word in a gap takes the nearest
turn within ``MAX_GAP`` seconds, else no speaker). A segment whose words change speaker is
split there; its text is rebuilt from its words, which the recognizer keeps equal to the
segment text (a segment where they differ, or without word timings, is not split and takes the
speaker that overlaps it most). Pieces are renumbered with all segments (0..n-1 in order);
words keep their ids (``medasr.schema``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from medasr.schema import Segment, SpeakerTurn, Transcript, Word

MAX_GAP = 1.0


def speaker_at(start: float, end: float, turns: Sequence[SpeakerTurn]) -> str | None:
    if end <= start:
        start, end = start - 0.05, start + 0.05
    overlap: dict[str, float] = {}
    for t in turns:
        o = min(end, t.end) - max(start, t.start)
        if o > 0:
            overlap[t.speaker] = overlap.get(t.speaker, 0.0) + o
    if overlap:
        return max(overlap, key=lambda s: overlap[s])
    mid = (start + end) / 2
    best = min(turns, key=lambda t: max(t.start - mid, mid - t.end, 0.0), default=None)
    if best is not None and max(best.start - mid, mid - best.end) <= MAX_GAP:
        return best.speaker
    return None


def _splittable(seg: Segment) -> bool:
    return bool(seg.words) and "".join(w.text for w in seg.words).strip() == seg.text.strip()


def _pieces(seg: Segment, turns: Sequence[SpeakerTurn]) -> list[Segment]:
    if not _splittable(seg):
        return [replace(seg, speaker=speaker_at(seg.start, seg.end, turns))]
    labels = [speaker_at(w.start, w.end, turns) for w in seg.words]
    groups: list[tuple[str | None, list[Word]]] = []
    for w, s in zip(seg.words, labels):
        if groups and groups[-1][0] == s:
            groups[-1][1].append(w)
        else:
            groups.append((s, [w]))
    if len(groups) == 1:
        return [replace(seg, speaker=groups[0][0])]
    out = []
    for k, (s, ws) in enumerate(groups):
        start = seg.start if k == 0 else ws[0].start
        end = seg.end if k == len(groups) - 1 else ws[-1].end
        text = "".join(w.text for w in ws)
        if k == 0 and seg.text.startswith(" ") and not text.startswith(" "):
            text = " " + text
        out.append(replace(seg, start=start, end=end, text=text, words=tuple(ws), speaker=s))
    return out


def split_by_speaker(transcript: Transcript, turns: Sequence[SpeakerTurn]) -> Transcript:
    """Every segment (and its words) labelled with a speaker; segments split at speaker changes."""
    turns = sorted(turns, key=lambda t: t.start)
    pieces = [p for seg in transcript.segments for p in _pieces(seg, turns)]
    segs = tuple(
        replace(p, id=i, words=tuple(replace(w, speaker=p.speaker) for w in p.words)) for i, p in enumerate(pieces)
    )
    return transcript.with_changes(segments=segs)
