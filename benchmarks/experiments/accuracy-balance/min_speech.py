"""The floor under which a whole clip gives no word (``medasr.asr.guards.MIN_CLIP_SPEECH_SECONDS``),
chosen on general-dev's spoken digits: each model decodes every clip once per floor (the floor
compares faster-whisper's own seconds of speech after its VAD).

    MEDASR_HOME=... python min_speech.py general-dev
"""
import sys

import medasr.asr.faster as faster
from medasr.asr.loader import load_transcriber, options_from_settings
from medasr.audio import SAMPLE_RATE, load_audio
from medasr.bench.datasets import resolve_set
from medasr.bench.metrics import corpus_score, score_utterance
from medasr.config import Settings

FLOORS = (0.0, 0.1, 0.15, 0.2, 0.3)


def main(name: str) -> None:
    s = Settings.resolve({"device": "cpu", "compute_type": "int8"})
    opts = options_from_settings(s, batch_size=0)
    utts = [u for u in resolve_set(name, s).utterances if u.group == "digits"]
    audio = {u.id: load_audio(u.audio) for u in utts}
    print(f"{len(utts)} clips, {sum(len(a) < 0.3 * SAMPLE_RATE for a in audio.values())} shorter than 0.3 s")
    print("| model | " + " | ".join(f"floor {f} s" for f in FLOORS) + " |")
    for m in ("tiny.en", "tiny.en-medical", "tiny.en-medical+tiny.en"):
        t = load_transcriber(s, model=m, cache=False)
        cells = []
        for f in FLOORS:
            faster.MIN_CLIP_SPEECH_SECONDS = f
            sc = [score_utterance(u.id, u.text, t.transcribe(audio[u.id], opts).text, []) for u in utts]
            cells.append(f"{100 * corpus_score(sc, n_boot=1).wer.value:.1f}")
        print(f"| {m} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
