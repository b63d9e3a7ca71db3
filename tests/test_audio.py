"""Audio in: any rate/channels/container to 16 kHz mono; bad input named clearly."""

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from medasr.audio import is_silent, load_audio, write_wav
from medasr.errors import AudioError

needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed")


@needs_ffmpeg
@pytest.mark.parametrize("rate, channels, ext", [(44100, 2, "mp3"), (8000, 1, "wav"), (48000, 6, "flac"), (22050, 2, "ogg")])
def test_any_rate_and_channels_to_16k_mono(tts_wav, tmp_path: Path, rate: int, channels: int, ext: str):
    src = tts_wav("the patient is stable")
    out = tmp_path / f"x.{ext}"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(src), "-ar", str(rate), "-ac", str(channels), str(out)], check=True)
    ref = load_audio(src)
    audio = load_audio(out)
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert abs(len(audio) - len(ref)) / len(ref) < 0.08  # same duration at 16 kHz (codec padding aside)
    assert not is_silent(audio)


def test_bytes_and_file_objects(tts_wav):
    src = tts_wav("hello")
    data = src.read_bytes()
    a = load_audio(data)
    with open(src, "rb") as fh:
        b = load_audio(fh)
    assert np.array_equal(a, b) and len(a) > 1000


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: None, "file not found"),
        (lambda p: p.write_bytes(b""), "file is empty"),
        (lambda p: p.write_text("this is a note, not audio\n"), "looks like a text file"),
        (lambda p: p.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(200))), "cannot decode audio"),
        (lambda p: p.write_bytes(np.random.default_rng(0).bytes(5000)), "cannot decode audio"),
    ],
    ids=["missing", "zero-length", "text-as-wav", "corrupt-header", "random-bytes"],
)
def test_bad_audio_is_named(tmp_path: Path, make, message: str):
    p = tmp_path / "in.wav"
    make(p)
    with pytest.raises(AudioError, match=message) as e:
        load_audio(p)
    assert "in.wav" in str(e.value)


def test_folder_and_empty_bytes(tmp_path: Path):
    with pytest.raises(AudioError, match="is a folder"):
        load_audio(tmp_path)
    with pytest.raises(AudioError, match="no data"):
        load_audio(b"")


def test_huge_audio_over_limit(tmp_path: Path):
    p = tmp_path / "long.wav"
    write_wav(p, np.zeros(16000 * 30, dtype=np.float32))
    with pytest.raises(AudioError, match="over the limit"):
        load_audio(p, max_seconds=10)
    assert len(load_audio(p, max_seconds=60)) == 16000 * 30


def test_silence_detection():
    assert is_silent(np.zeros(16000, dtype=np.float32))
    assert not is_silent(np.full(16000, 0.1, dtype=np.float32))
