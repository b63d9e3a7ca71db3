"""The released fine-tuned model (models/tiny.en-medical): checksums, the model store, and
the medical words it was trained for, spoken by a voice held out of its training."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medasr.config import Settings

REPO = Path(__file__).resolve().parents[1]
RELEASE = REPO / "models" / "tiny.en-medical"

pytestmark = pytest.mark.skipif(not (RELEASE / "model.bin").is_file(), reason="released model not in this checkout")


def test_card_and_manifest_agree_with_the_files() -> None:
    from medasr.store.whisper import resolve_model
    from medasr.files import sha256_file

    card = json.loads((REPO / "models" / "cards" / "tiny.en-medical.json").read_text())
    entry = next(m for m in json.loads((REPO / "models" / "manifest.json").read_text())["models"] if m["name"] == "tiny.en-medical")
    assert card["files"]["model.bin"] == entry["files"]["model.bin"] == sha256_file(RELEASE / "model.bin")
    assert entry["size_bytes"] == (RELEASE / "model.bin").stat().st_size <= 50_000_000
    for key in ("base", "data", "steps", "hardware", "seconds", "bench"):
        assert card[key], key
    rm = resolve_model("tiny.en-medical", Settings.resolve({}), verify=True)
    assert rm.source == "repo" and rm.path == RELEASE


@pytest.mark.integration
def test_released_model_writes_the_drug_name_stock_tiny_misses(tts_wav, tiny_transcriber) -> None:
    from medasr.asr.base import TranscribeOptions
    from medasr.asr.loader import load_transcriber
    from medasr.audio import load_audio

    audio = load_audio(tts_wav("Start metformin 500 milligrams twice daily.", voice="en-gb-x-gbcwmd+m3", rate=175))
    opts = TranscribeOptions(beam_size=5, language="en")
    medical = load_transcriber(Settings.resolve({"model": "tiny.en-medical", "device": "cpu", "compute_type": "int8"}))
    ours = medical.transcribe(audio, opts).text.lower()
    stock = tiny_transcriber.transcribe(audio, opts).text.lower()
    assert "metformin" in ours and "500" in ours, ours
    assert "metformin" not in stock, stock
