"""The checks a streaming hypothesis must pass (``medasr.asr.guards``) and what the
StreamingTranscriber does with one that fails: scripted transcribers that loop, run away
or fill silence, so each rule is shown to hold whatever the model does."""

from __future__ import annotations

import numpy as np
import pytest

from medasr.asr import guards
from medasr.asr.base import TranscribeOptions
from medasr.audio import SAMPLE_RATE
from medasr.asr.streaming import StreamConfig, StreamingTranscriber
from medasr.schema import ModelInfo, Segment, Transcript, Word
from test_stream_unit import WORDS, TOTAL, RampTranscriber, ramp


def words(text: str, start: float = 0.0, step: float = 0.3) -> list[Word]:
    return [Word(start=round(start + i * step, 3), end=round(start + i * step + 0.25, 3), text=" " + w, probability=0.9)
            for i, w in enumerate(text.split())]


def decoded(ws: list[Word], **decode) -> Transcript:
    seg = Segment(id=0, start=0.0, end=ws[-1].end if ws else 0.0, text="".join(w.text for w in ws), words=tuple(ws))
    return Transcript(segments=(seg,) if ws else (), options={"decode": decode} if decode else {})


@pytest.mark.parametrize("text, cut", [
    ("aspirin 81 mg daily okay so go ahead and go ahead and go ahead and", 9),  # 3-gram x3: keep the first
    ("a bit of a bit of a bit of", 3),
    ("no no no no", 1),
    ("she has pain in the left arm and she has pain in the left arm today", 8),  # a 6-gram recurs
    ("the patient takes metformin twice daily and lisinopril once daily", None),
    ("no no", None),  # said twice is speech, not a loop
    ("very very good", None),
])
def test_find_loop(text: str, cut: int | None) -> None:
    assert guards.find_loop(text.split()) == cut


def test_token_budget_grows_with_the_audio() -> None:
    assert guards.token_budget(0.0) == guards.TOKEN_SLACK
    assert guards.token_budget(10.0) == 70 + guards.TOKEN_SLACK
    assert guards.token_budget(5.0) < guards.token_budget(10.0) < 224  # always under Whisper's own cap for a 30 s window... for 10 s


def test_gate_silence_drops_words_in_silence() -> None:
    ws = words("the patient is well thank you", start=0.0, step=0.5)  # "thank you" at 2.0-2.75 s
    kept = guards.gate_silence(ws, [(0.0, 1.8)])
    assert [w.text.strip() for w in kept] == ["the", "patient", "is", "well"]
    assert guards.gate_silence(ws, []) == []


def test_check_verdicts() -> None:
    good = words("the patient takes aspirin daily")
    assert guards.check(decoded(good), good, 2.0).ok
    loop = words("aspirin daily go ahead and go ahead and go ahead and")
    v = guards.check(decoded(loop), loop, 4.0)
    assert not v.ok and [w.text.strip() for w in v.words] == ["aspirin", "daily", "go", "ahead", "and"]
    runaway = words(" ".join(["aspirin daily"] + ["okay so i am going to see what happens"] * 20))
    v = guards.check(decoded(runaway, token_budget_hit=True), runaway, 5.0)
    assert not v.ok and len(v.words) == 2 + 9 and "budget" in v.reason  # cut where it starts to repeat
    many = words(" ".join(f"w{i}" for i in range(60)), step=0.05)  # 60 distinct words in 3 s of speech
    v = guards.check(decoded(many), many, 3.0)
    assert not v.ok and v.words == () and "words in" in v.reason


class Inventor(RampTranscriber):
    """The ramp's true words, then a runaway continuation that hits the token budget, like
    tiny.en on a 5 s buffer: "... Okay, so I'm going to go ahead and see what happens ..."."""

    def transcribe(self, audio, options=None, *, progress=None):  # type: ignore[no-untyped-def]
        t = super().transcribe(audio, options)
        true = list(t.segments[0].words) if t.segments else []
        dur = len(audio) / SAMPLE_RATE
        filler = "okay so i'm going to go ahead and see what happens when i'm going to go ahead".split() * 8
        step = 0.4 / len(filler)
        inv = [Word(start=round(dur - 0.4 + i * step, 3), end=round(dur - 0.4 + (i + 1) * step, 3), text=" " + w, probability=0.5)
               for i, w in enumerate(filler)]
        ws = tuple(true + inv)
        seg = Segment(id=0, start=0.0, end=dur, text="".join(w.text for w in ws), words=ws, compression_ratio=3.1)
        return Transcript(segments=(seg,), language="en", duration=dur, model=self.info, options={"decode": {"token_budget_hit": True}})


def test_a_runaway_model_commits_nothing_it_invented() -> None:
    cfg = StreamConfig(vad=False, min_chunk=1.0, trim_after=6.0, max_buffer=12.0)
    st = StreamingTranscriber(Inventor(), TranscribeOptions(), cfg)
    audio = ramp(TOTAL)
    for i in range(0, audio.size, SAMPLE_RATE // 2):
        st.insert_audio_chunk(audio[i:i + SAMPLE_RATE // 2])
        st.process_iter()
    st.finish()
    text = st.transcript().text.split()
    assert "ahead" not in text and "okay" not in text
    assert len(text) <= len(WORDS)  # never more words than were spoken
    assert text == WORDS[:len(text)]  # and those it kept are the spoken ones, in order
    assert len(text) >= 0.8 * len(WORDS)
    assert st.rejected > 0


class Hallucinator:
    """Real speech in, scripted words out: the sentence's words spread over the audio up to
    its last sound, and, when the window ends in a second of silence, an invented
    "Thank you." in it (as Whisper does)."""

    def __init__(self, text: str) -> None:
        self.text = text.split()

    @property
    def info(self) -> ModelInfo:
        return ModelInfo(name="hallucinator", source="fake")

    def transcribe(self, audio, options=None, *, progress=None):  # type: ignore[no-untyped-def]
        dur = len(audio) / SAMPLE_RATE
        loud = np.nonzero(np.abs(audio) > 1e-3)[0]
        last = (loud[-1] / SAMPLE_RATE) if loud.size else 0.0
        ws = words(" ".join(self.text), start=0.05, step=max(0.01, last - 0.05) / len(self.text)) if last > 0.3 else []
        if dur - last >= 0.8:
            ws += [Word(start=round(last + 0.3, 3), end=round(last + 0.5, 3), text=" Thank", probability=0.6),
                   Word(start=round(last + 0.5, 3), end=round(last + 0.7, 3), text=" you.", probability=0.6)]
        seg = Segment(id=0, start=0.0, end=dur, text="".join(w.text for w in ws), words=tuple(ws))
        return Transcript(segments=(seg,) if ws else (), language="en", duration=dur, model=self.info)


def test_words_in_a_silent_tail_are_not_committed(tts_wav) -> None:
    from medasr.audio import load_audio

    speech = load_audio(tts_wav("The patient is stable.", rate=150))
    audio = np.concatenate([speech, np.zeros(3 * SAMPLE_RATE, dtype=np.float32)])
    st = StreamingTranscriber(Hallucinator("The patient is stable."), TranscribeOptions(), StreamConfig(min_chunk=0.5))
    for i in range(0, audio.size, SAMPLE_RATE // 4):
        st.insert_audio_chunk(audio[i:i + SAMPLE_RATE // 4])
        st.process_iter()
    st.finish()
    text = st.transcript().text
    assert "patient" in text
    assert "Thank" not in text, text


def test_a_tenth_of_a_second_is_not_decoded(tts_wav) -> None:
    from medasr.audio import load_audio

    clip = load_audio(tts_wav("okay", rate=150))
    loud = int(np.argmax(np.abs(clip) > 0.05))
    tr = RampTranscriber()
    st = StreamingTranscriber(tr, TranscribeOptions())
    st.insert_audio_chunk(clip[loud:loud + SAMPLE_RATE // 10])
    u = st.finish()
    assert u.committed == () and tr.calls == 0 and st.transcript().text == ""
