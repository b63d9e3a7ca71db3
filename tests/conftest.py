"""Shared fixtures: an isolated MEDASR_HOME, offline hub, real TTS audio, the real bundled model."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _shared_data() -> Path:
    from medasr.bench.datasets import shared_data_dir

    return shared_data_dir()


# Every test runs offline against a session-wide temp MEDASR_HOME (models assembled and
# vocabularies built there once per session). Tests that need a pristine home use `tmp_home`.
_SESSION_HOME = None
_OWN_HOME = False  # True when this session made the home (then it removes it at the end)


def pytest_configure(config: pytest.Config) -> None:
    global _SESSION_HOME, _OWN_HOME
    import tempfile

    given = os.environ.get("MEDASR_TEST_HOME")
    _OWN_HOME = not given
    _SESSION_HOME = Path(given or tempfile.mkdtemp(prefix="medasr-test-home-"))
    os.environ["MEDASR_HOME"] = str(_SESSION_HOME)
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    # The default note backend (auto) is the local model: minutes per note. Tests ask for it by
    # name (test_note_safety, test_note_llm_local); everything else structures with the rules.
    os.environ.setdefault("MEDASR_NOTE_BACKEND", "rules")
    os.environ.pop("MEDASR_CONFIG", None)


def pytest_unconfigure(config: pytest.Config) -> None:
    # The session home holds assembled models and built vocabularies (~600 MB): a suite
    # that left it behind filled the disk after a few dozen runs.
    if _OWN_HOME and _SESSION_HOME is not None:
        shutil.rmtree(_SESSION_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def session_home() -> Path:
    assert _SESSION_HOME is not None
    return _SESSION_HOME


@pytest.fixture
def tmp_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "medasr-home"
    home.mkdir()
    monkeypatch.setenv("MEDASR_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def real_speech_dir() -> Path:
    d = _shared_data() / "real-speech"
    if not (d / "manifest.jsonl").is_file():
        pytest.skip(f"real speech data not found at {d} (../shared/data/real-speech)")
    return d


@pytest.fixture(scope="session")
def primock_dir() -> Path:
    d = _shared_data() / "primock57-dev"
    if not d.is_dir():
        pytest.skip(f"PriMock57 data not found at {d}")
    return d


@pytest.fixture(scope="session")
def tts_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tts")


@pytest.fixture(scope="session")
def tts_wav(tts_cache: Path):
    """Factory: ``tts_wav("text", voice="en-us", rate=160) -> Path`` of a real espeak-ng WAV (cached)."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")

    def make(text: str, voice: str = "en-us", rate: int = 150, pitch: int = 50) -> Path:
        key = hashlib.sha1(f"{text}|{voice}|{rate}|{pitch}".encode()).hexdigest()[:16]
        out = tts_cache / f"{key}.wav"
        if not out.exists():
            subprocess.run([exe, "-v", voice, "-s", str(rate), "-p", str(pitch), "-w", str(out), text], check=True, capture_output=True)
        return out

    return make


@pytest.fixture(scope="session")
def aspirin_wav(tts_wav) -> Path:
    """A spoken medication sentence for the serving tests (espeak-ng, rate 150). "takes an aspirin":
    without the article stock tiny.en's int8 heard "takes us in" on an AVX2 machine ("aspirin" on
    earlier sessions' machines and at float32): a knife edge plumbing tests must not stand on."""
    return tts_wav("The patient takes an aspirin every morning for her heart.", rate=150)


@pytest.fixture(scope="session")
def tiny_transcriber():
    """The real bundled tiny.en, int8 on CPU, loaded once per session."""
    from medasr.asr.loader import load_transcriber
    from medasr.config import Settings

    return load_transcriber(Settings.resolve({"model": "tiny.en", "device": "cpu", "compute_type": "int8"}))


def run_cli(*args: str, input: bytes | None = None, cwd: Path | None = None, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``medasr ARGS`` as a user would (a real subprocess), returning the completed process."""
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "medasr", *args], input=input, capture_output=True, cwd=cwd, env=e, timeout=timeout)


@pytest.fixture
def cli():
    return run_cli


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`gpu` tests skip (rather than fail) where CTranslate2 sees no CUDA device; `ray` tests where
    Ray Data is not installed (`make test` installs it: the batch extra)."""
    import importlib.util

    if importlib.util.find_spec("ray") is None or importlib.util.find_spec("pyarrow") is None:
        for item in items:
            if "ray" in item.keywords:
                item.add_marker(pytest.mark.skip(reason="Ray Data is not installed (pip install 'medasr[batch]')"))
    gpu_items = [i for i in items if "gpu" in i.keywords]
    if not gpu_items:
        return
    from medasr.asr.device import cuda_device_count

    if cuda_device_count() == 0:
        skip = pytest.mark.skip(reason="no CUDA device visible to CTranslate2")
        for item in gpu_items:
            item.add_marker(skip)
