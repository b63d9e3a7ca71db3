"""A fake Transcriber for unit tests: returns scripted text, spread over the audio."""

from __future__ import annotations

import numpy as np

from medasr.asr.base import ProgressFn, TranscribeOptions
from medasr.audio import SAMPLE_RATE
from medasr.schema import ModelInfo, Segment, Transcript, Word, word_id


class FakeTranscriber:
    """Returns ``texts`` (one segment each) with evenly spaced word timings.

    Silent input (peak below 1e-4) yields an empty transcript, like the real one with VAD.
    """

    def __init__(self, texts: list[str] | str = "hello world", probability: float = 0.9) -> None:
        self.texts = [texts] if isinstance(texts, str) else list(texts)
        self.probability = probability
        self.calls = 0

    @property
    def info(self) -> ModelInfo:
        return ModelInfo(name="fake", source="fake", device="cpu", compute_type="none")

    def transcribe(self, audio: np.ndarray, options: TranscribeOptions | None = None, *, progress: ProgressFn | None = None) -> Transcript:
        self.calls += 1
        options = options or TranscribeOptions()
        duration = len(audio) / SAMPLE_RATE
        if len(audio) == 0 or float(np.max(np.abs(audio))) < 1e-4:
            return Transcript(segments=(), duration=duration, model=self.info, options=options.to_dict(), language="en")
        segs = []
        span = duration / max(len(self.texts), 1)
        for i, text in enumerate(self.texts):
            toks = text.split()
            t0 = i * span
            step = span / max(len(toks), 1)
            words = tuple(
                Word(start=round(t0 + j * step, 3), end=round(t0 + (j + 1) * step, 3), text=" " + tok, probability=self.probability, id=word_id(i, j))
                for j, tok in enumerate(toks)
            )
            segs.append(Segment(id=i, start=round(t0, 3), end=round(t0 + span, 3), text=" " + text, words=words, avg_logprob=-0.1, no_speech_prob=0.01))
            if progress:
                progress(min(t0 + span, duration), duration)
        return Transcript(segments=tuple(segs), duration=duration, model=self.info, options=options.to_dict(), language="en")
