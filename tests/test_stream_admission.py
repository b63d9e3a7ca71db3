"""Keeping up: admission from the decode worker's measured capacity (1013 before open
sessions degrade), ``lag`` messages, ``/health``; and the Host/Origin guard. A transcriber
whose decodes take a known time stands in for a model on a slower machine (the real model's
cost on this shared machine is too noisy to size a test on); the audio is real speech."""

from __future__ import annotations

import asyncio
import json
import time

import numpy as np
import pytest

pytest.importorskip("fastapi")
websockets = pytest.importorskip("websockets")
httpx = pytest.importorskip("httpx")

from medasr.asr.capacity import Capacity  # noqa: E402
from fakes.asr import FakeTranscriber  # noqa: E402
from medasr.audio import load_audio  # noqa: E402
from medasr.config import Settings  # noqa: E402
from medasr.ui.protocol import ServeLimits  # noqa: E402

CONFIG = json.dumps({"type": "config", "sample_rate": 16000, "encoding": "pcm_s16le"})


class Slow(FakeTranscriber):
    """Each decode takes ``seconds`` of wall time."""

    def __init__(self, seconds: float) -> None:
        super().__init__("the patient takes aspirin every morning")
        self.seconds = seconds

    def transcribe(self, audio, options=None, *, progress=None):  # type: ignore[no-untyped-def]
        time.sleep(self.seconds)
        return super().transcribe(audio, options)


def serve(transcriber, settings: dict | None = None, **limits):
    from medasr.ui.app import create_app
    from medasr.ui.thread_server import run_in_thread

    s = Settings.resolve({"model": "fake", **(settings or {})})
    return run_in_thread(create_app(s, limits=ServeLimits(**limits), transcriber=transcriber, ui=False))


@pytest.fixture(scope="module")
def pcm(aspirin_wav) -> bytes:
    a = load_audio(aspirin_wav)
    return (np.clip(a, -1, 1) * 32767).astype("<i2").tobytes()


def test_capacity_rules() -> None:
    c = Capacity(max_batch=1, headroom=0.8)
    assert c.sessions() == 1 and c.admit(0).ok  # nothing measured: one session
    c.record(1, 0.4)
    assert c.sessions(interval=2.0) == 4  # 4 x 0.4 s fits in 0.8 x 2 s; 5 does not
    assert c.admit(3, interval=2.0).ok and not c.admit(4, interval=2.0).ok
    assert "serves 4 at once" in c.admit(4, interval=2.0).reason
    assert not c.admit(0, worst_lag=5.0, lag_bound=3.0).ok  # open sessions already behind: nobody new
    assert not c.admit(2, cap=2).ok  # the configured cap holds too
    c.record(1, 0.8)  # the machine got busier: the moving average follows
    assert c.sessions(interval=2.0) < 4
    b = Capacity(max_batch=4)
    b.record(1, 0.3)
    b.record(4, 0.6)  # batching measured to pay (a GPU)
    assert b.cost(2) == pytest.approx(0.4)  # between measured sizes: interpolated
    assert b.round_seconds(8) == pytest.approx(1.2) and b.sessions(interval=2.0) == 10


def test_admission_follows_measured_capacity(pcm) -> None:
    srv = serve(Slow(0.35), decode_interval=2.0)  # 0.35 s per decode: 4 sessions fit in 0.8 x 2 s, 5 do not
    try:
        health = httpx.get(srv.url + "/health").json()
        assert health["sessions"]["max"] == 4 and health["sessions"]["configured_max"] is None

        async def scenario():
            held = [await websockets.connect(srv.ws_url + "/v1/stream") for _ in range(5)]
            replies = []
            for ws in held:
                await ws.send(CONFIG)
                replies.append(json.loads(await ws.recv()))
            await held[4].wait_closed()
            for ws in held[:4]:
                await ws.send(pcm[: 32000 * 2])
                await ws.send(json.dumps({"type": "end"}))
            finals = [[json.loads(m) async for m in ws][-1] for ws in held[:4]]
            return replies, held[4].close_code, finals

        replies, refused_code, finals = asyncio.run(scenario())
        assert [r["type"] for r in replies] == ["ready"] * 4 + ["error"]
        assert replies[4]["code"] == "server_busy" and "serves 4 at once" in replies[4]["message"] and refused_code == 1013
        assert all(f["type"] == "final" and "aspirin" in f["text"] for f in finals)  # every admitted session complete
        health = httpx.get(srv.url + "/health").json()
        assert health["sessions"]["refused"] == 1 and health["sessions"]["active"] == 0
    finally:
        srv.stop()


def test_a_session_that_falls_behind_is_told(pcm) -> None:
    srv = serve(Slow(1.5), lag_bound=1.0)  # decodes far slower than the audio arrives
    try:
        async def scenario():
            async with websockets.connect(srv.ws_url + "/v1/stream") as ws:
                await ws.send(CONFIG)
                await ws.recv()
                for i in range(0, len(pcm), 3200):
                    await ws.send(pcm[i:i + 3200])
                    await asyncio.sleep(0.02)  # 5x faster than real time
                health = httpx.get(srv.url + "/health").json()
                await ws.send(json.dumps({"type": "end"}))
                return [json.loads(m) async for m in ws], health

        msgs, health = asyncio.run(scenario())
        lags = [m for m in msgs if m["type"] == "lag"]
        assert lags and lags[0]["behind"] and lags[0]["lag_s"] > 1.0
        assert lags[0]["received_s"] - lags[0]["decoded_s"] == pytest.approx(lags[0]["lag_s"], abs=0.01)
        assert health["sessions"]["active"] == 1 and health["lag_s"]["max"] > 1.0 and "queue_depth" in health
        assert msgs[-1]["type"] == "final" and "aspirin" in msgs[-1]["text"]
    finally:
        srv.stop()


def test_health_reveals_no_paths(tiny_transcriber) -> None:
    from medasr.ui.app import create_app
    from medasr.ui.thread_server import run_in_thread

    srv = run_in_thread(create_app(Settings.resolve({"model": "tiny.en"}), transcriber=tiny_transcriber, ui=False))
    try:
        body = httpx.get(srv.url + "/health").text
        assert str(tiny_transcriber.info.path) not in body and "/" not in json.dumps(json.loads(body)["model"])
        assert "site-packages" not in body and "/root" not in body and "/tmp" not in body
        h = json.loads(body)
        assert h["model"]["name"] == "tiny.en" and {"active", "max", "queue_depth", "lag_s"} <= set(h["sessions"])
    finally:
        srv.stop()


def test_without_a_key_only_allowed_hosts_and_origins(pcm) -> None:
    from medasr.ui.origin import allowed_hosts, hostname

    assert hostname("127.0.0.1:8000") == "127.0.0.1" and hostname("[::1]:80") == "::1" and hostname("http://Evil.example:80") == "evil.example"
    assert allowed_hosts("0.0.0.0", "clinic.local, *") is None and "clinic.local" in allowed_hosts("127.0.0.1", "clinic.local")
    srv = serve(FakeTranscriber())
    port = srv.url.rsplit(":", 1)[1]
    try:
        assert httpx.get(srv.url + "/health").status_code == 200
        r = httpx.get(srv.url + "/health", headers={"Host": f"evil.example:{port}"})  # DNS rebinding
        assert r.status_code == 403 and "not an allowed host" in r.json()["error"]["message"]
        r = httpx.post(srv.url + "/v1/notes", json={"text": "x"}, headers={"Origin": "http://evil.example"})
        assert r.status_code == 403 and "Origin" in r.json()["error"]["message"]

        async def ws_with(origin: str):
            try:
                async with websockets.connect(srv.ws_url + "/v1/stream", origin=origin) as ws:
                    await ws.send(CONFIG)
                    return json.loads(await ws.recv())["type"]
            except websockets.InvalidStatus as e:
                return e.response.status_code

        assert asyncio.run(ws_with("http://evil.example")) == 403  # a web page elsewhere cannot drive the socket
        assert asyncio.run(ws_with(f"http://127.0.0.1:{port}")) == "ready"  # the app's own page can
    finally:
        srv.stop()
    keyed = serve(FakeTranscriber(), {"api_key": "k"})  # with a key, the key is the guard
    try:
        assert httpx.get(keyed.url + "/health", headers={"Host": "clinic.example"}).status_code == 200
    finally:
        keyed.stop()
    opened = serve(FakeTranscriber(), {"allowed_hosts": "clinic.example"})
    try:
        assert httpx.get(opened.url + "/health", headers={"Host": "clinic.example"}).status_code == 200
    finally:
        opened.stop()
