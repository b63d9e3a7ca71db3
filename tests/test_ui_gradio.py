"""The Gradio app mounted at /ui, opened in headless Chromium (Playwright with Debian's
/usr/bin/chromium): upload a real espeak-ng wav, press Transcribe, see the transcript.
The screenshot is kept under test-artifacts/ (git-ignored)."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import pytest

pytest.importorskip("gradio")
playwright_api = pytest.importorskip("playwright.sync_api")

from medasr.asr.base import TranscribeOptions  # noqa: E402
from medasr.config import Settings  # noqa: E402

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("MEDASR_TEST_ARTIFACTS") or REPO / "test-artifacts")


BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"]


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("no Chromium found (apt-get install chromium)")


@contextlib.contextmanager
def app_page(url: str, *, extra_args: tuple[str, ...] = (), **context_kw):
    """The app at ``url``/ui/ in headless Chromium, loaded (its Transcribe button is there).
    ``extra_args`` go to Chromium (a fake microphone); ``context_kw`` to the browser context."""
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), headless=True, args=[*BROWSER_ARGS, *extra_args])
        try:
            page = browser.new_context(**context_kw).new_page()
            page.goto(url + "/ui/", wait_until="domcontentloaded", timeout=60_000)
            page.locator("#transcribe").wait_for(timeout=60_000)
            yield page
        finally:
            browser.close()


@pytest.fixture(scope="module")
def spy(tiny_transcriber):
    from fakes.pipeline import SpyPipeline

    return SpyPipeline(Settings.resolve({"model": "tiny.en", "device": "cpu", "correct": "none"}), transcriber=tiny_transcriber)


@pytest.fixture(scope="module")
def server(spy):
    from medasr.ui.app import create_app
    from medasr.ui.thread_server import run_in_thread

    srv = run_in_thread(create_app(spy.settings, pipeline=spy))
    yield srv
    srv.stop()


def test_upload_a_wav_and_see_the_transcript(server, spy, aspirin_wav) -> None:
    spy.calls.clear()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "ui_transcript.png"
    with app_page(server.url, viewport={"width": 1280, "height": 1400}) as page:
        assert "medasr dictation" in page.content()
        page.get_by_text("Settings").first.click()  # the note needs the vocabulary: keep this test fast
        page.get_by_label("Make a note").uncheck()
        page.locator("#audio-in input[type=file]").set_input_files(str(aspirin_wav))
        page.locator("#audio-in audio, #audio-in .waveform-container, #audio-in [data-testid='waveform-Audio']").first.wait_for(timeout=30_000)
        page.locator("#transcribe").click()
        box = page.locator("#transcript textarea")
        page.wait_for_function(
            "() => { const t = document.querySelector('#transcript textarea'); return t && t.value.toLowerCase().includes('aspirin'); }",
            timeout=120_000,
        )
        text = box.input_value()
        page.locator("#downloads").scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        page.screenshot(path=str(shot), full_page=True)
        downloads = page.locator("#downloads").inner_text()
    assert {"patient", "aspirin", "heart"} <= {w.strip(".,").lower() for w in text.split()}, text
    assert ".srt" in downloads and ".json" in downloads
    # the app ran the server's one pipeline: transcript (correction "none" from the dropdown) and downloads
    assert [c for c in spy.calls if c[0] in ("run", "write")] == [("run", "none"), ("write", ("txt", "json", "srt"))]
    assert shot.stat().st_size > 10_000


def test_bad_upload_shows_an_error_in_words(server, tmp_path) -> None:
    bad = tmp_path / "not-audio.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunkjunkjunk" * 10)
    with app_page(server.url) as page:
        page.locator("#audio-in input[type=file]").set_input_files(str(bad))
        page.wait_for_timeout(1500)
        page.locator("#transcribe").click()
        err = page.get_by_text("cannot decode audio").or_(page.get_by_text("No audio yet")).first
        err.wait_for(timeout=60_000)
        message = err.inner_text()
    assert "audio" in message.lower()


def test_live_dictation_in_the_browser(server, aspirin_wav, tmp_path) -> None:
    """The Live dictation tab end to end: Chromium's fake microphone plays a real speech file,
    the page streams it over WS /v1/stream, the words appear in the live box while it plays and
    in the transcript (with downloads) once dictation stops; nothing lost on the way."""
    import numpy as np

    from medasr.audio import load_audio, write_wav

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    speech = load_audio(aspirin_wav)
    a = np.concatenate([np.zeros(16000, dtype=np.float32), speech, np.zeros(32000, dtype=np.float32)])
    mic = tmp_path / "mic48k.wav"  # 48 kHz, 16-bit mono: what a microphone gives
    write_wav(mic, np.interp(np.arange(a.size * 3) / 3, np.arange(a.size), a).astype(np.float32), sample_rate=48000)
    args = ("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", f"--use-file-for-fake-audio-capture={mic}")
    words = "['patient', 'takes', 'aspirin', 'morning', 'heart']"
    live_js = (f"() => {{ const t = document.querySelector('#live textarea'); return !!t && {words}.filter(w => t.value.toLowerCase().includes(w)).length >= 3; }}")
    final_js = "() => { const t = document.querySelector('#transcript textarea'); return t && t.value.trim().length > 0; }"
    with app_page(server.url, extra_args=args, permissions=["microphone"], viewport={"width": 1280, "height": 1400}) as page:
        page.get_by_text("Settings").first.click()
        page.get_by_label("Make a note").uncheck()
        page.get_by_role("tab", name="Live dictation").click()
        page.locator("#live-start").click()
        page.wait_for_function(live_js, timeout=120_000)  # words while the file still plays
        live_text = page.locator("#live textarea").input_value()
        page.wait_for_timeout(2000)
        page.locator("#live-stop").click()
        page.wait_for_function(final_js, timeout=120_000)
        final = page.locator("#transcript textarea").input_value()
        page.locator("#downloads").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "ui_live_dictation.png"), full_page=True)
        downloads = page.locator("#downloads").inner_text()
    heard = {w.strip(".,!?").lower() for w in final.split()}
    assert len({"patient", "takes", "aspirin", "morning", "heart"} & heard) >= 3, (live_text, final)
    assert ".txt" in downloads and ".json" in downloads


def test_live_session_transcribes_microphone_chunks(spy, tiny_transcriber, aspirin_wav) -> None:
    """The live tab's engine: 100 ms microphone chunks (48 kHz int16, as the browser sends
    them) go in without waiting for decodes; text shows up while 'recording'; close() gives the
    transcript, every chunk heard."""
    import time

    import numpy as np

    from medasr.audio import load_audio, pcm_samples
    from medasr.ui.gradio_app import LiveSession

    audio = load_audio(aspirin_wav)
    x48 = np.interp(np.arange(audio.size * 3) / 3, np.arange(audio.size), audio)
    pcm48 = (x48 * 32767).astype(np.int16)
    spy.calls.clear()
    live = LiveSession(spy, TranscribeOptions())
    seen = []
    t0 = time.perf_counter()
    for i in range(0, pcm48.size, 4800):
        t = time.perf_counter()
        live.feed(pcm_samples(pcm48[i:i + 4800], 48000))
        assert time.perf_counter() - t < 0.05  # the callback never waits for a decode
        seen.append(live.text)
        time.sleep(max(0.0, (i + 4800) / 48000 - (time.perf_counter() - t0)))
    transcript = live.finish("none")
    assert any(seen), "no live text while recording"
    assert abs(live.stream.audio_seconds - audio.size / 16000) < 0.01  # no chunk dropped
    import jiwer
    from whisper_normalizer.english import EnglishTextNormalizer

    assert spy.calls == [("stream", None), ("correct", "none")]  # streamed and corrected by the one pipeline
    assert transcript.audio == "dictation" and transcript.options["pipeline"] == "asr"
    heard = pcm_samples(pcm48, 48000)  # what the live session heard, transcribed offline
    offline = tiny_transcriber.transcribe(heard, TranscribeOptions()).text
    norm = EnglishTextNormalizer()
    assert jiwer.wer(norm(offline), norm(transcript.text)) <= 0.25, (offline, transcript.text)
    assert {"patient", "heart"} <= {w.strip(".,").lower() for w in transcript.text.split()}, transcript.text
