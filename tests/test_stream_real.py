"""Streaming with the real default model (tiny.en-medical, int8 CPU) on real TTS speech:
trailing silence invents nothing, a tenth of a second gives no word, batched windows decode
as single ones do, and the shared worker serves several threads."""

from __future__ import annotations

import threading
from dataclasses import replace

import numpy as np
import pytest

from medasr.asr import guards
from medasr.asr.streaming import StreamingTranscriber
from medasr.audio import SAMPLE_RATE, load_audio
from medasr.config import Settings

pytestmark = pytest.mark.integration
PASSAGES = [
    "Aspirin 81 mg daily. The patient denies chest pain, shortness of breath or palpitations.",
    "Plan: start amoxicillin five hundred milligrams three times a day for seven days and review in one week.",
]


def wer(ref: str, hyp: str) -> float:
    import jiwer
    from whisper_normalizer.english import EnglishTextNormalizer

    n = EnglishTextNormalizer()
    return jiwer.wer(n(ref), n(hyp))


@pytest.fixture(scope="module")
def medical():
    from medasr.asr.loader import load_transcriber, options_from_settings

    settings = Settings.resolve({"model": "tiny.en-medical", "device": "cpu", "compute_type": "int8"})
    return load_transcriber(settings), options_from_settings(settings)


@pytest.fixture(scope="module")
def worker(medical):
    from medasr.asr.worker import shared_worker

    return shared_worker(medical[0])


def stream(st: StreamingTranscriber, audio: np.ndarray, decode, step: float = 0.1, every: float = 1.0) -> None:
    n, k = int(step * SAMPLE_RATE), int(every / step)
    for i, j in enumerate(range(0, audio.size, n)):
        st.insert_audio_chunk(audio[j:j + n])
        if i % k == k - 1:
            st.process_iter(decode=decode)
    st.finish(decode=decode)


@pytest.mark.parametrize("engine", ["espeak-ng", "flite"])
@pytest.mark.parametrize("passage", PASSAGES, ids=["aspirin", "amoxicillin"])
def test_trailing_silence_invents_nothing(medical, worker, tts_wav, tmp_path, engine: str, passage: str) -> None:
    import shutil
    import subprocess

    tr, opts = medical
    if engine == "flite":
        if shutil.which("flite") is None:
            pytest.skip("flite is not installed")
        wav = tmp_path / "flite.wav"
        subprocess.run(["flite", "-voice", "rms", "-t", passage, "-o", str(wav)], check=True)
    else:
        wav = tts_wav(passage, rate=150)
    speech = load_audio(wav)
    audio = np.concatenate([speech, np.zeros(6 * SAMPLE_RATE, dtype=np.float32)])  # 6 s of silence after
    offline = tr.transcribe(speech, opts).text
    st = StreamingTranscriber(tr, opts)
    stream(st, audio, worker.decode)
    text = st.transcript().text
    n_ref, n_out = len(passage.split()), len(text.split())
    assert n_out <= 1.15 * n_ref, (passage, text)
    assert guards.find_loop(text.split()) is None, text
    assert wer(offline, text) <= 0.2, (offline, text)
    assert st.lag_seconds == 0.0


def test_a_tenth_of_a_second_gives_no_word(medical, worker, aspirin_wav) -> None:
    tr, opts = medical
    speech = load_audio(aspirin_wav)
    loud = int(np.argmax(np.abs(speech) > 0.05))
    for start in (loud, loud + SAMPLE_RATE // 2):
        clip = speech[start:start + SAMPLE_RATE // 10]
        assert tr.transcribe(clip, opts).text == ""  # the upload path
        assert tr.transcribe(clip, replace(opts, vad=False)).text == ""
        st = StreamingTranscriber(tr, opts)
        st.insert_audio_chunk(clip)
        st.finish(decode=worker.decode)
        assert st.transcript().text == ""  # the streaming path


def test_a_quarter_second_word_is_heard_offline(medical, tts_wav) -> None:
    """A spoken digit can be 0.2-0.3 s long: a whole clip that short is still a word (the floor
    under which an upload gives nothing is ``MIN_CLIP_SPEECH_SECONDS``, 0.2 s)."""
    tr, opts = medical
    word = load_audio(tts_wav("two", rate=175))
    loud = np.flatnonzero(np.abs(word) > 0.01)
    clip = word[loud[0]:loud[-1] + 1]
    assert guards.MIN_CLIP_SPEECH_SECONDS <= len(clip) / SAMPLE_RATE < guards.MIN_SPEECH_SECONDS, len(clip) / SAMPLE_RATE
    assert tr.transcribe(clip, opts).text.strip()  # with a 0.3 s floor: nothing


def test_batched_windows_decode_as_single_ones(medical, aspirin_wav) -> None:
    tr, opts = medical
    speech = load_audio(aspirin_wav)
    o = replace(opts, vad=False, condition_on_previous_text=False)
    wins = [speech[: int(s * SAMPLE_RATE)] for s in (1.5, 2.5, 3.5)]
    prompts = [None, "The patient", None]
    os_ = [replace(o, initial_prompt=p, max_new_tokens=guards.token_budget(w.size / SAMPLE_RATE)) for p, w in zip(prompts, wins)]
    together = tr.transcribe_batch(wins, os_)
    alone = [tr.transcribe_batch([w], [x])[0] for w, x in zip(wins, os_)]
    assert [t.text for t in together] == [t.text for t in alone]
    for t, w in zip(together, wins):
        assert t.options["decode"]["batch"] == 3 and not t.options["decode"]["token_budget_hit"]
        assert all(0 <= x.start <= x.end <= w.size / SAMPLE_RATE + 0.05 for x in t.words)
        assert t.text == "".join(x.text for x in t.words).strip()
    assert "aspirin" in together[-1].text.lower() or "patient" in together[-1].text.lower()


def test_the_shared_worker_serves_many_threads(medical, worker, aspirin_wav) -> None:
    tr, opts = medical
    speech = load_audio(aspirin_wav)
    o = replace(opts, vad=False, beam_size=1)  # windows that wait behind others decode greedily anyway
    wins = [speech[: int(s * SAMPLE_RATE)] for s in (1.0, 2.0, 3.0, 4.0)]
    expect = [tr.transcribe_batch([w], [o])[0].text for w in wins]
    got: dict[int, str] = {}
    threads = [threading.Thread(target=lambda i=i: got.__setitem__(i, worker.decode(wins[i], o).text)) for i in range(4)]
    before = worker.windows
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [got[i] for i in range(4)] == expect
    assert worker.windows - before == 4 and worker.queue_depth == 0
    assert worker.capacity.cost(1) is not None and worker.capacity.sessions() >= 1
