"""Seconds per clip to cache the frozen encoder's outputs for `medasr train asr`: torch float32
vs CTranslate2 int8 (`--encoder-backend`), on real espeak-ng clips, median of 3 runs, run
alternately so both see the same machine load. Prints a JSON line.

    python benchmarks/encoder_cache_speed.py [--clips 8] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clips", type=int, default=8)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    import torch

    from medasr.audio import write_wav
    from medasr.config import Settings
    from medasr.synth.engines.cli_engines import espeak_command, run_to_wav
    from medasr.train.whisper.train import load_base
    from medasr.manifest import ManifestRow
    from medasr.train.whisper.features import encoder_cache

    torch.set_num_threads(args.threads)
    tmp = Path(tempfile.mkdtemp())
    utts = []
    for i in range(args.clips):
        wav = tmp / f"c{i}.wav"
        write_wav(wav, *run_to_wav(espeak_command(f"Start metformin {500 + i} milligrams twice daily and review in {i + 2} weeks.", "en"), "espeak-ng"))
        utts.append(ManifestRow(id=f"c{i}", audio=wav, text=""))
    model, ct2_dir, _ = load_base("tiny.en", Settings.resolve({}))
    times: dict[str, list[float]] = {"torch": [], "ct2": []}
    for r in range(args.repeats):
        for name in times:
            t0 = time.perf_counter()
            encoder_cache(model, utts, tmp / f"{name}{r}", f"k{r}", seed=0, audio_aug=False, specaug=False,
                          ct2_dir=ct2_dir if name == "ct2" else None, threads=args.threads)
            times[name].append((time.perf_counter() - t0) / len(utts))
    med = {k: statistics.median(v) for k, v in times.items()}
    print(json.dumps({"clips": args.clips, "threads": args.threads, "s_per_clip_median": {k: round(v, 3) for k, v in med.items()},
                      "speedup_ct2": round(med["torch"] / med["ct2"], 2)}))


if __name__ == "__main__":
    main()
