"""Streaming transcription: wrap any ``Transcriber`` and turn a growing audio buffer into
committed words (they will not change) and a partial tail (they may).

The shape follows whisper_streaming (Macháček et al., 2023): ``insert_audio_chunk``,
``process_iter``, ``finish``; a word is committed when two successive hypotheses over the
growing buffer agree on it (LocalAgreement-2, ``medasr.asr.agreement``). Every hypothesis
first passes the checks of ``medasr.asr.guards`` (a token budget in proportion to the
audio, loops, words per second of speech, words in silence): one that fails commits nothing.
Silero VAD (shipped with faster-whisper) skips silent buffers, and a pause after speech ends
the utterance: a hypothesis that heard the pause and passed every check is committed whole.
The buffer is trimmed at committed sentence ends so windows stay short.

A decode is split in two so that one shared worker can decode many sessions' windows
together (``medasr.asr.worker``): ``next_window`` says what to decode, ``apply`` takes the
result. ``process_iter(decode=...)`` and ``finish(decode=...)`` do both.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from medasr.asr import guards
from medasr.asr.agreement import LocalAgreement
from medasr.asr.base import TranscribeOptions, Transcriber
from medasr.audio import SAMPLE_RATE
from medasr.schema import Segment, Transcript, Word, word_id

log = logging.getLogger("medasr.asr.streaming")


@dataclass(frozen=True)
class StreamConfig:
    """How eagerly to decode and when to commit. Seconds throughout."""

    min_chunk: float = 0.5  # decode only when this much new audio arrived (the shared worker paces the rest)
    max_step: float = 4.0  # take at most this much new audio per window while keeping up (a decode every 3 s, and the decode)
    catch_up_step: float = 8.0  # ... and this much while behind (fewer, longer decodes)
    behind_after: float = 3.0  # lag (received - decoded) past which the session is behind
    trim_after: float = 8.0  # trim the buffer at a committed sentence end once it is this long
    max_buffer: float = 20.0  # force a commit before the buffer nears Whisper's 30 s window
    vad: bool = True
    vad_threshold: float = 0.5
    end_silence: float = 0.6  # a pause this long after speech ends the utterance
    hold_back: float = 0.5  # never commit a word ending this close to the buffer's end
    prompt_chars: int = 200  # committed text passed to Whisper as the prompt
    min_speech: float = guards.MIN_SPEECH_SECONDS  # less speech than this is not decoded


@dataclass(frozen=True)
class StreamUpdate:
    """What one ``process_iter``/``finish`` call produced."""

    committed: tuple[Word, ...]  # newly committed words, absolute times, in order
    partial: tuple[Word, ...]  # the current unstable tail
    audio_seconds: float  # audio received so far
    processed_seconds: float  # audio decoded (or skipped as silence) so far
    utterance_end: bool = False
    final: bool = False
    rejected: str = ""  # why this hypothesis (or part of it) was not let through

    @property
    def committed_text(self) -> str:
        return "".join(w.text for w in self.committed).strip()

    @property
    def partial_text(self) -> str:
        return "".join(w.text for w in self.partial).strip()

    @property
    def lag_seconds(self) -> float:
        return max(0.0, self.audio_seconds - self.processed_seconds)


@dataclass(frozen=True, eq=False)
class Window:
    """One decode to run: the buffer, its options, where it sits on the stream's clock and
    where the VAD heard speech in it (seconds from the window's start)."""

    audio: np.ndarray
    options: TranscribeOptions
    offset: float
    speech: tuple[tuple[float, float], ...] = field(default=())
    final: bool = False

    @property
    def seconds(self) -> float:
        return self.audio.size / SAMPLE_RATE

    @property
    def end(self) -> float:
        return self.offset + self.seconds


Decode = Callable[[np.ndarray, TranscribeOptions], Transcript]
# decode_latest of the shared worker: takes a function giving the window when the worker is ready
LateDecode = Callable[[Callable[[], "tuple[np.ndarray, TranscribeOptions] | None"]], "Transcript | None"]


class StreamingTranscriber:
    """Feed audio with ``insert_audio_chunk``; call ``process_iter`` as often as you like.

    ``insert_audio_chunk`` may be called from another thread than ``process_iter``.
    ``finish`` decodes what is left and commits it; ``transcript()`` gives the result.
    """

    def __init__(self, transcriber: Transcriber, options: TranscribeOptions | None = None, config: StreamConfig | None = None) -> None:
        self.transcriber = transcriber
        base = options or TranscribeOptions()
        # VAD is done here, over the whole stream; Whisper sees each buffer as is.
        self.options = replace(base, vad=False, word_timestamps=True, condition_on_previous_text=False)
        self.config = config or StreamConfig()
        self._lock = threading.Lock()
        self._incoming: list[np.ndarray] = []
        self._incoming_samples = 0
        self._received = 0  # samples
        self._buffer = np.zeros(0, dtype=np.float32)
        self._offset = 0.0  # absolute time of buffer[0]
        self._decoded_until = 0.0
        self._hyp = LocalAgreement()
        self.committed: list[Word] = []
        self._breaks: list[int] = []  # indices into committed where an utterance ended
        self._new_since_decode = 0
        self.iterations = 0
        self.rejected = 0
        self._last_ok = True
        self.language: str | None = None

    # -- input -----------------------------------------------------------------------------
    def insert_audio_chunk(self, audio: np.ndarray) -> None:
        audio = np.asarray(audio, dtype=np.float32).reshape(-1)
        with self._lock:
            self._incoming.append(audio)
            self._incoming_samples += audio.size
            self._received += audio.size

    @property
    def audio_seconds(self) -> float:
        return self._received / SAMPLE_RATE

    @property
    def pending_seconds(self) -> float:
        return self._incoming_samples / SAMPLE_RATE

    @property
    def decoded_seconds(self) -> float:
        return self._decoded_until

    @property
    def lag_seconds(self) -> float:
        """Audio received but not yet decoded (or skipped as silence)."""
        return max(0.0, self.audio_seconds - self._decoded_until)

    def _take(self, max_samples: int) -> int:
        with self._lock:
            if not self._incoming:
                return 0
            data = np.concatenate(self._incoming)
            take, rest = data[:max_samples], data[max_samples:]
            self._incoming = [rest] if rest.size else []
            self._incoming_samples = rest.size
        self._buffer = np.concatenate([self._buffer, take])
        self._new_since_decode += take.size
        return take.size

    # -- one decode, in two halves ---------------------------------------------------------
    def next_window(self, *, force: bool = False, final: bool = False) -> Window | None:
        """The next buffer to decode, or None (too little new audio, or only silence)."""
        cfg = self.config
        step = cfg.max_step if self.lag_seconds <= cfg.behind_after and not final else cfg.catch_up_step
        room = cfg.max_buffer - self._buffer.size / SAMPLE_RATE
        self._take(int(max(cfg.min_chunk, min(step, room)) * SAMPLE_RATE))
        if not force and self._new_since_decode < cfg.min_chunk * SAMPLE_RATE:
            return None
        self._new_since_decode = 0
        buf_len = self._buffer.size / SAMPLE_RATE
        speech = self._speech(self._buffer) if cfg.vad else [(0.0, buf_len)]
        if sum(e - s for s, e in speech) < cfg.min_speech and not (final and self._hyp.previous):
            if not speech:  # nothing but silence: keep a short tail for context, decode nothing
                self._cut(max(0.0, buf_len - 0.5))
                self._hyp.previous = []
            self._decoded_until = self._offset + buf_len
            return None
        prompt = "".join(w.text for w in self.committed if w.end <= self._offset).strip()
        opts = replace(self.options, initial_prompt=prompt[-cfg.prompt_chars:] or self.options.initial_prompt,
                       max_new_tokens=guards.token_budget(buf_len))
        return Window(audio=self._buffer, options=opts, offset=self._offset, speech=tuple(speech), final=final)

    def apply(self, w: Window, t: Transcript) -> StreamUpdate:
        """Take the decode of ``w`` (the window ``next_window`` gave last): check it, commit
        what agrees, trim the buffer."""
        cfg = self.config
        self.iterations += 1
        self.language = t.language or self.language
        speech_abs = [(s + w.offset, e + w.offset) for s, e in w.speech]
        words = [Word(start=round(x.start + w.offset, 3), end=round(x.end + w.offset, 3), text=x.text, probability=x.probability)
                 for seg in t.segments for x in seg.words]
        words = guards.gate_silence(words, speech_abs) if cfg.vad else words
        verdict = guards.check(t, words, sum(e - s for s, e in w.speech), compression_ratio=self.options.compression_ratio_threshold)
        if not verdict.ok:
            self.rejected += 1
            log.debug("hypothesis @%.2fs cut or dropped: %s", w.offset, verdict.reason)
        words = list(verdict.words)
        self._last_ok = verdict.ok
        log.debug("hypothesis @%.2fs: %s", w.offset, "".join(x.text for x in words))
        self._decoded_until = max(self._decoded_until, w.end)
        buf_len = w.end - self._offset
        speech_end = (w.speech[-1][1] if w.speech else buf_len) + w.offset - self._offset
        paused = buf_len - speech_end >= cfg.end_silence
        if w.final or (paused and verdict.ok):
            # the speaker paused (or the stream ended): a hypothesis that heard the utterance out
            # and passed every check is committed whole; of one that failed, only what the last
            # good hypothesis agrees with
            if verdict.ok:
                committed = self._hyp.commit_all(words)
            else:
                self._hyp.insert(words)
                committed = self._hyp.flush()
            self._commit(committed, utterance_end=True)
            self._cut(buf_len if w.final else speech_end)
            return self._update(committed, utterance_end=True, rejected=verdict.reason, final=w.final)
        if words:
            self._hyp.insert(words)
            committed = self._hyp.flush(self._offset + buf_len - cfg.hold_back)
        else:
            self._hyp.reject()
            committed = []
        self._commit(committed)
        if buf_len > cfg.trim_after:
            # trim at the end of the last committed sentence: Whisper's word times are too
            # rough to cut between two words of one sentence without clipping one of them
            ends = [x.end for x in self._hyp.committed_in_buffer if x.text.rstrip().endswith((".", "?", "!"))]
            if ends:
                self._cut(ends[-1] - self._offset)
        if self._buffer.size / SAMPLE_RATE > cfg.max_buffer:
            # no agreement for too long: commit the (checked) hypothesis but its last second
            limit = self._offset + self._buffer.size / SAMPLE_RATE - 1.0
            head = [x for x in self._hyp.previous if x.end <= limit]
            self._hyp.previous = self._hyp.previous[len(head):]
            self._hyp.committed_in_buffer.extend(head)
            if head:
                self._hyp.last_committed_time = head[-1].end
            self._commit(head)
            committed = committed + head
            self._cut((head[-1].end if head else limit) - self._offset)
        return self._update(committed, utterance_end=False, rejected=verdict.reason)

    # -- driving it ------------------------------------------------------------------------
    def decode(self, audio: np.ndarray, options: TranscribeOptions) -> Transcript:
        """Decode one window with the wrapped transcriber (its batch path when it has one)."""
        batch = getattr(self.transcriber, "transcribe_batch", None)
        return batch([audio], [options])[0] if batch is not None else self.transcriber.transcribe(audio, options)

    def process_iter(self, *, force: bool = False, decode: Decode | None = None, late: LateDecode | None = None) -> StreamUpdate:
        """Decode the buffer when enough new audio arrived (or ``force``); commit what agrees.
        ``late``: a shared worker's ``decode_latest``, which takes the window only when it is
        ready to decode it (so the window holds the audio that arrived while it waited)."""
        if late is not None:
            taken: list[Window] = []

            def prepare() -> tuple[np.ndarray, TranscribeOptions] | None:
                w = self.next_window(force=force)
                if w is None:
                    return None
                taken.append(w)
                return w.audio, w.options

            t = late(prepare)
            if not taken or t is None:
                return self._update((), utterance_end=False)
            return self.apply(taken[0], t)
        w = self.next_window(force=force)
        if w is None:
            return self._update((), utterance_end=False)
        return self.apply(w, (decode or self.decode)(w.audio, w.options))

    def finish(self, *, decode: Decode | None = None) -> StreamUpdate:
        """Decode everything still buffered and commit what passes the checks. Call once."""
        decode = decode or self.decode
        committed: list[Word] = []
        rejected = ""
        while self.pending_seconds > 0:
            w = self.next_window(force=True)
            if w is not None:
                u = self.apply(w, decode(w.audio, w.options))
                committed.extend(u.committed)
                rejected = rejected or u.rejected
        if self._buffer.size and self._new_since_decode == 0 and self.iterations:
            # nothing arrived since the last decode: decoding the same buffer again would only
            # "agree" with itself. Its hypothesis stands if it passed every check.
            tail = self._hyp.commit_all(list(self._hyp.previous)) if self._last_ok else []
            self._commit(tail, utterance_end=True)
            committed.extend(tail)
        elif self._buffer.size:
            w = self.next_window(force=True, final=True)
            if w is not None:
                u = self.apply(w, decode(w.audio, w.options))
                committed.extend(u.committed)
                rejected = rejected or u.rejected
        self._cut(self._buffer.size / SAMPLE_RATE)
        self._decoded_until = self.audio_seconds
        return StreamUpdate(tuple(committed), (), self.audio_seconds, self.audio_seconds, utterance_end=True, final=True, rejected=rejected)

    def _speech(self, audio: np.ndarray) -> list[tuple[float, float]]:
        from faster_whisper.vad import VadOptions, get_speech_timestamps

        opts = VadOptions(threshold=self.config.vad_threshold, min_silence_duration_ms=int(self.config.end_silence * 1000 / 2), speech_pad_ms=100)
        spans = get_speech_timestamps(audio, opts)
        return [(s["start"] / SAMPLE_RATE, s["end"] / SAMPLE_RATE) for s in spans]

    def _cut(self, seconds: float) -> None:
        n = int(max(0.0, seconds) * SAMPLE_RATE)
        if n <= 0:
            return
        self._buffer = self._buffer[n:]
        self._offset += n / SAMPLE_RATE
        self._hyp.drop_before(self._offset)

    def _commit(self, words: list[Word], *, utterance_end: bool = False) -> None:
        self.committed.extend(words)
        if utterance_end and self.committed and (not self._breaks or self._breaks[-1] != len(self.committed)):
            self._breaks.append(len(self.committed))

    def _update(self, committed: list[Word] | tuple, *, utterance_end: bool, rejected: str = "", final: bool = False) -> StreamUpdate:
        return StreamUpdate(tuple(committed), () if final else tuple(self._hyp.previous), self.audio_seconds, self._decoded_until,
                            utterance_end=utterance_end, rejected=rejected)

    # -- result ----------------------------------------------------------------------------
    def transcript(self) -> Transcript:
        """The committed words as a Transcript: a segment per utterance or sentence."""
        segments = _segment(self.committed, set(self._breaks))
        return Transcript(segments=tuple(segments), language=self.language, duration=round(self.audio_seconds, 3),
                          model=self.transcriber.info, options={**self.options.to_dict(), "streaming": True},
                          timings={"iterations": float(self.iterations), "rejected": float(self.rejected)})


def _segment(words: list[Word], breaks: set[int], max_words: int = 40) -> list[Segment]:
    groups: list[list[Word]] = []
    cur: list[Word] = []
    for i, w in enumerate(words):
        cur.append(w)
        sentence_end = w.text.rstrip().endswith((".", "?", "!"))
        if i + 1 in breaks or sentence_end or len(cur) >= max_words:
            groups.append(cur)
            cur = []
    if cur:
        groups.append(cur)
    segments = []
    for sid, g in enumerate(groups):
        ws = tuple(replace(w, id=word_id(sid, j)) for j, w in enumerate(g))
        text = "".join(w.text for w in ws)
        segments.append(Segment(id=sid, start=ws[0].start, end=ws[-1].end, text=text, words=ws))
    return segments
