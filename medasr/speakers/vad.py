"""Speech regions for diarization: faster-whisper's bundled Silero VAD (ONNX, offline).

Tighter than the ASR's VAD settings (which pad 400 ms and bridge 2 s pauses): a turn change
is usually a short pause, and the pause is where the diarizer should cut.
"""

from __future__ import annotations

import numpy as np

from medasr.audio import SAMPLE_RATE

THRESHOLD = 0.5
MIN_SPEECH_MS = 200
MIN_SILENCE_MS = 150
PAD_MS = 30


def speech_regions(audio: np.ndarray, *, threshold: float = THRESHOLD) -> list[tuple[float, float]]:
    """(start, end) seconds of speech, in order, non-overlapping."""
    if audio.size < SAMPLE_RATE // 10:
        return []
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    opts = VadOptions(threshold=threshold, min_speech_duration_ms=MIN_SPEECH_MS, min_silence_duration_ms=MIN_SILENCE_MS, speech_pad_ms=PAD_MS)
    stamps = get_speech_timestamps(np.asarray(audio, dtype=np.float32), opts, sampling_rate=SAMPLE_RATE)
    regions: list[tuple[float, float]] = []
    for ts in stamps:
        a, b = ts["start"] / SAMPLE_RATE, ts["end"] / SAMPLE_RATE
        if regions and a <= regions[-1][1]:
            regions[-1] = (regions[-1][0], max(b, regions[-1][1]))
        elif b > a:
            regions.append((a, b))
    return regions
