"""Service hardening found streaming clinical speech at the server: a chunked upload over the
limit is a 413, a malformed transcript a 4xx that names the field, ``correct=`` is checked
before any audio is touched, a tenth of a second gives no invented word, and a small file of
hours of silence is refused without using the memory it would decode to."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("fastapi")
httpx = pytest.importorskip("httpx")

from fakes.asr import FakeTranscriber  # noqa: E402
from medasr.config import Settings  # noqa: E402
from medasr.ui.protocol import ServeLimits  # noqa: E402


class Counting(FakeTranscriber):
    pass


@pytest.fixture(scope="module")
def fake_server():
    from medasr.ui.app import create_app
    from medasr.ui.thread_server import run_in_thread

    tr = Counting("the patient is well")
    srv = run_in_thread(create_app(Settings.resolve({"model": "fake"}), limits=ServeLimits(max_request_bytes=1 << 20), transcriber=tr, ui=False))
    srv.transcriber = tr  # type: ignore[attr-defined]
    yield srv
    srv.stop()


def test_a_chunked_upload_over_the_limit_is_413(fake_server, aspirin_wav) -> None:
    boundary = "medasrboundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.wav\"\r\n"
            "Content-Type: audio/wav\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def body():  # a generator: httpx sends it chunked, with no Content-Length to refuse by
        yield head
        for _ in range(40):
            yield b"\x00" * 65536  # 2.5 MiB in all, over the 1 MiB limit
        yield tail

    r = httpx.post(fake_server.url + "/v1/audio/transcriptions", content=body(),
                   headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}, timeout=60)
    assert "content-length" not in {k.lower() for k in r.request.headers}
    assert r.status_code == 413, r.text
    assert r.json()["error"]["code"] == "request_too_large"
    ok = httpx.post(fake_server.url + "/v1/audio/transcriptions", files={"file": ("a.wav", aspirin_wav.read_bytes())},
                    timeout=300)  # the first request through the correctors loads them
    assert ok.status_code == 200  # under the limit, the same route works


MALFORMED = {
    "segments not a list": {"segments": 5},
    "segment not an object": {"segments": [1, 2]},
    "text not a string": {"segments": [{"id": 0, "start": 0.0, "end": 1.0, "text": 5}]},
    "start not a number": {"segments": [{"id": 0, "start": "zero", "end": 1.0, "text": "hi"}]},
    "missing id": {"segments": [{"start": 0.0, "end": 1.0, "text": "hi"}]},
    "words not a list": {"segments": [{"id": 0, "start": 0.0, "end": 1.0, "text": "hi", "words": "hi"}]},
    "word without times": {"segments": [{"id": 0, "start": 0.0, "end": 1.0, "text": " hi", "words": [{"text": " hi"}]}]},
    "nan time": {"segments": [{"id": 0, "start": float("nan"), "end": 1.0, "text": "hi"}]},
    "edits not objects": {"segments": [], "edits": [3]},
    "model not an object": {"segments": [], "model": "tiny"},
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_notes_with_a_malformed_transcript_is_a_4xx_with_a_message(fake_server, name: str) -> None:
    body = json.dumps({"transcript": MALFORMED[name]}, allow_nan=True)
    r = httpx.post(fake_server.url + "/v1/notes", content=body, headers={"Content-Type": "application/json"})
    assert 400 <= r.status_code < 500, (name, r.status_code, r.text)
    msg = r.json()["error"]["message"]
    assert "transcript" in msg and len(msg) > 20, msg


def test_correct_is_checked_before_any_audio_is_touched(fake_server) -> None:
    before = fake_server.transcriber.calls
    r = httpx.post(fake_server.url + "/v1/audio/transcriptions", files={"file": ("x.wav", b"not audio at all")}, data={"correct": "magic"})
    assert r.status_code == 400 and r.json()["error"]["param"] == "correct"  # not "cannot decode audio"
    assert "lexicon" in r.json()["error"]["message"]
    assert fake_server.transcriber.calls == before


@pytest.mark.integration
def test_a_tenth_of_a_second_upload_gives_no_invented_word(tiny_transcriber, aspirin_wav, tmp_path) -> None:
    from medasr.audio import load_audio, write_wav
    from medasr.ui.app import create_app
    from medasr.ui.thread_server import run_in_thread

    a = load_audio(aspirin_wav)
    start = int(np.argmax(np.abs(a) > 0.05))
    clip = tmp_path / "tenth.wav"
    write_wav(clip, a[start:start + 1600])
    srv = run_in_thread(create_app(Settings.resolve({"model": "tiny.en"}), transcriber=tiny_transcriber, ui=False))
    try:
        r = httpx.post(srv.url + "/v1/audio/transcriptions", files={"file": ("tenth.wav", clip.read_bytes())}, timeout=120)
    finally:
        srv.stop()
    assert r.status_code == 200 and r.json()["text"] == ""


MEASURE = r"""
import sys
from medasr.audio import load_audio
from medasr.errors import AudioError
try:
    load_audio(sys.argv[1], max_seconds=60)
    print("loaded")
except AudioError as e:
    print("refused:", e)
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))  # this process's peak (ru_maxrss
print(int(hwm.split()[1]) // 1024)  # would carry the forking test process's over exec)
"""


def test_hours_of_compressed_silence_stop_at_the_limit(tmp_path) -> None:
    """Two hours of silence, 16 kHz FLAC written to a pipe (so its header holds no length to
    refuse it by), ~1 MB on disk: whole, it would decode to 460 MB of float32. Decoding stops
    at the 60 s limit, and the process's peak memory stays far below that."""
    import shutil

    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed")
    path = tmp_path / "silence.flac"
    with open(path, "wb") as fh:
        subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "7200",
                        "-c:a", "flac", "-f", "flac", "pipe:1"], stdout=fh, check=True)
    assert path.stat().st_size < 20 << 20
    from medasr.audio import probe_duration

    assert probe_duration(str(path)) is None  # nothing to refuse it by before decoding
    out = subprocess.run([sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True, timeout=300, check=True).stdout.split("\n")
    assert out[0].startswith("refused:") and "over the limit" in out[0], out
    assert int(out[1]) < 350, f"peak RSS {out[1]} MB"
