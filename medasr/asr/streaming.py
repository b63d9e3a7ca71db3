"""Streaming transcription: wrap any ``Transcriber`` and turn a growing audio buffer into
committed words (they will not change) and a partial tail (they may).

The shape follows whisper_streaming (Macháček et al., 2023): ``insert_audio_chunk``,
``process_iter``, ``finish``; a word is committed when two successive hypotheses over the
growing buffer agree on it (LocalAgreement-2). Silero VAD (shipped with faster-whisper)
skips silent buffers and ends an utterance after a pause, which commits its tail at once
and starts a fresh buffer. The buffer is trimmed at committed words so it stays well under
Whisper's 30 s window.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, replace

import numpy as np

from medasr.asr.base import TranscribeOptions, Transcriber
from medasr.audio import SAMPLE_RATE
from medasr.schema import Segment, Transcript, Word, word_id

log = logging.getLogger("medasr.asr.streaming")
_NORM = re.compile(r"[^\w']+")


@dataclass(frozen=True)
class StreamConfig:
    """How eagerly to decode and when to commit. Seconds throughout."""

    min_chunk: float = 1.0  # decode only when this much new audio arrived
    max_step: float = 2.0  # take at most this much new audio per iteration (fast senders)
    trim_after: float = 12.0  # trim the buffer at committed words once it is this long
    max_buffer: float = 24.0  # force a commit before the buffer reaches Whisper's 30 s window
    vad: bool = True
    vad_threshold: float = 0.5
    end_silence: float = 0.6  # a pause this long after speech ends the utterance
    hold_back: float = 0.5  # never commit a word ending this close to the buffer's end
    prompt_chars: int = 200  # committed text passed to Whisper as the prompt


@dataclass(frozen=True)
class StreamUpdate:
    """What one ``process_iter``/``finish`` call produced."""

    committed: tuple[Word, ...]  # newly committed words, absolute times, in order
    partial: tuple[Word, ...]  # the current unstable tail
    audio_seconds: float  # audio received so far
    processed_seconds: float  # audio decoded so far (end of the buffer)
    utterance_end: bool = False
    final: bool = False

    @property
    def committed_text(self) -> str:
        return "".join(w.text for w in self.committed).strip()

    @property
    def partial_text(self) -> str:
        return "".join(w.text for w in self.partial).strip()


def _norm(text: str) -> str:
    return _NORM.sub("", text.lower())


class _Hypotheses:
    """LocalAgreement-2: commit the longest common prefix of the last two hypotheses."""

    def __init__(self) -> None:
        self.committed_in_buffer: list[Word] = []
        self.previous: list[Word] = []
        self.new: list[Word] = []
        self.last_committed_time = 0.0

    def insert(self, words: list[Word]) -> None:
        # keep words after the last commit, and words that re-segment it but reach well past it
        # ("one" committed, then "140" for "one hundred forty"): never lose speech
        t = self.last_committed_time
        new = [w for w in words if w.start > t - 0.1 or w.end > t + 0.3]
        if new and abs(new[0].start - self.last_committed_time) < 1.0 and self.committed_in_buffer:
            # drop an n-gram (n <= 5) the new hypothesis repeats from the committed tail
            cn, nn = len(self.committed_in_buffer), len(new)
            for n in range(min(cn, nn, 5), 0, -1):
                tail = [_norm(w.text) for w in self.committed_in_buffer[-n:]]
                head = [_norm(w.text) for w in new[:n]]
                if tail == head:
                    new = new[n:]
                    break
        self.new = new

    def flush(self, limit: float = float("inf")) -> list[Word]:
        """Commit the agreed prefix, but no word ending after ``limit`` (the audio's last
        moments are heard only partly; two hypotheses can agree on a word that is not there)."""
        commit: list[Word] = []
        while self.new and self.previous and _norm(self.new[0].text) == _norm(self.previous[0].text) and self.new[0].end <= limit:
            w = self.new.pop(0)
            self.previous.pop(0)
            commit.append(w)
            self.last_committed_time = w.end
        self.previous, self.new = self.new, []
        self.committed_in_buffer.extend(commit)
        return commit

    def commit_all(self, words: list[Word]) -> list[Word]:
        """Commit a whole hypothesis (end of utterance / stream), minus any repeated head."""
        self.insert(words)
        commit, self.new, self.previous = self.new, [], []
        if commit:
            self.last_committed_time = commit[-1].end
        self.committed_in_buffer.extend(commit)
        return commit

    def drop_before(self, t: float) -> None:
        while self.committed_in_buffer and self.committed_in_buffer[0].end <= t:
            self.committed_in_buffer.pop(0)


class StreamingTranscriber:
    """Feed audio with ``insert_audio_chunk``; call ``process_iter`` as often as you like.

    ``insert_audio_chunk`` may be called from another thread than ``process_iter``.
    ``finish`` decodes what is left and commits it; ``transcript()`` gives the result.
    """

    def __init__(self, transcriber: Transcriber, options: TranscribeOptions | None = None, config: StreamConfig | None = None) -> None:
        self.transcriber = transcriber
        base = options or TranscribeOptions()
        # VAD is done here, over the whole stream; Whisper sees each buffer as is.
        self.options = replace(base, vad=False, word_timestamps=True, condition_on_previous_text=False, temperature=(0.0,))
        self.config = config or StreamConfig()
        self._lock = threading.Lock()
        self._incoming: list[np.ndarray] = []
        self._incoming_samples = 0
        self._received = 0  # samples
        self._buffer = np.zeros(0, dtype=np.float32)
        self._offset = 0.0  # absolute time of buffer[0]
        self._hyp = _Hypotheses()
        self.committed: list[Word] = []
        self._breaks: list[int] = []  # indices into committed where an utterance ended
        self._new_since_decode = 0
        self.iterations = 0
        self.language: str | None = None
        self._vad_model = None

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

    # -- decoding --------------------------------------------------------------------------
    def process_iter(self, *, force: bool = False) -> StreamUpdate:
        """Decode the buffer when enough new audio arrived (or ``force``); commit what agrees."""
        cfg = self.config
        self._take(int(cfg.max_step * SAMPLE_RATE))
        if not force and self._new_since_decode < cfg.min_chunk * SAMPLE_RATE:
            return self._update((), utterance_end=False)
        self._new_since_decode = 0
        buf_len = self._buffer.size / SAMPLE_RATE
        speech = self._speech(self._buffer) if cfg.vad else [(0.0, buf_len)]
        if not speech:  # nothing but silence: keep a short tail for context, decode nothing
            self._cut(max(0.0, buf_len - 0.5))
            self._hyp.previous = []
            return self._update((), utterance_end=False)
        words = self._decode()
        speech_end = speech[-1][1]
        if buf_len - speech_end >= cfg.end_silence:
            # the speaker paused: the utterance is complete, commit it whole, start afresh
            committed = self._hyp.commit_all(words)
            self._commit(committed, utterance_end=True)
            self._cut(speech_end)
            return self._update(committed, utterance_end=True)
        self._hyp.insert(words)
        committed = self._hyp.flush(self._offset + buf_len - cfg.hold_back)
        self._commit(committed)
        if buf_len > cfg.trim_after:
            # trim at the end of the last committed sentence: Whisper's word times are too
            # rough to cut between two words of one sentence without clipping one of them
            ends = [w.end for w in self._hyp.committed_in_buffer if w.text.rstrip().endswith((".", "?", "!"))]
            if ends:
                self._cut(ends[-1] - self._offset)
        if self._buffer.size / SAMPLE_RATE > cfg.max_buffer:
            # no agreement for too long: commit the hypothesis but its last second, then trim
            limit = self._offset + self._buffer.size / SAMPLE_RATE - 1.0
            head = [w for w in self._hyp.previous if w.end <= limit]
            self._hyp.previous = self._hyp.previous[len(head):]
            self._hyp.committed_in_buffer.extend(head)
            if head:
                self._hyp.last_committed_time = head[-1].end
            self._commit(head)
            committed = committed + head
            self._cut((head[-1].end if head else limit) - self._offset)
        return self._update(committed, utterance_end=False)

    def finish(self) -> StreamUpdate:
        """Decode everything still buffered and commit it all. Call once, at the end."""
        committed: list[Word] = []
        utterance_end = False
        while self.pending_seconds > 0:
            u = self.process_iter(force=True)
            committed.extend(u.committed)
            utterance_end = utterance_end or u.utterance_end
        if self._buffer.size and (not self.config.vad or self._speech(self._buffer)):
            tail = self._hyp.commit_all(self._decode())
            self._commit(tail, utterance_end=True)
            committed.extend(tail)
        self._cut(self._buffer.size / SAMPLE_RATE)
        return StreamUpdate(tuple(committed), (), self.audio_seconds, self._offset, utterance_end=True, final=True)

    def _decode(self) -> list[Word]:
        prompt = "".join(w.text for w in self.committed if w.end <= self._offset).strip()
        opts = replace(self.options, initial_prompt=prompt[-self.config.prompt_chars:] or self.options.initial_prompt)
        t = self.transcriber.transcribe(self._buffer, opts)
        self.iterations += 1
        self.language = t.language or self.language
        out = []
        for seg in t.segments:
            for w in seg.words:
                out.append(Word(start=round(w.start + self._offset, 3), end=round(w.end + self._offset, 3), text=w.text, probability=w.probability))
        log.debug("hypothesis @%.2fs: %s", self._offset, "".join(w.text for w in out))
        return out

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

    def _update(self, committed: list[Word] | tuple, *, utterance_end: bool) -> StreamUpdate:
        return StreamUpdate(tuple(committed), tuple(self._hyp.previous), self.audio_seconds,
                            self._offset + self._buffer.size / SAMPLE_RATE, utterance_end=utterance_end)

    # -- result ----------------------------------------------------------------------------
    def transcript(self) -> Transcript:
        """The committed words as a Transcript: a segment per utterance or sentence."""
        segments = _segment(self.committed, set(self._breaks))
        return Transcript(segments=tuple(segments), language=self.language, duration=round(self.audio_seconds, 3),
                          model=self.transcriber.info, options={**self.options.to_dict(), "streaming": True},
                          timings={"iterations": float(self.iterations)})


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
