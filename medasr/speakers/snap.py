"""Word times pulled onto the speech of their own channel (``--speakers channels``).

Whisper's word times come from cross-attention and drift by a few hundred milliseconds,
most at the edges of a short answer alone on its channel ("Yes.", "Um."): the word comes
out timed just before or after the voice, often inside the other speaker's turn. On a
channel that holds one voice, where that voice is audible is known (Silero VAD on the
channel), so each word is moved onto it: a word overlapping speech keeps only the part
that overlaps; a word wholly in silence moves to the nearest speech edge when that edge is
at most ``max_shift`` away (a word further off is left where Whisper put it). Words keep
their order and never start before the previous word does; segments take their words'
new bounds. Nothing else changes (text, probabilities, ids).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import replace

from medasr.schema import Segment, Transcript, Word

MAX_SHIFT = 0.5  # seconds: a word further than this from any speech is not moved
MIN_WORD = 0.02  # seconds: the shortest word a move may leave


def snap_span(start: float, end: float, regions: Sequence[tuple[float, float]], starts: Sequence[float] | None = None,
              max_shift: float = MAX_SHIFT) -> tuple[float, float]:
    """(start, end) moved onto ``regions`` (sorted, non-overlapping speech spans)."""
    if not regions or end < start:
        return start, end
    starts = starts if starts is not None else [a for a, _ in regions]
    i = bisect.bisect_right(starts, end)  # regions[:i] start at or before the word's end
    hit = [(a, b) for a, b in regions[max(0, i - 8):i] if b > start and a < end]
    if hit:
        s, e = max(start, hit[0][0]), min(end, hit[-1][1])
        return (s, e) if e - s >= MIN_WORD else (s, min(s + MIN_WORD, hit[-1][1]))
    dur = max(MIN_WORD, end - start)
    before = regions[i - 1] if i > 0 else None  # ends at or before the word's start
    after = regions[i] if i < len(regions) else None  # starts after the word's end
    gap_before = start - before[1] if before else float("inf")
    gap_after = after[0] - end if after else float("inf")
    if min(gap_before, gap_after) > max_shift:
        return start, end
    if gap_before <= gap_after:
        assert before is not None
        return max(before[0], before[1] - dur), before[1]
    assert after is not None
    return after[0], min(after[1], after[0] + dur)


def snap_words(transcript: Transcript, regions: Sequence[tuple[float, float]], max_shift: float = MAX_SHIFT) -> Transcript:
    """The transcript with every word (and segment bound) moved onto ``regions``."""
    if not regions:
        return transcript
    regions = sorted(regions)
    starts = [a for a, _ in regions]
    prev = float("-inf")
    segs: list[Segment] = []
    for seg in transcript.segments:
        words: list[Word] = []
        for w in seg.words:
            s, e = snap_span(w.start, w.end, regions, starts, max_shift)
            s = max(s, prev)
            e = max(e, s)
            prev = s
            words.append(replace(w, start=round(s, 3), end=round(e, 3)))
        if words:
            seg = replace(seg, words=tuple(words), start=words[0].start, end=words[-1].end)
        segs.append(seg)
    return transcript.with_changes(segments=tuple(segs))
