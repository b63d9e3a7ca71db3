"""Audio in: anything PyAV/ffmpeg decodes, any rate and channel count, to 16 kHz mono float32.

The one home of ``SAMPLE_RATE`` (what Whisper hears), ``resample``, raw PCM decoding (the
websocket's frames, the microphone's chunks) and WAV writing. Every failure becomes an
``AudioError`` whose message names the input and the problem.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import BinaryIO

import numpy as np

from medasr.errors import AudioError

SAMPLE_RATE = 16000  # Hz: the rate every stage of medasr works at
PCM_ENCODINGS = {"pcm_s16le": "<i2", "f32le": "<f4"}  # raw little-endian mono PCM: name -> numpy dtype
AUDIO_EXTENSIONS = frozenset(
    ".wav .flac .mp3 .m4a .mp4 .ogg .oga .opus .webm .aac .wma .aiff .aif .amr .mkv .mov .3gp .caf .raw".split()
)
log = logging.getLogger("medasr.audio")


def load_audio(source: str | Path | bytes | BinaryIO, *, label: str | None = None, max_seconds: float | None = None) -> np.ndarray:
    """Decode ``source`` (a path, raw bytes or a binary file object) to 16 kHz mono float32."""
    name = label or (str(source) if isinstance(source, (str, Path)) else "<stdin>")
    return _load(source, name, max_seconds, layout="mono")


def load_channels(source: str | Path | bytes | BinaryIO, *, label: str | None = None, max_seconds: float | None = None) -> np.ndarray:
    """Decode keeping the channels apart: float32 of shape (channels, samples) at 16 kHz.

    For ``--speakers channels``, where each channel holds one speaker. A mono file gives shape (1, n).
    """
    name = label or (str(source) if isinstance(source, (str, Path)) else "<stdin>")
    return _load(source, name, max_seconds, layout=None)


def _load(source: str | Path | bytes | BinaryIO, name: str, max_seconds: float | None, layout: str | None) -> np.ndarray:
    stream = _checked_stream(source, name, max_seconds)
    try:
        audio = _decode(stream, name, max_seconds, layout)
    except AudioError:
        raise
    except Exception as e:  # PyAV raises many types (InvalidDataError, ValueError, IndexError...)
        log.debug("decode failed for %s: %r", name, e)
        raise AudioError(f"{name}: cannot decode audio: not an audio file, or the file is corrupt ({type(e).__name__})") from None
    if audio.size == 0:
        raise AudioError(f"{name}: holds no audio samples")
    if not np.all(np.isfinite(audio)):
        raise AudioError(f"{name}: audio contains NaN or infinite samples")
    return audio


def _checked_stream(source: str | Path | bytes | BinaryIO, name: str, max_seconds: float | None) -> BinaryIO | str:
    """The input as something PyAV opens, after the checks that give clear messages."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.exists():
            raise AudioError(f"{name}: file not found")
        if path.is_dir():
            raise AudioError(f"{name}: is a folder, not an audio file")
        try:
            size = path.stat().st_size
        except OSError as e:
            raise AudioError(f"{name}: cannot read file ({e.strerror})") from None
        if size == 0:
            raise AudioError(f"{name}: file is empty (0 bytes)")
        try:
            with open(path, "rb") as fh:
                head = fh.read(64)
        except OSError as e:
            raise AudioError(f"{name}: cannot read file ({e.strerror})") from None
        _reject_text(head, name)
        stream: BinaryIO | str = str(path)
    else:
        data = source if isinstance(source, bytes) else source.read()
        if not data:
            raise AudioError(f"{name}: no data (0 bytes)")
        _reject_text(data[:64], name)
        stream = io.BytesIO(data)

    if max_seconds is not None:
        dur = probe_duration(stream)
        if dur is not None and dur > max_seconds:
            raise AudioError(f"{name}: audio is {dur / 60:.1f} minutes long, over the limit of {max_seconds / 60:.1f} minutes (set max_audio_seconds to raise it)")
        if isinstance(stream, io.BytesIO):
            stream.seek(0)
    return stream


def _decode(stream: BinaryIO | str, name: str, max_seconds: float | None, layout: str | None = "mono") -> np.ndarray:
    """PyAV decode to 16 kHz (``layout`` "mono": a 1-D array; None: the file's channels as
    (channels, samples)), frame by frame, stopping as soon as the audio passes ``max_seconds``:
    a small compressed file of hours of silence (or a header that lies about its length) costs
    the limit's worth of memory, not gigabytes."""
    import av  # imported here to keep `import medasr` cheap

    limit = None if max_seconds is None else int(max_seconds * SAMPLE_RATE)
    chunks: list[np.ndarray] = []
    total = 0
    with av.open(stream, mode="r", metadata_errors="ignore") as container:
        if not container.streams.audio:
            raise AudioError(f"{name}: holds no audio stream")
        st = container.streams.audio[0]
        resampler = av.audio.resampler.AudioResampler(format="s16p", layout=layout or st.layout.name, rate=SAMPLE_RATE)

        def frames():  # type: ignore[no-untyped-def]
            it = container.decode(st)
            while True:
                try:
                    frame = next(it)
                except StopIteration:
                    break
                except av.error.InvalidDataError:  # a damaged frame: skip it, as ffmpeg does
                    continue
                frame.pts = None
                yield frame
            yield None  # flush the resampler

        for frame in frames():
            for out in resampler.resample(frame):
                a = out.to_ndarray()  # (channels, n), planar
                chunks.append(a.copy())
                total += a.shape[-1]
                if limit is not None and total > limit:
                    raise AudioError(f"{name}: audio is over the limit of {max_seconds / 60:.1f} minutes (set max_audio_seconds to raise it)")
    pcm = np.concatenate(chunks, axis=-1) if chunks else np.zeros((1, 0), dtype=np.int16)
    audio = pcm.astype(np.float32) / 32768.0
    return audio.reshape(-1) if layout == "mono" else audio


def probe_duration(stream: BinaryIO | str) -> float | None:
    """Container duration in seconds, or None when unknown (streams without a header)."""
    import av

    try:
        with av.open(stream, mode="r", metadata_errors="ignore") as container:
            if container.duration:
                return container.duration / 1_000_000
            for s in container.streams.audio:
                if s.duration and s.time_base:
                    return float(s.duration * s.time_base)
    except Exception:
        return None
    return None


def is_silent(audio: np.ndarray, threshold_db: float = -60.0) -> bool:
    """True when the whole signal's peak is below ``threshold_db`` dBFS."""
    if audio.size == 0:
        return True
    peak = float(np.max(np.abs(audio)))
    return peak <= 10 ** (threshold_db / 20)


def _reject_text(head: bytes, name: str) -> None:
    """A file that is plainly text (a .txt renamed .wav) gets a clear message instead of a codec error."""
    if not head:
        return
    sample = head.lstrip(b"\xef\xbb\xbf")
    if all(32 <= b < 127 or b in (9, 10, 13) for b in sample) and not sample.startswith((b"RIFF", b"OggS", b"fLaC", b"ID3", b"FORM")):
        raise AudioError(f"{name}: looks like a text file, not audio")


def resample(audio: np.ndarray, rate: int, target: int = SAMPLE_RATE, *, live: bool = False) -> np.ndarray:
    """``audio`` at ``rate`` Hz as float32 at ``target`` Hz.

    Files and corpora use scipy's polyphase filter. ``live`` frames (the websocket, the
    microphone) use a box low-pass when downsampling and linear interpolation: numpy only, and
    cheap enough for every frame, good enough for speech recognition."""
    audio = np.asarray(audio, dtype=np.float32)
    if rate == target or audio.size == 0:
        return audio
    if live:
        k = int(round(rate / target))
        if k > 1:
            audio = np.convolve(audio, np.full(k, 1.0 / k, dtype=np.float32), mode="same")
        n = max(1, int(round(audio.size * target / rate)))
        x = np.linspace(0.0, audio.size - 1, n)
        return np.interp(x, np.arange(audio.size), audio).astype(np.float32)
    from math import gcd

    from scipy.signal import resample_poly

    g = gcd(int(rate), int(target))
    return resample_poly(audio, target // g, int(rate) // g).astype(np.float32)


def pcm_samples(samples: np.ndarray, rate: int = SAMPLE_RATE) -> np.ndarray:
    """PCM samples (integers or floats; mono, or ``(n, channels)``) as 16 kHz mono float32 (live resampling)."""
    a = np.asarray(samples)
    if np.issubdtype(a.dtype, np.integer):
        a = a.astype(np.float32) / float(np.iinfo(a.dtype).max + 1)
    if a.ndim == 2:
        a = a.mean(axis=1)
    return resample(a.astype(np.float32), int(rate), live=True)


def decode_pcm(data: bytes, encoding: str = "pcm_s16le", rate: int = SAMPLE_RATE) -> np.ndarray:
    """Raw little-endian mono PCM (``pcm_s16le`` or ``f32le``) at ``rate`` Hz -> 16 kHz mono float32."""
    if encoding not in PCM_ENCODINGS:
        raise AudioError(f"encoding must be one of {', '.join(PCM_ENCODINGS)}, not {encoding!r}")
    dtype = np.dtype(PCM_ENCODINGS[encoding])
    if len(data) % dtype.itemsize:
        raise AudioError(f"{encoding} data must hold whole {dtype.itemsize}-byte samples; got {len(data)} bytes")
    samples = np.frombuffer(data, dtype=dtype)
    if encoding == "f32le" and samples.size and (not np.all(np.isfinite(samples)) or float(np.max(np.abs(samples))) > 16.0):
        raise AudioError("f32le samples must be finite floats in [-1, 1]: is this really f32le?")
    return pcm_samples(samples, rate)


def write_wav(path: str | Path, audio: np.ndarray, sample_rate: int = SAMPLE_RATE) -> None:
    """Write float32 audio as 16-bit PCM WAV (stdlib only); shape (n,) is mono, (channels, n) interleaved."""
    import wave

    audio = np.atleast_2d(audio)
    pcm = (np.clip(audio.T, -1.0, 1.0) * 32767.0).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(audio.shape[0])
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm.tobytes())
