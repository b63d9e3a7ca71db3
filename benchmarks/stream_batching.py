"""Does batching streaming windows pay? Cost per window of ``transcribe_batch`` (one encoder
call and one ``generate`` for the batch, as the decode worker makes them) at batch sizes
1, 2, 4, 8, against decoding the same windows one call each.

    python benchmarks/stream_batching.py [--model tiny.en-medical] [--device cpu] [--repeat 5]

Windows: 4-12 s cuts of espeak-ng clinical speech (the length a live session's buffer has).
Reports wall and process CPU seconds per window (CPU time is steadier on a shared machine),
medians over ``--repeat`` runs, and writes benchmarks/results/stream_batching.json (+ .png).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "benchmarks" / "results"
TEXT = ("The patient is a sixty two year old man with chest pain radiating to the left arm. He takes metformin five hundred "
        "milligrams twice daily and lisinopril ten milligrams once a day.")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="tiny.en-medical")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--sizes", default="1,2,4,8")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from medasr.asr import guards
    from medasr.asr.loader import load_transcriber, options_from_settings
    from medasr.audio import load_audio
    from medasr.config import Settings

    settings = Settings.resolve({"model": args.model, "device": args.device})
    tr = load_transcriber(settings)
    wav = Path(tempfile.mkdtemp(prefix="medasr-batching-")) / "clinical.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), TEXT], check=True, capture_output=True)
    audio = load_audio(wav)
    sizes = [int(s) for s in args.sizes.split(",")]
    lengths = [4, 8, 12, 6, 10, 5, 9, 11][: max(sizes)]
    wins = [audio[: int(s * 16000)] for s in lengths]
    base = replace(options_from_settings(settings), vad=False, condition_on_previous_text=False)
    opts = [replace(base, max_new_tokens=guards.token_budget(len(w) / 16000)) for w in wins]
    tr.transcribe_batch(wins[:1], opts[:1])  # warm up

    def timed(fn) -> tuple[float, float]:
        walls, cpus = [], []
        for _ in range(args.repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            walls.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
        return float(np.median(walls)), float(np.median(cpus))

    rows = []
    for b in sizes:
        bw, bc = timed(lambda: tr.transcribe_batch(wins[:b], opts[:b]))
        sw, sc = timed(lambda: [tr.transcribe_batch([w], [o]) for w, o in zip(wins[:b], opts[:b])])
        rows.append({"batch": b, "batched_wall_per_window_s": round(bw / b, 4), "batched_cpu_per_window_s": round(bc / b, 4),
                     "serial_wall_per_window_s": round(sw / b, 4), "serial_cpu_per_window_s": round(sc / b, 4),
                     "batched_first_result_s": round(bw, 4), "serial_first_result_s": round(sw / b, 4)})
        print(rows[-1], flush=True)
    result = {"model": tr.info.name, "device": f"{tr.info.device}/{tr.info.compute_type}", "cpus": os.cpu_count(),
              "window_seconds": lengths, "repeat": args.repeat, "rows": rows}
    result["load_avg"] = os.getloadavg()
    args.out.mkdir(parents=True, exist_ok=True)
    stem = "stream_batching" if args.device == "cpu" else f"stream_batching_{args.device}"
    (args.out / f"{stem}.json").write_text(json.dumps(result, indent=2) + "\n")
    _plot(result, args.out / f"{stem}.png")
    print(f"wrote {args.out / (stem + '.json')}")


def _plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = result["rows"]
    b = [r["batch"] for r in rows]
    fig, ax = plt.subplots(figsize=(6, 4))
    for key, label in (("batched_cpu_per_window_s", "batched, CPU s/window"), ("serial_cpu_per_window_s", "one by one, CPU s/window"),
                       ("batched_wall_per_window_s", "batched, wall s/window"), ("serial_wall_per_window_s", "one by one, wall s/window")):
        ax.plot(b, [r[key] for r in rows], marker="o", label=label)
    ax.set_xlabel("windows per call")
    ax.set_ylabel("seconds per window")
    ax.set_xticks(b)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(f"{result['model']} {result['device']}, {result['cpus']} CPUs, load {result['load_avg'][0]:.1f}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
