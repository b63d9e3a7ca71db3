"""Twelve everyday clinic phrases spoken by three espeak-ng voices, transcribed by each model named on
the command line: a quick probe for over-medicalised output ("deep breath" -> a drug name). Crude WER:
lower-cased, punctuation removed, no number or unit normalization (so "500 mg" counts against a model that
heard "500 milligrams"). Prints each model's mean WER and its wrong transcripts.

    python benchmarks/espeak_phrase_probe.py tiny.en tiny.en-medical
"""

from __future__ import annotations

import re
import sys
import tempfile

PHRASES = ("The patient is stable.", "Please take a deep breath.", "The patient feels much better today.",
           "Start metformin 500 milligrams twice daily.", "I will see you again next week.", "Can you describe the pain to me?",
           "She has been coughing for three days.", "Blood pressure is fine, no changes.",
           # not in any training template (medasr.train.whisper.corpus has "take a deep breath" since release 3)
           "Try to relax and breathe normally.", "Take a seat by the window.", "Drink plenty of water this week.", "Take the stairs slowly.")
VOICES = (("en-us", 150), ("en", 170), ("en-gb-x-gbcwmd+m3", 175))


def words(s: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]", "", s.lower()).split())


def main(models: list[str]) -> None:
    import jiwer
    from faster_whisper import WhisperModel

    from medasr.audio import write_wav
    from medasr.config import Settings
    from medasr.store.whisper import resolve_model
    from medasr.synth.engines.cli_engines import espeak_command, run_to_wav

    tmp = tempfile.mkdtemp()
    clips = []
    for i, phrase in enumerate(PHRASES):
        for voice, rate in VOICES:
            wav = f"{tmp}/{i}_{voice}.wav"
            write_wav(wav, *run_to_wav(espeak_command(phrase, voice, rate=rate / 175), f"espeak-ng {voice}"))
            clips.append((phrase, voice, wav))
    for name in models:
        model = WhisperModel(str(resolve_model(name, Settings.resolve({})).path), device="cpu", compute_type="int8", cpu_threads=1)
        total, wrong = 0.0, []
        for phrase, voice, wav in clips:
            text = " ".join(s.text for s in model.transcribe(wav, beam_size=5, language="en", vad_filter=True)[0]).strip()
            err = jiwer.wer(words(phrase), words(text) or "x")
            total += err
            if err > 0:
                wrong.append(f"{voice}: {text}")
        print(name, f"mean WER {total / len(clips):.3f} | wrong: {len(wrong)}")
        for line in wrong:
            print("   ", line)


if __name__ == "__main__":
    main(sys.argv[1:] or ["tiny.en"])
