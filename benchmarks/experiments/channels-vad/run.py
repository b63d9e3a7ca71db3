"""--speakers channels: which VAD setting loses the fewest turns? Dev part of the speaker set only.

    python benchmarks/experiments/channels-vad/run.py --set SET [--split dev] [--variant base --variant t035 ...]

Each channel of each stereo file is transcribed by the default recognizer with one Silero VAD
setting of faster-whisper (patched in for the experiment), merged as ``--speakers channels``
does, and scored with the speaker benchmark's role scores (turns right, turns with words).
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "benchmarks"))

VARIANTS = {
    "base": {},  # faster-whisper's defaults: threshold 0.5, min silence 2 s, pad 0.4 s
    "t035": {"threshold": 0.35},
    "t035-pad600": {"threshold": 0.35, "speech_pad_ms": 600},
    "t025": {"threshold": 0.25},
    "novad": None,
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", required=True)
    ap.add_argument("--split", default="dev")
    ap.add_argument("--model", default="tiny.en-medical")
    ap.add_argument("--variant", action="append", default=None)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results.json")
    args = ap.parse_args()
    import faster_whisper.transcribe as fwt
    from faster_whisper.vad import VadOptions
    from speakers_bench import load_set

    from medasr.asr.loader import load_transcriber, options_from_settings
    from medasr.audio import load_channels
    from medasr.bench.consultations import read_reference
    from medasr.bench.diarization import role_scores
    from medasr.config import Settings
    from medasr.speakers.spec import RoleSpec, SpeakerSpec
    from medasr.speakers.stage import Speakers

    folder = Path(args.set)
    rows = load_set(folder, args.split)
    settings = Settings.resolve({"model": args.model, "threads": 2})
    transcriber = load_transcriber(settings)
    base_options = options_from_settings(settings)
    stage = Speakers(SpeakerSpec("channels"), RoleSpec("auto"))
    results = json.loads(args.out.read_text()) if args.out.is_file() else {}
    for name in args.variant or list(VARIANTS):
        params = VARIANTS[name]
        fwt.VadOptions = functools.partial(VadOptions, **(params or {}))  # the experiment's only change
        options = base_options if params is not None else type(base_options)(**{**base_options.__dict__, "vad": False})
        tot = {"turns": 0, "turns_right": 0, "turns_with_words": 0, "words": 0, "words_right": 0, "wall": 0.0}
        per = []
        for r in rows:
            refs = read_reference(folder / r["reference"])
            st = load_channels(folder / r["stereo"])
            t0 = time.perf_counter()
            merged = stage.assign(stage.run_channels(st, lambda ch: transcriber.transcribe(ch, options), r["id"]))
            wall = time.perf_counter() - t0
            sc = role_scores(refs, merged)
            per.append({"id": r["id"], **{k: sc[k] for k in ("turns", "turns_right", "turns_with_words")}, "wall": round(wall, 1)})
            for k in ("turns", "turns_right", "turns_with_words", "words", "words_right"):
                tot[k] += sc[k]
            tot["wall"] += wall
        results[name] = {"vad": params, "split": args.split, "model": args.model, **tot,
                         "turn_accuracy": round(tot["turns_right"] / tot["turns"], 4), "files": per}
        print(name, results[name]["turn_accuracy"], tot, flush=True)
        args.out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
