"""Nothing received is lost: disconnect (the server's record, resume), session limit and
server shutdown each end with a transcript of everything received. Real uvicorn, a real
``websockets`` client, real espeak-ng speech, the real bundled tiny.en."""

from __future__ import annotations

import asyncio
import json
import time

import numpy as np
import pytest

pytest.importorskip("fastapi")
websockets = pytest.importorskip("websockets")
httpx = pytest.importorskip("httpx")

from medasr.audio import load_audio  # noqa: E402
from medasr.config import Settings  # noqa: E402
from medasr.ui.protocol import ServeLimits  # noqa: E402
from test_stream_ws import CONFIG, read_all  # noqa: E402

pytestmark = pytest.mark.integration
SENTENCES = ("The patient has chest pain and shortness of breath since yesterday morning.",
             "She takes aspirin every day and her blood pressure is normal.")


def start(tiny_transcriber, **limits):
    from medasr.ui.app import create_app
    from medasr.ui.thread_server import run_in_thread

    settings = Settings.resolve({"model": "tiny.en", "device": "cpu"})
    lim = ServeLimits(max_frame_bytes=64 * 1024, idle_timeout=20.0, decode_interval=6.0, **limits)
    return run_in_thread(create_app(settings, limits=lim, transcriber=tiny_transcriber, ui=False))


@pytest.fixture(scope="module")
def halves(tts_wav):
    """Two sentences as pcm_s16le, one per half."""
    out = []
    for text in SENTENCES:
        a = load_audio(tts_wav(text, rate=160))
        out.append((np.clip(a, -1, 1) * 32767).astype("<i2").tobytes())
    return out


def words(text: str) -> set[str]:
    return {w.strip(".,!?").lower() for w in text.split()}


async def send_pcm(ws, pcm: bytes, pace: float = 0.0) -> None:
    for i in range(0, len(pcm), 3200):
        await ws.send(pcm[i:i + 3200])
        if pace:
            await asyncio.sleep(pace)


def wait_for_record(url: str, sid: str, timeout: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = httpx.get(f"{url}/v1/sessions/{sid}")
        if r.status_code == 200 and r.json().get("final"):
            return r.json()
        time.sleep(0.2)
    raise AssertionError(f"no final for {sid} within {timeout} s: {r.json()}")


def test_disconnect_keeps_the_tail_in_the_record(tiny_transcriber, halves) -> None:
    srv = start(tiny_transcriber, resume_grace=1.0)
    try:
        async def scenario() -> str:
            ws = await websockets.connect(srv.ws_url + "/v1/stream")
            await ws.send(CONFIG)
            sid = json.loads(await ws.recv())["session_id"]
            await send_pcm(ws, halves[0])
            ws.transport.abort()  # the client vanishes: no end frame, no close handshake
            return sid

        sid = asyncio.run(scenario())
        rec = wait_for_record(srv.url, sid)
        assert rec["state"] == "done" and rec["reason"] == "disconnected"
        assert {"patient", "pain", "breath"} <= words(rec["final"]["text"]), rec
        assert rec["final"]["text"] == rec["committed_text"]
        assert httpx.get(srv.url + "/v1/sessions/nope").status_code == 404
    finally:
        srv.stop()


def test_a_client_that_reconnects_resumes_its_session(tiny_transcriber, halves) -> None:
    srv = start(tiny_transcriber, resume_grace=60.0)
    try:
        async def scenario():
            ws = await websockets.connect(srv.ws_url + "/v1/stream")
            await ws.send(CONFIG)
            sid = json.loads(await ws.recv())["session_id"]
            await send_pcm(ws, halves[0])
            ws.transport.abort()
            await asyncio.sleep(0.5)
            async with websockets.connect(srv.ws_url + "/v1/stream") as ws2:
                await ws2.send(json.dumps({"type": "config", "resume": sid}))
                ready = json.loads(await ws2.recv())
                await send_pcm(ws2, halves[1])
                await ws2.send(json.dumps({"type": "end"}))
                msgs, code = await read_all(ws2)
            async with websockets.connect(srv.ws_url + "/v1/stream") as ws3:  # too late: the final, again
                await ws3.send(json.dumps({"type": "config", "resume": sid}))
                late, late_code = await read_all(ws3)
            async with websockets.connect(srv.ws_url + "/v1/stream") as ws4:
                await ws4.send(json.dumps({"type": "config", "resume": "s0-unknown"}))
                unknown, unknown_code = await read_all(ws4)
            return sid, ready, msgs, code, late, late_code, unknown, unknown_code

        sid, ready, msgs, code, late, late_code, unknown, unknown_code = asyncio.run(scenario())
        assert ready["type"] == "ready" and ready["resumed"] and ready["session_id"] == sid
        assert ready["received_s"] == pytest.approx(len(halves[0]) / 32000, abs=0.01)
        final = msgs[-1]
        assert final["type"] == "final" and code == 1000
        assert {"patient", "breath", "aspirin", "pressure"} <= words(final["text"]), final["text"]
        assert late[-1]["type"] == "final" and late[-1]["text"] == final["text"] and late_code == 1000
        assert unknown[-1]["code"] == "unknown_session" and unknown_code == 1008
    finally:
        srv.stop()


def test_the_session_limit_keeps_the_tail(tiny_transcriber, halves) -> None:
    srv = start(tiny_transcriber, max_session_seconds=3.0)
    try:
        async def scenario():
            async with websockets.connect(srv.ws_url + "/v1/stream") as ws:
                await ws.send(CONFIG)
                await ws.recv()
                try:
                    await send_pcm(ws, halves[0] + halves[1])
                except websockets.ConnectionClosed:
                    pass
                return await read_all(ws)

        msgs, code = asyncio.run(scenario())
        kinds = [m["type"] for m in msgs]
        assert msgs[kinds.index("error")]["code"] == "session_too_long" and kinds[-1] == "final" and code == 1008
        assert msgs[-1]["reason"] == "session_too_long"
        assert {"patient", "has"} <= words(msgs[-1]["text"]), msgs[-1]["text"]  # the first 3 s, all of them
    finally:
        srv.stop()


def test_server_shutdown_sends_every_session_its_final(tiny_transcriber, halves) -> None:
    srv = start(tiny_transcriber)

    async def scenario():
        async with websockets.connect(srv.ws_url + "/v1/stream") as ws:
            await ws.send(CONFIG)
            await ws.recv()
            await send_pcm(ws, halves[0])
            await asyncio.sleep(0.3)
            stopping = asyncio.get_running_loop().run_in_executor(None, srv.stop)
            msgs, code = await read_all(ws)
            await stopping
            return msgs, code

    msgs, code = asyncio.run(scenario())
    kinds = [m["type"] for m in msgs]
    assert msgs[kinds.index("error")]["code"] == "shutdown", msgs
    assert kinds[-1] == "final" and msgs[-1]["reason"] == "shutdown" and code == 1001
    assert {"patient", "pain", "breath"} <= words(msgs[-1]["text"]), msgs[-1]["text"]
