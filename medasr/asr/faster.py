"""The Faster-Whisper (CTranslate2) Transcriber."""

from __future__ import annotations

import logging
import time

import numpy as np

from medasr.asr.base import ProgressFn, TranscribeOptions
from medasr.asr.guards import MIN_CLIP_SPEECH_SECONDS, token_budget
from medasr.audio import SAMPLE_RATE
from medasr.schema import ModelInfo, Segment, Transcript, Word, word_id
from medasr.store.manifest import ResolvedModel

log = logging.getLogger("medasr.asr")


class FasterWhisperTranscriber:
    """Wraps ``faster_whisper.WhisperModel`` (and its batched pipeline when ``batch_size > 0``)."""

    def __init__(self, model: ResolvedModel, device: str = "cpu", compute_type: str = "int8", threads: int = 0) -> None:
        from faster_whisper import WhisperModel

        self.model = model
        self.device = device
        self.compute_type = compute_type
        t0 = time.perf_counter()
        self._model = WhisperModel(str(model.path), device=device, compute_type=compute_type, cpu_threads=threads, local_files_only=True)
        self._batched = None
        self.load_seconds = time.perf_counter() - t0
        log.info("loaded %s on %s/%s in %.2fs", model.describe(), device, compute_type, self.load_seconds)

    @property
    def info(self) -> ModelInfo:
        sha = (self.model.entry.files.get("model.bin", "") if self.model.entry else "")
        return ModelInfo(name=self.model.name, path=str(self.model.path), source=self.model.source,
                         device=self.device, compute_type=self.compute_type, sha256=sha)

    @property
    def is_multilingual(self) -> bool:
        return bool(self._model.model.is_multilingual)

    def transcribe_batch(self, audios: list[np.ndarray], options: list[TranscribeOptions]) -> list[Transcript]:
        """Short windows (streaming) decoded together: see ``medasr.asr.batched``."""
        from medasr.asr.batched import transcribe_windows

        return transcribe_windows(self._model, self.info, audios, options)

    def probe_cost(self, batch: int, seconds: float, beam_size: int = 1) -> float:
        """Seconds a batch of speech windows costs (for admission control): ``medasr.asr.batched``."""
        from medasr.asr.batched import probe_cost

        return probe_cost(self._model, batch, seconds, beam_size=beam_size)

    def transcribe(self, audio: np.ndarray, options: TranscribeOptions | None = None, *, progress: ProgressFn | None = None) -> Transcript:
        options = options or TranscribeOptions()
        duration = len(audio) / SAMPLE_RATE
        language = options.language or (None if self.is_multilingual else "en")
        kw = dict(
            language=language,
            beam_size=options.beam_size,
            word_timestamps=options.word_timestamps,
            initial_prompt=options.initial_prompt,
            hotwords=options.hotwords,
            temperature=list(options.temperature),
            no_speech_threshold=options.no_speech_threshold,
            log_prob_threshold=options.log_prob_threshold,
            compression_ratio_threshold=options.compression_ratio_threshold,
            # a clip shorter than Whisper's window gets a token budget in proportion to it
            max_new_tokens=options.max_new_tokens or (token_budget(duration) if duration < 30 else None),
            vad_filter=options.vad,
        )
        t0 = time.perf_counter()
        if options.batch_size > 0:
            if self._batched is None:
                from faster_whisper import BatchedInferencePipeline

                self._batched = BatchedInferencePipeline(self._model)
            fw_segments, fw_info = self._batched.transcribe(audio, batch_size=options.batch_size, **kw)
        else:
            fw_segments, fw_info = self._model.transcribe(audio, condition_on_previous_text=options.condition_on_previous_text, **kw)
        if min(duration, getattr(fw_info, "duration_after_vad", duration)) < MIN_CLIP_SPEECH_SECONDS:
            fw_segments = iter(())  # a tenth of a second holds no word: Whisper would invent one ("Okay.")
        segments: list[Segment] = []
        first = None
        for s in fw_segments:  # lazy: decoding happens while iterating
            if first is None:
                first = time.perf_counter() - t0
            seg = _convert(len(segments), s)
            if seg is not None:
                segments.append(seg)
            if progress:
                progress(min(s.end, duration), duration)
        wall = time.perf_counter() - t0
        if progress:
            progress(duration, duration)
        return Transcript(
            segments=tuple(segments),
            language=fw_info.language,
            duration=duration,
            model=self.info,
            options=options.to_dict(),
            timings={"asr": round(wall, 4), "first_segment": round(first if first is not None else wall, 4)},
        )


def _convert(seg_id: int, s) -> Segment | None:
    text = s.text
    if not text.strip():
        return None
    words = tuple(
        Word(start=round(float(w.start), 3), end=round(float(w.end), 3), text=w.word, probability=round(float(w.probability), 4), id=word_id(seg_id, i))
        for i, w in enumerate(s.words or ())
    )
    return Segment(
        id=seg_id,
        start=round(float(s.start), 3),
        end=round(float(s.end), 3),
        text=text,
        words=words,
        avg_logprob=round(float(s.avg_logprob), 4),
        no_speech_prob=round(float(s.no_speech_prob), 4),
        compression_ratio=round(float(s.compression_ratio), 4),
    )
