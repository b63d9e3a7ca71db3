"""WER bound on real human speech with the default model (JFK, LJ Speech, LibriVox)."""

import json

import pytest

from medasr.audio import load_audio
from medasr.bench.datasets import POCKETSPHINX_DIR, librivox_manifest
from medasr.bench.metrics import normalize, word_edits

pytestmark = pytest.mark.integration
MAX_WER = 0.06


def _utterances(real_speech_dir, tmp_path):
    rows = [json.loads(l) for l in (real_speech_dir / "manifest.jsonl").read_text().splitlines() if l.strip()]
    utts = [(real_speech_dir / r["audio"], r["text"]) for r in rows if r["id"] == "jfk" or r["id"].startswith("LJ")]
    if (POCKETSPHINX_DIR / "transcription").is_file():
        lv = librivox_manifest(tmp_path)
        utts += [(r["audio"], r["text"]) for r in map(json.loads, lv.read_text().splitlines())]
    return utts


def test_default_model_wer_on_real_speech(real_speech_dir, tmp_path, tiny_transcriber):
    from medasr.config import Settings

    assert Settings.resolve({}).model == tiny_transcriber.info.name  # the default model is what we test
    errors = words = 0
    for audio, ref in _utterances(real_speech_dir, tmp_path):
        hyp = tiny_transcriber.transcribe(load_audio(audio)).text
        r, h = normalize(ref), normalize(hyp)
        errors += word_edits(r, h)
        words += len(r.split())
    assert words > 150
    wer = errors / words
    print(f"WER {wer:.4f} over {words} words")
    assert wer <= MAX_WER
