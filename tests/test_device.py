import pytest

from medasr.asr.device import resolve_device
from medasr.errors import ConfigError


def test_auto_picks_cuda_float16_when_a_gpu_is_seen():
    assert resolve_device("auto", "auto", cuda_count=1) == ("cuda", "float16")
    assert resolve_device("auto", "auto", cuda_count=0) == ("cpu", "int8")
    assert resolve_device("cpu", "auto") == ("cpu", "int8")
    assert resolve_device("cuda", "int8_float16", cuda_count=2) == ("cuda", "int8_float16")


def test_cuda_without_gpu_is_a_clear_error():
    with pytest.raises(ConfigError, match="no CUDA device"):
        resolve_device("cuda", "auto", cuda_count=0)


@pytest.mark.gpu
def test_real_gpu_transcribes(tiny_transcriber, real_speech_dir):
    from medasr.asr.loader import load_transcriber
    from medasr.audio import load_audio
    from medasr.config import Settings

    t = load_transcriber(Settings.resolve({"device": "cuda"}))
    assert t.info.device == "cuda" and t.info.compute_type == "float16"
    assert "fellow americans" in t.transcribe(load_audio(real_speech_dir / "jfk" / "jfk.flac")).text.lower()
