"""WER bound on real human speech with the default model (JFK, LJ Speech, LibriVox)."""

import json

import pytest

from medasr.audio import load_audio
from medasr.bench.datasets import POCKETSPHINX_DIR, librivox_manifest
from medasr.bench.metrics import word_edits
from medasr.text import normalize

pytestmark = pytest.mark.integration
# Release 3 of tiny.en-medical (the default) measured 6.8% here against stock tiny.en's 3.2% (15 vs 7
# of 221 words); release 2 measured 6.3% (JFK "so my" -> "so am i", "justly" -> "just", "forty-two
# line" -> "42 lime"), release 1 3.6%. Release 3's runs merged at alpha 0.9 measured 8.6% and 9.5%
# (JFK "ask not what" -> "like") and failed this guard, which is why release 3 is merged at 0.8.
# Those figures are from earlier sessions' machines (their SIMD level was not recorded). int8
# decoding differs between CPU kernels (benchmarks/results/cpu-isa): on one AVX2 machine
# (2026-11-23; same packages, model files and audio) release 3 read 7.7% against stock 3.6%, and
# with CT2_FORCE_CPU_ISA=AVX 8.6% against 3.2% (19 vs 7 words), so across CPUs this set cannot
# tell the 0.8 merge from the 0.9 ones, and the first limits (7.5%, stock + 4 points) failed a
# clean clone. The guard is set to catch forgetting well beyond that (cpu5, 6 epochs, scored
# 55.7% on the bench's real-speech set), not a 221-word set's noise or the CPU's: at most 11%,
# and stock + 7 points (5 and 3 words above the worst readings).
MAX_WER = 0.11
MAX_OVER_STOCK = 0.07


def _utterances(real_speech_dir, tmp_path):
    rows = [json.loads(l) for l in (real_speech_dir / "manifest.jsonl").read_text().splitlines() if l.strip()]
    utts = [(real_speech_dir / r["audio"], r["text"]) for r in rows if r["id"] == "jfk" or r["id"].startswith("LJ")]
    if (POCKETSPHINX_DIR / "transcription").is_file():
        lv = librivox_manifest(tmp_path)
        utts += [(r["audio"], r["text"]) for r in map(json.loads, lv.read_text().splitlines())]
    return utts


def _wer(transcriber, utts) -> tuple[float, int]:
    errors = words = 0
    for audio, ref in utts:
        hyp = transcriber.transcribe(load_audio(audio)).text
        r, h = normalize(ref), normalize(hyp)
        errors += word_edits(r, h)
        words += len(r.split())
    return errors / max(words, 1), words


def test_default_model_wer_on_real_speech(real_speech_dir, tmp_path, tiny_transcriber):
    """The default (the released medical model) on real general speech: bounded, and not more
    than four points worse than stock tiny.en on the same words (the guard against forgetting)."""
    from medasr.asr.loader import load_transcriber
    from medasr.config import Settings

    settings = Settings.resolve({"device": "cpu", "compute_type": "int8"})
    default = load_transcriber(settings)
    assert default.info.name == settings.model
    utts = _utterances(real_speech_dir, tmp_path)
    wer, words = _wer(default, utts)
    stock, _ = _wer(tiny_transcriber, utts) if settings.model != "tiny.en" else (wer, words)
    print(f"WER {wer:.4f} ({settings.model}) vs {stock:.4f} (tiny.en) over {words} words")
    assert words > 150
    assert wer <= MAX_WER
    assert wer <= stock + MAX_OVER_STOCK
