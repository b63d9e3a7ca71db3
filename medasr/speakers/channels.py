"""``--speakers channels``: each channel of a multi-channel recording is one speaker.

Telephone and video-call recordings (PriMock57 among them) keep each side on its own channel.
Each channel is transcribed alone (``S1`` is the first channel, ``S2`` the second, ...) and the
segments are merged by start time. Word times are first moved onto the speech of their own
channel (``speakers.snap``: Whisper's times drift, most at a short answer's edges). Segments are numbered 0..n-1 in the merged order and each
word's id is ``<merged segment id>.<index>``: the merged transcript is what the recognizer
produced, so its ids follow the recognizer's rule. A silent channel adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from medasr.errors import AudioError
from medasr.schema import Transcript, word_id

SAME_CORRELATION = 0.999


def check_channels(channels: np.ndarray, label: str) -> None:
    """Clear errors for audio that cannot hold one speaker per channel."""
    if channels.ndim != 2 or channels.shape[0] < 2:
        raise AudioError(
            f"{label}: --speakers channels needs one speaker per channel, but the audio has 1 channel (mono); "
            "use --speakers auto (or a number) to tell the voices apart"
        )
    ref = channels[0]
    for k in range(1, channels.shape[0]):
        other = channels[k]
        denom = float(np.linalg.norm(ref) * np.linalg.norm(other))
        if denom > 0 and float(ref @ other) / denom >= SAME_CORRELATION:
            raise AudioError(
                f"{label}: channels 1 and {k + 1} carry the same signal (mono audio saved as {channels.shape[0]} channels); "
                "use --speakers auto (or a number) instead of channels"
            )


def merge_channels(transcripts: list[Transcript]) -> Transcript:
    """One transcript from per-channel transcripts, channel k's speaker ``S{k+1}``."""
    tagged = [(s.start, k, s) for k, t in enumerate(transcripts) for s in t.segments]
    tagged.sort(key=lambda x: (x[0], x[1]))
    segs = []
    for i, (_, k, s) in enumerate(tagged):
        speaker = f"S{k + 1}"
        words = tuple(replace(w, id=word_id(i, j), speaker=speaker) for j, w in enumerate(s.words))
        segs.append(replace(s, id=i, speaker=speaker, words=words))
    first = transcripts[0]
    timings: dict[str, float] = {}
    for t in transcripts:
        for name, v in t.timings.items():
            timings[name] = round(timings.get(name, 0.0) + v, 4)
    return first.with_changes(segments=tuple(segs), duration=max(t.duration for t in transcripts), timings=timings)


def transcribe_channels(channels: np.ndarray, transcribe: Callable[[np.ndarray], Transcript], label: str = "audio",
                        snap: bool = True) -> Transcript:
    from medasr.speakers.snap import snap_words
    from medasr.speakers.vad import speech_regions

    check_channels(channels, label)
    out = []
    for ch in channels:
        ch = np.ascontiguousarray(ch)
        t = transcribe(ch)
        out.append(snap_words(t, speech_regions(ch)) if snap and t.segments else t)
    return merge_channels(out)
