"""StreamingTranscriber (LocalAgreement-2, trimming, finish) and the websocket protocol's
frame parsing, without a model: a scripted transcriber that reads absolute time from the
audio itself (a ramp), so it knows which words a buffer holds, wherever the buffer starts."""

from __future__ import annotations

import json

import numpy as np
import pytest

from medasr.asr.base import TranscribeOptions
from medasr.audio import SAMPLE_RATE
from medasr.asr.streaming import StreamConfig, StreamingTranscriber
from medasr.schema import ModelInfo, Segment, Transcript, Word
from medasr.ui.protocol import ClientConfig, ProtocolError

WORDS = ("the patient reports chest pain since yesterday. she takes metformin twice daily. "
         "blood pressure is high. plan an electrocardiogram and follow up in two weeks.").split() * 3
WORD_S = 0.5  # word i spans [i*0.5, i*0.5+0.4]
TOTAL = len(WORDS) * WORD_S + 0.5


def ramp(seconds: float) -> np.ndarray:
    """Audio whose every sample encodes its own absolute time (t / 1000)."""
    return (np.arange(int(seconds * SAMPLE_RATE), dtype=np.float64) / SAMPLE_RATE / 1000.0).astype(np.float32)


class RampTranscriber:
    """Returns the reference words whose span the buffer holds; a word cut by the buffer's
    end comes out garbled (as Whisper does), so it must not be committed from one hypothesis."""

    def __init__(self) -> None:
        self.calls = 0
        self.prompts: list[str | None] = []

    @property
    def info(self) -> ModelInfo:
        return ModelInfo(name="ramp", source="fake")

    def transcribe(self, audio, options=None, *, progress=None):  # type: ignore[no-untyped-def]
        self.calls += 1
        self.prompts.append(options.initial_prompt if options else None)
        t0 = float(audio[0]) * 1000.0
        t1 = t0 + len(audio) / SAMPLE_RATE
        words = []
        for i, w in enumerate(WORDS):
            s, e = i * WORD_S, i * WORD_S + 0.4
            if s < t0 - 0.05 or s >= t1:
                continue
            text = " " + (w if e <= t1 else w[: max(1, len(w) // 2)] + "-")
            words.append(Word(start=round(s - t0, 3), end=round(min(e, t1) - t0, 3), text=text, probability=0.9))
        seg = Segment(id=0, start=0.0, end=len(audio) / SAMPLE_RATE, text="".join(w.text for w in words), words=tuple(words))
        return Transcript(segments=(seg,) if words else (), language="en", duration=len(audio) / SAMPLE_RATE, model=self.info)


class GatedRamp(RampTranscriber):
    """Decodes only once ``gate`` is set (so windows queue up behind it); records each window's
    absolute end and the beam it was decoded with."""

    def __init__(self) -> None:
        import threading

        super().__init__()
        self.gate = threading.Event()
        self.seen: list[float] = []
        self.beams: list[int] = []

    def transcribe(self, audio, options=None, *, progress=None):  # type: ignore[no-untyped-def]
        self.gate.wait(10)
        self.seen.append(float(audio[-1]) * 1000.0 + 1 / SAMPLE_RATE)
        self.beams.append(options.beam_size if options else 0)
        return super().transcribe(audio, options)


def stream(step: float, config: StreamConfig) -> tuple[StreamingTranscriber, list]:
    audio = ramp(TOTAL)
    st = StreamingTranscriber(RampTranscriber(), TranscribeOptions(), config)
    updates = []
    n = int(step * SAMPLE_RATE)
    for i in range(0, audio.size, n):
        st.insert_audio_chunk(audio[i:i + n])
        updates.append(st.process_iter())
        assert st._buffer.size / SAMPLE_RATE <= config.max_buffer + config.max_step + 1e-6
    updates.append(st.finish())
    return st, updates


@pytest.mark.parametrize("step", [0.25, 1.0, 3.0])
def test_committed_text_is_exact_and_never_revised(step: float) -> None:
    cfg = StreamConfig(vad=False, min_chunk=1.0, trim_after=6.0, max_buffer=12.0)
    st, updates = stream(step, cfg)
    committed = [w for u in updates for w in u.committed]
    assert " ".join(w.text.strip() for w in committed) == " ".join(WORDS)
    assert [w.start for w in committed] == sorted(w.start for w in committed)  # in order, no repeats
    assert all(not w.text.endswith("-") for w in committed)  # a cut word is never committed
    assert any(u.partial for u in updates[:-1])  # partial text was shown before it was committed
    assert updates[-1].final and not updates[-1].partial
    t = st.transcript()
    assert t.text == " ".join(WORDS)
    for seg in t.segments:  # ids and text follow the words
        assert seg.text == "".join(w.text for w in seg.words)
        assert [w.id for w in seg.words] == [f"{seg.id}.{j}" for j in range(len(seg.words))]
    assert st.transcriber.calls == st.iterations


def test_words_commit_before_the_stream_ends_and_prompt_carries_context() -> None:
    cfg = StreamConfig(vad=False, min_chunk=1.0, trim_after=6.0, max_buffer=12.0)
    st, updates = stream(0.5, cfg)
    before_end = sum(len(u.committed) for u in updates[:-1])
    assert before_end >= len(WORDS) * 0.8  # most words commit while audio still arrives
    assert any(p and "patient" in p for p in st.transcriber.prompts)  # trimmed context becomes the prompt
    assert st._offset > 0  # the buffer was trimmed


def test_fast_sender_is_decoded_in_bounded_steps() -> None:
    """Audio far ahead of the decoder (a fast sender, or a session that fell behind) is taken
    in catch-up steps: fewer, longer windows, but never one 38 s decode."""
    cfg = StreamConfig(vad=False, min_chunk=1.0, max_step=2.0, catch_up_step=4.0, trim_after=6.0, max_buffer=12.0)
    tr = RampTranscriber()
    lengths: list[float] = []
    st = StreamingTranscriber(tr, TranscribeOptions(), cfg)
    st.insert_audio_chunk(ramp(TOTAL))  # everything at once
    assert st.lag_seconds == TOTAL
    u = st.finish(decode=lambda a, o: (lengths.append(a.size / SAMPLE_RATE), tr.transcribe(a, o))[1])
    assert " ".join(w.text.strip() for w in u.committed) == " ".join(WORDS)
    assert st.iterations >= TOTAL / cfg.catch_up_step
    assert max(lengths) <= cfg.max_buffer + cfg.catch_up_step
    assert st.lag_seconds == 0.0


def test_a_queued_window_takes_the_audio_that_arrived_while_it_waited() -> None:
    """decode_latest: the window is taken when the shared worker gets to it, not when it was
    queued behind another session's decode; the commits are the same words as ever."""
    import threading

    from medasr.asr.worker import DecodeWorker

    tr = GatedRamp()
    worker = DecodeWorker(tr, calibrate=False)
    try:
        other = worker.submit(ramp(2.0), TranscribeOptions())  # another session's decode holds the worker
        st = StreamingTranscriber(tr, TranscribeOptions(), StreamConfig(vad=False, min_chunk=1.0, max_step=8.0))
        audio = ramp(6.0)
        st.insert_audio_chunk(audio[: 2 * SAMPLE_RATE])
        got: list = []
        t = threading.Thread(target=lambda: got.append(st.process_iter(late=worker.decode_latest)))
        t.start()
        while worker.queue_depth < 1:
            threading.Event().wait(0.01)
        st.insert_audio_chunk(audio[2 * SAMPLE_RATE:5 * SAMPLE_RATE])  # arrives while the window waits
        tr.gate.set()
        other.result(10)
        t.join(10)
        assert tr.seen[-1] == pytest.approx(5.0, abs=1e-3)  # the window held all 5 s, not the 2 s queued with
        assert got[0].processed_seconds == pytest.approx(5.0, abs=1e-3) and st.lag_seconds == pytest.approx(0.0, abs=1e-3)
        st.insert_audio_chunk(audio[5 * SAMPLE_RATE:])
        none = worker.decode_latest(lambda: None)  # nothing to decode: answered without a decode
        assert none is None
        st.process_iter(late=worker.decode_latest)
        u = st.finish(decode=worker.decode)
        words = [w.text.strip() for w in st.committed]
        assert words == WORDS[: len(words)] and len(words) >= 11 and u.final
    finally:
        worker.close()


def test_a_busy_worker_decodes_greedily_and_a_lone_window_keeps_its_beam() -> None:
    import threading

    from medasr.asr.worker import DecodeWorker

    tr = GatedRamp()
    worker = DecodeWorker(tr, calibrate=False)
    try:
        o = TranscribeOptions(beam_size=5)
        first = worker.submit(ramp(1.0), o)  # taken at once, alone in the queue: beam 5
        while worker.queue_depth:
            threading.Event().wait(0.01)
        waiting = [worker.submit(ramp(1.0), o) for _ in range(3)]  # queued behind it
        tr.gate.set()
        for f in [first, *waiting]:
            f.result(10)
        assert tr.beams == [5, 1, 1, 5]  # the last had nobody behind it
    finally:
        worker.close()
    tr = GatedRamp()
    worker = DecodeWorker(tr, calibrate=False, max_batch=2)  # a GPU worker's batches share it too
    try:
        first = worker.submit(ramp(1.0), o)
        while worker.queue_depth:
            threading.Event().wait(0.01)
        pair = [worker.submit(ramp(1.0), o) for _ in range(2)]  # decoded together, nobody behind them
        tr.gate.set()
        for f in [first, *pair]:
            f.result(10)
        assert tr.beams == [5, 1, 1] and worker.calls == 2
    finally:
        worker.close()


def test_silence_is_not_decoded() -> None:
    st = StreamingTranscriber(RampTranscriber(), TranscribeOptions(), StreamConfig(vad=True))
    st.insert_audio_chunk(np.zeros(SAMPLE_RATE * 5, dtype=np.float32))
    for _ in range(5):
        st.process_iter()
    u = st.finish()
    assert st.iterations == 0 and u.committed == () and st.transcript().segments == ()


# -- protocol frames ----------------------------------------------------------------------
def test_client_config_parses_and_rejects_clearly() -> None:
    c = ClientConfig.parse(json.dumps({"type": "config", "sample_rate": 8000, "encoding": "f32le", "correct": True, "note": True}))
    assert (c.sample_rate, c.encoding, c.correct, c.note) == (8000, "f32le", "lexicon", True)
    # a client that names no correction gets the server's (--correct, default both)
    assert ClientConfig.parse(json.dumps({"type": "config"}), "both").correct == "both"
    assert ClientConfig.parse(json.dumps({"type": "config", "correct": False}), "both").correct == "none"
    cases = {
        "{not json": "bad_json",
        "[1, 2]": "bad_config",
        json.dumps({"encoding": "mp3"}): "bad_encoding",
        json.dumps({"sample_rate": 100}): "bad_config",
        json.dumps({"sample_rate": "16000"}): "bad_config",
        json.dumps({"colour": "blue"}): "bad_config",
        json.dumps({"type": "end"}): "bad_config",
        json.dumps({"correct": "magic"}): "bad_config",
    }
    for text, code in cases.items():
        with pytest.raises(ProtocolError) as e:
            ClientConfig.parse(text)
        assert e.value.code == code, text
        assert e.value.close_code in (1003, 1007)
        assert len(e.value.message) > 10


def test_frame_decoding() -> None:
    c = ClientConfig()
    pcm = (np.array([0, 16384, -16384], dtype="<i2")).tobytes()
    assert np.allclose(c.decode(pcm), [0.0, 0.5, -0.5])
    with pytest.raises(ProtocolError) as e:
        c.decode(pcm + b"\x00")
    assert e.value.code == "odd_bytes" and e.value.close_code == 1007
    f = ClientConfig(encoding="f32le")
    with pytest.raises(ProtocolError) as e:
        f.decode(b"\x00" * 6)
    assert e.value.code == "odd_bytes"
    with pytest.raises(ProtocolError) as e:  # s16 speech sent as f32le reads as huge floats
        f.decode((np.array([20000, -20000, 12345, 30000], dtype="<i2")).tobytes() * 4)
    assert e.value.code == "bad_audio"
    up = ClientConfig(sample_rate=8000).decode(np.zeros(800, dtype="<i2").tobytes())
    assert up.size == 1600  # resampled to 16 kHz
