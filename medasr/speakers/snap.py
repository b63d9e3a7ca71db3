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
              ends: Sequence[float] | None = None, max_shift: float = MAX_SHIFT) -> tuple[float, float]:
    """(start, end) moved onto ``regions`` (sorted, non-overlapping speech spans; ``starts`` and
    ``ends`` their bounds, when the caller has them)."""
    if not regions or end < start:
        return start, end
    starts = starts if starts is not None else [a for a, _ in regions]
    ends = ends if ends is not None else [b for _, b in regions]
    first = bisect.bisect_right(ends, start)  # regions[first:] end after the word starts
    stop = bisect.bisect_left(starts, end)  # regions[:stop] start before the word ends
    if first < stop:  # regions[first:stop] overlap the word
        s, e = max(start, regions[first][0]), min(end, regions[stop - 1][1])
        return (s, e) if e - s >= MIN_WORD else (s, min(s + MIN_WORD, regions[stop - 1][1]))
    dur = max(MIN_WORD, end - start)
    before = regions[first - 1] if first > 0 else None  # ends at or before the word's start
    after = regions[stop] if stop < len(regions) else None  # starts at or after the word's end
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
    starts, ends = [a for a, _ in regions], [b for _, b in regions]
    prev = float("-inf")
    segs: list[Segment] = []
    for seg in transcript.segments:
        words: list[Word] = []
        for w in seg.words:
            s, e = snap_span(w.start, w.end, regions, starts, ends, max_shift)
            s = max(s, prev)
            e = max(e, s)
            prev = s
            words.append(replace(w, start=round(s, 3), end=round(e, 3)))
        if words:
            seg = replace(seg, words=tuple(words), start=words[0].start, end=words[-1].end)
        segs.append(seg)
    return transcript.with_changes(segments=tuple(segs))
