"""CPU speed of the bundled Whisper models on real speech: real-time factor per configuration.

Usage: python benchmarks/asr_speed.py [--models tiny.en base] [--beams 1 5] [--repeats 3] [--batch 0 8]
Prints a table and writes benchmarks/results/asr_speed_<device>.json. Medians over repeats, all
configurations measured in one run (compare ratios, not absolute numbers, on shared machines).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def real_speech() -> list[Path]:
    from medasr.bench.datasets import shared_data_dir

    shared = shared_data_dir() / "real-speech"
    files = [shared / "jfk" / "jfk.flac", *sorted((shared / "ljspeech").glob("*.wav"))]
    files += sorted(Path("/usr/share/pocketsphinx/test/data/librivox").glob("*.wav"))
    return [f for f in files if f.is_file()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", nargs="+", default=["tiny.en", "base"])
    ap.add_argument("--beams", nargs="+", type=int, default=[1, 5])
    ap.add_argument("--batch", nargs="+", type=int, default=[0], help="batch sizes (0: sequential)")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--compute-type", default="auto")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()

    from medasr.asr.loader import load_transcriber
    from medasr.asr.base import TranscribeOptions
    from medasr.audio import load_audio
    from medasr.config import Settings

    files = real_speech()
    if not files:
        raise SystemExit("no real speech found (../shared/data/real-speech, pocketsphinx-testdata)")
    audios = [load_audio(f) for f in files]
    total = sum(len(a) for a in audios) / 16000
    print(f"{len(files)} files, {total:.1f} s of real speech; {os.cpu_count()} CPUs; {platform.processor() or platform.machine()}")
    rows = []
    for name in args.models:
        s = Settings.resolve({"model": name, "device": args.device, "compute_type": args.compute_type, "threads": args.threads})
        t = load_transcriber(s, cache=False)
        for beam in args.beams:
            for bs in args.batch:
                opts = TranscribeOptions(beam_size=beam, batch_size=bs, word_timestamps=False)
                t.transcribe(audios[0], opts)  # warm-up
                walls = []
                for _ in range(args.repeats):
                    t0 = time.perf_counter()
                    for a in audios:
                        t.transcribe(a, opts)
                    walls.append(time.perf_counter() - t0)
                wall = statistics.median(walls)
                row = {"model": name, "device": t.info.device, "compute_type": t.info.compute_type, "beam_size": beam,
                       "batch_size": bs, "audio_s": round(total, 2), "wall_s_median": round(wall, 3),
                       "rtf": round(wall / total, 4), "x_realtime": round(total / wall, 2), "repeats": args.repeats}
                rows.append(row)
                print(f"{name:<10} {row['device']}/{row['compute_type']:<8} beam {beam}  batch {bs:<3} RTF {row['rtf']:.4f}  ({row['x_realtime']:.1f}x real time)")
    out = args.out or REPO / "benchmarks" / "results" / f"asr_speed_{args.device}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "processor": platform.processor()},
                               "audio_files": [f.name for f in files], "rows": rows}, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
