"""The REST API against a real uvicorn server on 127.0.0.1, driven by the ``openai`` package
(and httpx for what OpenAI's client cannot send): real espeak-ng speech, real tiny.en."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("fastapi")
openai = pytest.importorskip("openai")
httpx = pytest.importorskip("httpx")

from medasr.config import Settings  # noqa: E402
from medasr.ui.protocol import ServeLimits  # noqa: E402

pytestmark = pytest.mark.integration
KEY = "test-key-123"


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

    srv = run_in_thread(create_app(spy.settings, limits=ServeLimits(max_request_bytes=2 << 20), pipeline=spy, ui=False))
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def client(server):
    return openai.OpenAI(base_url=server.url + "/v1", api_key="unused", max_retries=0, timeout=120)


@pytest.fixture(scope="module")
def wav(aspirin_wav):
    return aspirin_wav


def _words(text: str) -> set[str]:
    return {w.strip(".,!?").lower() for w in text.split()}


def test_openai_client_transcribes_a_file(client, wav, tiny_transcriber, spy) -> None:
    from medasr.audio import load_audio

    spy.calls.clear()
    with open(wav, "rb") as f:
        r = client.audio.transcriptions.create(model="whisper-1", file=f)
    assert {"patient", "aspirin", "morning", "heart"} <= _words(r.text), r.text
    assert r.text == tiny_transcriber.transcribe(load_audio(wav)).text  # what the library itself hears, unchanged
    assert spy.calls[:3] == [("run", "none"), ("recognize", None), ("correct", "none")]  # through the server's one pipeline


def test_rest_routes_run_the_one_pipeline(server, spy, wav) -> None:
    """``correct=`` and ``note=`` of a request, and ``/v1/notes``, are served by the same Pipeline object."""
    spy.calls.clear()
    with open(wav, "rb") as f:
        r = httpx.post(server.url + "/v1/audio/transcriptions", files={"file": ("visit.wav", f, "audio/wav")},
                       data={"correct": "true", "note": "true", "response_format": "verbose_json"}, timeout=120).json()
    transcript = r["medasr"]["transcript"]
    assert transcript["options"]["pipeline"] == "asr+lexicon" and transcript["audio"] == "visit.wav"
    assert r["medasr"]["note"]["markdown"].startswith("# Clinical note")
    assert spy.names() == ["run", "recognize", "correct", "note"] and spy.calls[0] == ("run", "lexicon")
    spy.calls.clear()
    n = httpx.post(server.url + "/v1/notes", json={"text": "Assessment: asthma. Plan: salbutamol 100 micrograms as needed."}, timeout=60).json()
    assert any(p["icd10"].startswith("J45") for p in n["note"]["problems"]) and spy.names() == ["note"]
    bad = httpx.post(server.url + "/v1/audio/transcriptions", files={"file": ("visit.wav", open(wav, "rb"), "audio/wav")},
                     data={"correct": "sometimes"}, timeout=60)
    assert bad.status_code == 400 and "correct must be true, false or one of none, lexicon, bart, both" in bad.json()["error"]["message"]


def test_openai_formats(client, wav, tiny_transcriber) -> None:
    with open(wav, "rb") as f:
        v = client.audio.transcriptions.create(model="tiny.en", file=f, response_format="verbose_json", timestamp_granularities=["word", "segment"])
    assert v.duration > 2 and v.segments and v.words
    assert " ".join(w.word for w in v.words).split() == v.text.split()  # words spell out the text
    assert all(a.start <= b.start for a, b in zip(v.words, v.words[1:]))
    with open(wav, "rb") as f:
        srt = client.audio.transcriptions.create(model="whisper-1", file=f, response_format="srt")
    assert srt.startswith("1\n00:00:0") and "-->" in srt
    with open(wav, "rb") as f:
        vtt = client.audio.transcriptions.create(model="whisper-1", file=f, response_format="vtt")
    assert vtt.startswith("WEBVTT")
    with open(wav, "rb") as f:
        txt = client.audio.transcriptions.create(model="whisper-1", file=f, response_format="text", language="en", prompt="Cardiology clinic.")
    assert "aspirin" in txt.lower()
    models = [m.id for m in client.models.list()]
    assert models == ["tiny.en", "whisper-1"]


def test_bad_requests_get_clear_errors(client, server, wav, tmp_path) -> None:
    text = tmp_path / "notes.wav"
    text.write_text("this is not audio at all\n")
    with pytest.raises(openai.BadRequestError) as e, open(text, "rb") as f:
        client.audio.transcriptions.create(model="whisper-1", file=f)
    assert "not audio" in str(e.value)
    with pytest.raises(openai.BadRequestError) as e, open(wav, "rb") as f:
        client.audio.transcriptions.create(model="whisper-1", file=f, response_format="docx")  # type: ignore[arg-type]
    assert "response_format" in str(e.value)
    with pytest.raises(openai.NotFoundError) as e, open(wav, "rb") as f:
        client.audio.transcriptions.create(model="large-v9", file=f)
    assert "not loaded" in str(e.value)
    r = httpx.post(server.url + "/v1/audio/transcriptions", data={"model": "whisper-1"})  # no file
    assert r.status_code == 400 and "file" in r.json()["error"]["message"]
    big = httpx.post(server.url + "/v1/audio/transcriptions", files={"file": ("big.wav", b"\x00" * (3 << 20))})
    assert big.status_code == 413 and big.json()["error"]["code"] == "request_too_large"
    r = httpx.post(server.url + "/v1/notes", content=b"{oops")
    assert r.status_code == 400 and "JSON" in r.json()["error"]["message"]
    r = httpx.post(server.url + "/v1/notes", json={"text": "   "})
    assert r.status_code == 400 and "empty" in r.json()["error"]["message"]
    health = httpx.get(server.url + "/health").json()
    assert health["status"] == "ok" and health["model"]["name"] == "tiny.en"  # still serving


def test_api_key_is_required_when_set(tiny_transcriber, wav) -> None:
    import websockets.sync.client as wsc

    from medasr.ui.app import create_app
    from medasr.ui.thread_server import run_in_thread

    settings = Settings.resolve({"model": "tiny.en", "api_key": KEY})
    srv = run_in_thread(create_app(settings, transcriber=tiny_transcriber, ui=False))
    try:
        with pytest.raises(openai.AuthenticationError), open(wav, "rb") as f:
            openai.OpenAI(base_url=srv.url + "/v1", api_key="wrong", max_retries=0).audio.transcriptions.create(model="whisper-1", file=f)
        with open(wav, "rb") as f:
            r = openai.OpenAI(base_url=srv.url + "/v1", api_key=KEY, max_retries=0).audio.transcriptions.create(model="whisper-1", file=f)
        assert "aspirin" in r.text.lower()
        assert httpx.get(srv.url + "/health").status_code == 200  # health stays open for probes
        with wsc.connect(srv.ws_url + "/v1/stream") as ws:
            msg = json.loads(ws.recv())  # refused at once: the server does not wait for a config frame
            assert msg["code"] == "unauthorized"
        assert ws.close_code == 1008
        with wsc.connect(srv.ws_url + f"/v1/stream?api_key={KEY}") as ws:
            ws.send(json.dumps({"type": "config"}))
            assert json.loads(ws.recv())["type"] == "ready"
    finally:
        srv.stop()


@pytest.mark.slow  # builds the medical vocabulary on first use (~40 s)
def test_note_from_transcription_and_notes_endpoint(client, server, wav) -> None:
    with open(wav, "rb") as f:
        r = client.audio.transcriptions.create(model="whisper-1", file=f, response_format="json", extra_body={"note": "true"})
    extra = r.model_extra["medasr"]
    assert extra["note"]["markdown"].startswith("# Clinical note")
    n = httpx.post(server.url + "/v1/notes", json={"transcript": extra["transcript"], "format": "fhir"}, timeout=120).json()
    assert n["fhir"]["resourceType"] == "Bundle" and "aspirin" in n["markdown"].lower()


def test_medasr_serve_command_with_openai_client(wav, tmp_path) -> None:
    """The real ``medasr serve`` process, as a user starts it, answering OpenAI's client."""
    import os
    import subprocess
    import sys
    import time

    from medasr.ui.thread_server import free_port

    port = free_port()
    log = open(tmp_path / "serve.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "medasr", "serve", "--port", str(port), "--model", "tiny.en", "--device", "cpu", "--no-ui"],
                            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "MEDASR_API_KEY": KEY})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "medasr serve did not start in 120 s"
            time.sleep(0.3)
        client = openai.OpenAI(base_url=url + "/v1", api_key=KEY, max_retries=0, timeout=120)
        with open(wav, "rb") as f:
            r = client.audio.transcriptions.create(model="whisper-1", file=f, response_format="verbose_json")
        assert {"patient", "aspirin"} <= _words(r.text) and r.duration > 2
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
    assert "Traceback" not in (tmp_path / "serve.log").read_text()
