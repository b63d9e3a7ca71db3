"""WS /v1/stream against a real uvicorn server on 127.0.0.1, with a real ``websockets``
client, real espeak-ng speech and the real bundled tiny.en."""

from __future__ import annotations

import asyncio
import json
import time

import numpy as np
import pytest

pytest.importorskip("fastapi")
websockets = pytest.importorskip("websockets")

from medasr.audio import load_audio  # noqa: E402
from medasr.config import Settings  # noqa: E402
from medasr.ui.protocol import ServeLimits  # noqa: E402

pytestmark = pytest.mark.integration
SENTENCE = "The patient has chest pain and shortness of breath since yesterday morning."
SENTENCE2 = "She takes aspirin every day and her blood pressure is normal."
FRAME_S = 0.1


def wer(ref: str, hyp: str) -> float:
    import jiwer
    from whisper_normalizer.english import EnglishTextNormalizer

    n = EnglishTextNormalizer()
    return jiwer.wer(n(ref), n(hyp))


@pytest.fixture(scope="module")
def spy(tiny_transcriber):
    """The server's one pipeline, recording what ran (the real tiny.en; a small fake vocabulary for notes)."""
    from fakes.note_vocab import FakeVocabulary
    from fakes.pipeline import SpyPipeline
    from medasr.note.linking import Linker
    from medasr.note.rules import RulesBackend

    settings = Settings.resolve({"model": "tiny.en", "device": "cpu", "correct": "none"})  # plumbing: what the model heard
    return SpyPipeline(settings, transcriber=tiny_transcriber, note_backend=RulesBackend(Linker(FakeVocabulary())))


@pytest.fixture(scope="module")
def server(spy):
    from medasr.ui.app import create_app
    from medasr.ui.thread_server import run_in_thread

    # decode_interval 6 s: admit up to the cap of 3 on a busy shared machine too (admission from
    # measured capacity has its own tests)
    limits = ServeLimits(max_frame_bytes=64 * 1024, max_session_seconds=60, idle_timeout=3.0, max_sessions=3, decode_interval=6.0)
    srv = run_in_thread(create_app(spy.settings, limits=limits, pipeline=spy, ui=False))
    yield srv
    srv.stop()


def _clip(tts_wav, tiny_transcriber, text: str):
    from medasr.asr.loader import options_from_settings

    audio = load_audio(tts_wav(text, rate=160))
    offline = tiny_transcriber.transcribe(audio, options_from_settings(Settings.resolve({"model": "tiny.en"})))
    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes()
    return pcm, offline.text, audio.size / 16000


@pytest.fixture(scope="module")
def clip(tts_wav, tiny_transcriber):
    """A ~5 s espeak-ng clip as pcm_s16le bytes, its offline transcript, its length."""
    return _clip(tts_wav, tiny_transcriber, SENTENCE)


@pytest.fixture(scope="module")
def clip8(tts_wav, tiny_transcriber):
    """~8 s, two sentences: room for several decodes while it plays, even on a busy machine."""
    return _clip(tts_wav, tiny_transcriber, SENTENCE + " " + SENTENCE2)


async def read_all(ws) -> tuple[list[dict], int | None]:
    """Every message until the server closes; and the close code."""
    msgs = []
    try:
        async for m in ws:
            msgs.append(json.loads(m))
    except websockets.ConnectionClosed:
        pass
    return msgs, ws.close_code


async def stream_clip(url: str, pcm: bytes, *, realtime: bool, config: dict | None = None) -> tuple[list[dict], list[float], int | None]:
    """Send the config, the audio in 0.1 s frames (paced or not), then end. Returns the
    messages, the wall times they arrived (from the first frame), and the close code."""
    n = int(16000 * FRAME_S) * 2
    async with websockets.connect(url + "/v1/stream") as ws:
        await ws.send(json.dumps({"type": "config", "sample_rate": 16000, "encoding": "pcm_s16le", **(config or {})}))
        ready = json.loads(await ws.recv())
        assert ready["type"] == "ready" and ready["model"] == "tiny.en"
        msgs: list[dict] = []
        times: list[float] = []
        t0 = time.perf_counter()

        async def reader() -> None:
            try:
                async for m in ws:
                    msgs.append(json.loads(m))
                    times.append(time.perf_counter() - t0)
            except websockets.ConnectionClosed:
                pass

        task = asyncio.create_task(reader())
        for i in range(0, len(pcm), n):
            await ws.send(pcm[i:i + n])
            if realtime:
                await asyncio.sleep(max(0.0, (i + n) / 32000 - (time.perf_counter() - t0)))
        sent_all = time.perf_counter() - t0
        await ws.send(json.dumps({"type": "end"}))
        await asyncio.wait_for(task, timeout=120)
        times.append(sent_all)
        return msgs, times, ws.close_code


def check_stream(msgs: list[dict], offline_text: str) -> str:
    kinds = [m["type"] for m in msgs]
    assert "error" not in kinds, msgs
    assert kinds[-1] == "final" and kinds.count("final") == 1
    final = msgs[-1]
    committed = "".join(m["text"] for m in msgs if m["type"] == "committed").strip()
    assert committed == final["text"] == final["transcript"]["text"]  # final is exactly what was committed
    for m in msgs:
        if m["type"] == "committed":
            assert m["text"] == "".join(w["text"] for w in m["words"])
            assert all(w["start"] <= w["end"] for w in m["words"])
    starts = [w["start"] for m in msgs if m["type"] == "committed" for w in m["words"]]
    assert starts == sorted(starts)  # committed words arrive in time order
    assert wer(offline_text, committed) <= 0.25, (offline_text, committed)
    return committed


def test_stream_as_fast_as_possible_matches_offline(server, clip) -> None:
    pcm, offline_text, _ = clip
    msgs, _, code = asyncio.run(stream_clip(server.ws_url, pcm, realtime=False))
    check_stream(msgs, offline_text)
    assert code == 1000


def test_final_message_comes_from_the_one_pipeline(server, spy, clip) -> None:
    """The session streams on the pipeline's transcriber; its final transcript is corrected and
    structured by the same Pipeline object (``correct`` and ``note`` of the config frame)."""
    pcm, offline_text, _ = clip
    spy.calls.clear()
    msgs, _, code = asyncio.run(stream_clip(server.ws_url, pcm, realtime=False, config={"correct": "none", "note": True}))
    check_stream(msgs, offline_text)
    final = msgs[-1]
    assert code == 1000 and final["transcript"]["options"]["pipeline"] == "asr" and final["transcript"]["options"]["streaming"]
    assert final["note"]["markdown"].startswith("# Clinical note") and "note_error" not in final
    assert spy.calls == [("stream", None), ("correct", "none"), ("note", "auto")]


def test_stream_at_realtime_pace_commits_while_speaking(server, clip8) -> None:
    pcm, offline_text, seconds = clip8
    msgs, times, code = asyncio.run(stream_clip(server.ws_url, pcm, realtime=True))
    check_stream(msgs, offline_text)
    sent_all = times[-1]
    assert sent_all >= seconds * 0.95  # it really was paced
    before_end = [m for m, t in zip(msgs, times) if t < sent_all]
    assert any(m["type"] == "partial" and m["text"].strip() for m in before_end)  # live text while speaking
    assert any(m["type"] == "committed" for m in before_end)  # words committed before the audio ended
    assert code == 1000


def test_f32le_at_8khz(server, clip) -> None:
    pcm, offline_text, _ = clip
    audio16 = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768
    audio8 = audio16[::2].astype("<f4").tobytes()  # crude 8 kHz: speech stays intelligible
    msgs, _, code = asyncio.run(stream_clip(server.ws_url, audio8, realtime=False, config={"encoding": "f32le", "sample_rate": 8000}))
    assert msgs[-1]["type"] == "final" and code == 1000
    assert wer(offline_text, msgs[-1]["text"]) <= 0.5


async def _bad(url: str, first: bytes | str, then: list[bytes | str] = ()) -> tuple[list[dict], int | None]:
    async with websockets.connect(url + "/v1/stream", max_size=None) as ws:
        for frame in [first, *then]:
            try:
                await ws.send(frame)
            except websockets.ConnectionClosed:  # the server may refuse before we finish sending
                break
        return await read_all(ws)


CONFIG = json.dumps({"type": "config", "sample_rate": 16000, "encoding": "pcm_s16le"})
MALFORMED = {
    "wrong encoding": (json.dumps({"type": "config", "encoding": "opus"}), [], "bad_encoding", 1003),
    "json garbage": ("{type: config,,", [], "bad_json", 1007),
    "audio before config": (b"\x00\x01" * 800, [], "audio_before_config", 1003),
    "odd number of bytes": (CONFIG, [b"\x00" * 3201], "odd_bytes", 1007),
    "oversized frame": (CONFIG, [b"\x00" * (64 * 1024 + 2)], "frame_too_large", 1009),
    "garbage text frame": (CONFIG, [b"\x00" * 3200, "}{"], "bad_json", 1007),
    "unknown message": (CONFIG, [json.dumps({"type": "pause"})], "bad_message", 1003),
    "unknown config key": (json.dumps({"type": "config", "samplerate": 16000}), [], "bad_config", 1007),
}


def test_malformed_input_is_refused_and_others_keep_streaming(server, clip) -> None:
    pcm, offline_text, _ = clip

    async def scenario():
        healthy = asyncio.create_task(stream_clip(server.ws_url, pcm, realtime=True))
        await asyncio.sleep(0.5)  # the healthy session is mid-stream while the bad ones arrive
        results = {}
        for name, (first, then, _, _) in MALFORMED.items():
            results[name] = await _bad(server.ws_url, first, then)
        return results, await healthy

    results, (msgs, _, code) = asyncio.run(scenario())
    for name, (_, _, err, close) in MALFORMED.items():
        got, got_close = results[name]
        errors = [m for m in got if m["type"] == "error"]
        assert errors and errors[-1]["code"] == err, (name, got)
        assert len(errors[-1]["message"]) > 15, name  # says what went wrong in words
        assert got_close == close, (name, got_close)
    check_stream(msgs, offline_text)  # the healthy session was not disturbed
    assert code == 1000
    import httpx

    assert httpx.get(server.url + "/health").json()["sessions"]["active"] == 0  # every slot was given back


def _wait_idle(server, timeout: float = 15.0) -> None:
    """Sessions of earlier tests give their slot back when their handler ends; wait for it."""
    import httpx

    deadline = time.monotonic() + timeout
    while httpx.get(server.url + "/health").json()["sessions"]["active"] and time.monotonic() < deadline:
        time.sleep(0.1)


def test_full_server_refuses_politely_then_recovers(server) -> None:
    """Full means the configured cap (3 here) or, below it, what the worker measured it can
    serve on this machine: /health says which number holds now."""
    import httpx

    _wait_idle(server)
    health = httpx.get(server.url + "/health").json()
    full = health["sessions"]["max"]
    assert 1 <= full <= 3 and health["sessions"]["configured_max"] == 3

    async def scenario():
        held = [await websockets.connect(server.ws_url + "/v1/stream") for _ in range(full)]
        for ws in held:
            await ws.send(CONFIG)
            assert json.loads(await ws.recv())["type"] == "ready"
        refused = await _bad(server.ws_url, CONFIG)
        for ws in held:
            await ws.send(json.dumps({"type": "end"}))
            await read_all(ws)
        again = await _bad(server.ws_url, CONFIG, [json.dumps({"type": "end"})])
        return refused, again

    (msgs, code), (msgs2, code2) = asyncio.run(scenario())
    assert msgs[-1]["type"] == "error" and msgs[-1]["code"] == "server_busy" and "try again" in msgs[-1]["message"]
    assert code == 1013
    assert [m["type"] for m in msgs2] == ["ready", "final"] and code2 == 1000


def test_idle_session_times_out_and_keeps_the_tail(server, clip) -> None:
    """Audio, then nothing: after the idle timeout the session says why and sends the final
    of everything received (the words not yet committed included)."""
    pcm, offline_text, _ = clip
    _wait_idle(server)

    async def scenario():
        async with websockets.connect(server.ws_url + "/v1/stream") as ws:
            await ws.send(CONFIG)
            assert json.loads(await ws.recv())["type"] == "ready"
            for i in range(0, len(pcm), 3200):
                await ws.send(pcm[i:i + 3200])
            t0 = time.perf_counter()
            msgs, code = await read_all(ws)
            return msgs, code, time.perf_counter() - t0

    msgs, code, waited = asyncio.run(scenario())
    kinds = [m["type"] for m in msgs]
    assert "error" in kinds and msgs[kinds.index("error")]["code"] == "idle_timeout", msgs
    assert kinds[-1] == "final" and msgs[-1]["reason"] == "idle_timeout" and code == 1008
    assert wer(offline_text, msgs[-1]["text"]) <= 0.25, (offline_text, msgs[-1]["text"])
    assert 2.5 <= waited <= 60


def test_a_failing_model_gets_an_internal_error_not_a_hang(clip) -> None:
    from fakes.asr import FakeTranscriber
    from medasr.ui.app import create_app
    from medasr.ui.thread_server import run_in_thread

    class Broken(FakeTranscriber):
        def transcribe(self, audio, options=None, *, progress=None):  # type: ignore[no-untyped-def]
            raise RuntimeError("CUDA out of memory (simulated)")

    srv = run_in_thread(create_app(Settings.resolve({"model": "tiny.en"}), transcriber=Broken(), ui=False))
    try:
        speechy = clip[0][: 16000 * 2 * 3]  # 3 s of real speech, so VAD lets it through
        frames = [speechy[i:i + 3200] for i in range(0, len(speechy), 3200)] + [json.dumps({"type": "end"})]
        msgs, code = asyncio.run(_bad(srv.ws_url, CONFIG, frames))
    finally:
        srv.stop()
    assert msgs[-1]["type"] == "error" and msgs[-1]["code"] == "internal_error", msgs
    assert code == 1011
