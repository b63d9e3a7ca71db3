"""Synthesis throughput per TTS engine, and the time to make a 10,000-utterance corpus here.

For each working engine: ``--per-engine`` utterances (real vocabulary sentences, the corpus's
default augmentation) made one after another in this process after a warm-up, timing wall
clock and CPU (this process + its child processes: espeak-ng, flite, festival, ffmpeg). CPU
seconds are what a core spends, so ``utterances/min on N cores = 60 * N / cpu_per_utt`` holds
on an idle machine; wall clock on a shared machine is slower, and both are reported along with
the load average. Then a mixed run of ``--mixed`` utterances planned exactly as
``medasr synth`` plans them (all engines, weights, held-out voices) with ``--jobs`` worker
processes gives an end-to-end wall-clock rate.

    python benchmarks/synth_throughput.py --per-engine 16 --mixed 80 --jobs 2
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def cpu_seconds() -> float:
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def engine_run(engine: str, voices: list, vocab, k: int, home: Path, out: Path, seed: int) -> dict:
    from medasr.synth import augment
    from medasr.synth.corpus import make_batch
    from medasr.synth.engines.base import VoiceParams
    from medasr.synth.plan import STYLE_WEIGHTS, PlannedUtterance
    from medasr.synth.text import SentenceGenerator, TermPools

    gen = SentenceGenerator(TermPools(vocab, seed))
    rng = random.Random(seed)
    styles = sorted(STYLE_WEIGHTS)
    plan = []
    for i in range(k + 1):
        style = rng.choices(styles, weights=[STYLE_WEIGHTS[s] for s in styles])[0]
        v = voices[i % len(voices)]
        steps = augment.plan(rng) if i else []
        plan.append(PlannedUtterance(f"{engine}-{i:04d}", "bench", gen.utterance(rng, style), v, VoiceParams(round(rng.uniform(0.85, 1.15), 3) if v.rate else 1.0), tuple(steps)))
    make_batch(plan[:1], out, home)  # warm-up: model load, babble bank
    w0, c0 = time.perf_counter(), cpu_seconds()
    outcomes = []
    for i in range(1, len(plan), 8):  # batches of 8, as the corpus workers do
        outcomes += make_batch(plan[i : i + 8], out, home)
    wall, cpu = time.perf_counter() - w0, cpu_seconds() - c0
    audio = sum(o.duration for o in outcomes)
    ok = sum(o.ok for o in outcomes)
    return {
        "engine": engine,
        "utterances": ok,
        "failed": k - ok,
        "audio_seconds": round(audio, 1),
        "wall_seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "cpu_per_utt": round(cpu / max(ok, 1), 3),
        "utt_per_min_2_cores_cpu": round(60 * 2 / max(cpu / max(ok, 1), 1e-9), 1),
        "utt_per_min_1_process_wall": round(60 * ok / wall, 1),
        "realtime_factor_cpu": round(cpu / max(audio, 1e-9), 3),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--per-engine", type=int, default=16)
    ap.add_argument("--mixed", type=int, default=80, help="utterances in the mixed multi-process run (0: skip)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--engines", default="", help="comma-separated (default: all that work)")
    ap.add_argument("--home", default=os.environ.get("MEDASR_HOME"))
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "synth_throughput.json"))
    args = ap.parse_args()

    from medasr.config import Settings
    from medasr.synth.corpus import build, discover, voices_of
    from medasr.synth.plan import ENGINE_WEIGHTS, PlanConfig, make_plan, split_voices
    from medasr.synth.run import load_vocab

    settings = Settings.resolve({"home": args.home})
    vocab = load_vocab(settings)
    healths = discover(settings.home, [e for e in args.engines.split(",") if e] or None)
    voices = voices_of(healths)
    train = list(split_voices(voices).train)
    load0 = os.getloadavg()
    rows = []
    with tempfile.TemporaryDirectory(prefix="medasr-synth-bench-") as tmp:
        for h in healths:
            if not h.ok:
                print(f"{h.engine}: not working ({h.detail})", file=sys.stderr)
                continue
            ev = [v for v in train if v.engine == h.engine]
            r = engine_run(h.engine, ev, vocab, args.per_engine, settings.home, Path(tmp) / h.engine, seed=7)
            rows.append(r)
            print(f"{r['engine']:10s} {r['utterances']:3d} utt  cpu/utt {r['cpu_per_utt']:.3f} s  => {r['utt_per_min_2_cores_cpu']:8.1f} utt/min on 2 cores (CPU)  "
                  f"wall {r['utt_per_min_1_process_wall']:.1f} utt/min in 1 process  cpu RTF {r['realtime_factor_cpu']:.3f}", flush=True)
        mixed = None
        if args.mixed:
            plan = make_plan(PlanConfig(n=args.mixed, seed=11), vocab, voices)
            w0, c0 = time.perf_counter(), cpu_seconds()
            res = build(plan.utterances, Path(tmp) / "mixed", settings.home, jobs=args.jobs, progress=False)
            wall = time.perf_counter() - w0
            ok = sum(o.ok for o in res.outcomes)
            mixed = {"utterances": ok, "jobs": args.jobs, "wall_seconds": round(wall, 1), "utt_per_min_wall": round(60 * ok / wall, 1),
                     "hours_for_10k_wall": round(10000 / (60 * ok / wall) / 60, 2)}
            print(f"mixed plan: {ok} utt with {args.jobs} jobs in {wall:.1f} s => {mixed['utt_per_min_wall']} utt/min wall; 10k in {mixed['hours_for_10k_wall']} h", flush=True)
    load1 = os.getloadavg()
    weights = {r["engine"]: ENGINE_WEIGHTS.get(r["engine"], 0.1) for r in rows}
    total = sum(weights.values())
    mix_cpu = sum(weights[r["engine"]] / total * r["cpu_per_utt"] for r in rows)
    est = {"cpu_per_utt_mix": round(mix_cpu, 3), "utt_per_min_2_cores": round(120 / mix_cpu, 1), "minutes_for_10k_2_cores": round(10000 * mix_cpu / 2 / 60, 1)}
    print(f"default engine mix: {mix_cpu:.3f} CPU s/utt => {est['utt_per_min_2_cores']} utt/min on 2 idle cores; 10,000 utterances in {est['minutes_for_10k_2_cores']} min")
    print(f"load average before {load0[0]:.1f}, after {load1[0]:.1f} (2 cores)")
    result = {"engines": rows, "mixed_run": mixed, "estimate_from_cpu": est, "engine_weights": weights, "load_average": [round(load0[0], 1), round(load1[0], 1)], "cpu_count": os.cpu_count()}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    plot(rows, out.with_suffix(".png"))
    print(f"wrote {out} and {out.with_suffix('.png')}")


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    names = [r["engine"] for r in rows]
    ax.bar(names, [r["utt_per_min_2_cores_cpu"] for r in rows], label="2 cores, from CPU time")
    ax.bar(names, [r["utt_per_min_1_process_wall"] for r in rows], width=0.4, label="1 process, wall clock (shared machine)")
    ax.axhline(10000 / 60, color="k", ls="--", lw=1, label="10,000 per hour")
    ax.set_yscale("log")
    ax.set_ylabel("utterances per minute (augmented)")
    ax.set_title("medasr synth throughput per engine")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


if __name__ == "__main__":
    main()
