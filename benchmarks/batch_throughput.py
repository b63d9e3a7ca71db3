"""Throughput of ``medasr batch`` against sequential ``medasr transcribe`` over the same files.

Makes N short clinical sentences spoken by espeak-ng (four voices, several rates) once and keeps
them (``--clips``), then runs each system as a user would (a subprocess, the default model,
``-f txt,json``): ``medasr transcribe`` over the folder (one process, sequential), ``medasr batch
--engine local`` and ``--engine ray`` with 1 and 2 workers (and 2 workers with ``--threads 1``),
and a rerun of a finished job. Wall time is the whole command (start, model loading, the files);
x real time = audio seconds / wall seconds. Every batch output is compared with transcribe's (JSON
without ``timings``); a file that differs is transcribed alone as well, to see whether
``transcribe`` itself changes its answer with what it decoded before (Whisper's fallback to
sampling). The machine's load (``/proc/loadavg``) is recorded before and after each run.

    nice -n 10 python benchmarks/batch_throughput.py --n 120 --out benchmarks/results/batch
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from medasr.bench.outputs import normalized_outputs

SENTENCES = (
    "The patient is stable and takes an aspirin every morning.", "Blood pressure is one hundred and twenty over eighty.",
    "Review in one week with blood tests.", "Start amoxicillin five hundred milligrams three times a day.",
    "There is no chest pain and no shortness of breath.", "The wound is healing well and the stitches can come out.",
    "Please take a deep breath and hold it.", "She has had a dry cough for three weeks.",
    "Continue metformin and check the kidney function.", "The heart sounds are normal with no murmur.",
    "He stopped smoking two years ago.", "Her temperature this morning was thirty seven point eight.",
    "Reduce the dose of ramipril to five milligrams once daily.", "The abdomen is soft and not tender.",
    "Refer to the physiotherapist for the knee pain.", "Allergic to penicillin, which gives her a rash.",
)
VOICES = ("en-us", "en-gb", "en-us+f2", "en-us+m3")
RATES = (140, 155, 170)
RUNS = (  # name, command after "medasr", rerun of the previous run's folder
    ("sequential transcribe", ["transcribe"], False),
    ("local, 1 worker", ["batch", "--engine", "local", "--workers", "1"], False),
    ("local, 2 workers", ["batch", "--engine", "local", "--workers", "2"], False),
    ("local, 2 workers x 1 thread", ["batch", "--engine", "local", "--workers", "2", "--threads", "1"], False),
    ("ray, 1 worker", ["batch", "--engine", "ray", "--workers", "1"], False),
    ("ray, 2 workers", ["batch", "--engine", "ray", "--workers", "2"], False),
    ("rerun: ray, 2 workers", ["batch", "--engine", "ray", "--workers", "2"], True),
    ("rerun: local, 2 workers", ["batch", "--engine", "local", "--workers", "2"], True),
)


def make_clips(folder: Path, n: int) -> list[Path]:
    """``n`` WAV clips of two sentences each, made once (kept between runs)."""
    folder.mkdir(parents=True, exist_ok=True)
    clips = []
    for i in range(n):
        p = folder / f"clip{i:04d}.wav"
        if not p.is_file():
            text = f"{SENTENCES[i % len(SENTENCES)]} {SENTENCES[(i * 7 + 3) % len(SENTENCES)]}"
            voice, rate = VOICES[i % len(VOICES)], RATES[(i // len(VOICES)) % len(RATES)]
            subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(p), text], check=True, capture_output=True)
        clips.append(p)
    return clips


def audio_seconds(clips: list[Path]) -> float:
    import soundfile as sf

    return sum(sf.info(str(p)).duration for p in clips)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def outputs(folder: Path) -> dict[str, str]:
    return {k: v for k, v in normalized_outputs(folder).items() if k.startswith("clip")}


def run(name: str, args: list[str], clips_dir: Path, out: Path, env: dict, rerun: bool) -> dict:
    if not rerun and out.exists():
        shutil.rmtree(out)
    cmd = [sys.executable, "-m", "medasr", *args, str(clips_dir), "-f", "txt,json", "-o", str(out)]
    before = load()
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    summary = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""
    print(f"{name}: exit {proc.returncode}, {wall:.1f} s; {summary}", file=sys.stderr)
    if proc.returncode != 0:
        sys.exit(f"{name} failed:\n{proc.stderr[-3000:]}")
    return {"name": name, "command": ["medasr", *args, "CLIPS", "-f", "txt,json", "-o", "OUT"], "wall_s": round(wall, 2),
            "summary": summary, "load_before": before, "load_after": load(), "rerun": rerun}


def alone(clip: Path, env: dict, work: Path) -> str:
    """``medasr transcribe`` on one file in a fresh process: its txt."""
    out = work / "alone"
    subprocess.run([sys.executable, "-m", "medasr", "transcribe", str(clip), "-f", "txt", "-o", str(out)], capture_output=True, env=env, check=True)
    return (out / f"{clip.stem}.txt").read_text(encoding="utf-8")


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = [r for r in results["runs"] if not r["rerun"]]
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.barh([r["name"] for r in runs][::-1], [r["x_real_time"] for r in runs][::-1], color="#4477aa")
    for i, r in enumerate(runs[::-1]):
        ax.text(r["x_real_time"], i, f" {r['x_real_time']:.1f}x ({r['wall_s']:.0f} s)", va="center", fontsize=8)
    ax.set_xlabel("x real time (audio seconds per wall second, whole command)")
    ax.set_title(f"{results['files']} files, {results['audio_minutes']:.1f} min of audio, {results['cores']} CPU cores (shared machine)")
    ax.set_xlim(0, max(r["x_real_time"] for r in runs) * 1.35)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def markdown(results: dict) -> str:
    lines = [f"# medasr batch throughput ({results['files']} files, {results['audio_minutes']:.1f} min of audio)", "",
             f"{results['cpu']}, {results['cores']} cores; commit {results['git']}; model {results['model']}; "
             f"load average before the first run {results['runs'][0]['load_before']}. One run of each, in this order.", "",
             "| run | wall s | x real time | vs sequential | outputs identical to transcribe | load before -> after |", "|---|---|---|---|---|---|"]
    seq = results["runs"][0]["wall_s"]
    first = {r["name"]: r["wall_s"] for r in results["runs"] if not r["rerun"]}
    for r in results["runs"]:
        same = r.get("identical", "(baseline)")
        if r["rerun"]:  # nothing transcribed: its speed is the share of the first run's time
            speed = f"- | {100 * r['wall_s'] / first[r['name'].removeprefix('rerun: ')]:.1f}% of the first run"
        else:
            speed = f"{r['x_real_time']:.1f} | {seq / r['wall_s']:.2f}x"
        lines.append(f"| {r['name']} | {r['wall_s']:.1f} | {speed} | {same} | {r['load_before']} -> {r['load_after']} |")
    if results.get("differing"):
        lines += ["", "Files whose batch output differed from the sequential transcribe (txt):", ""]
        for d in results["differing"]:
            lines.append(f"- {d['file']} ({', '.join(d['runs'])}): transcribe over the folder {d['sequential']!r}, "
                         f"transcribe alone {d['alone']!r}, batch {d['batch']!r}")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=120, help="clips (default 120)")
    ap.add_argument("--clips", type=Path, default=Path(tempfile.gettempdir()) / "medasr-batch-clips", help="where the clips are made once")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "medasr-batch-bench", help="outputs of the runs")
    ap.add_argument("--home", type=Path, default=Path(tempfile.gettempdir()) / "medasr-batch-bench-home", help="MEDASR_HOME for the runs")
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/batch"))
    ap.add_argument("--report-only", action="store_true", help="rewrite results.md and the plot from --out's results.json")
    args = ap.parse_args()
    if args.report_only:
        results = json.loads((args.out / "results.json").read_text())
        (args.out / "results.md").write_text(markdown(results))
        plot(results, args.out / "throughput.png")
        return
    clips = make_clips(args.clips / f"n{args.n}", args.n)
    secs = audio_seconds(clips)
    env = {**os.environ, "MEDASR_HOME": str(args.home), "HF_HUB_OFFLINE": "1"}
    env.pop("MEDASR_CONFIG", None)
    from medasr.bench.machine import machine_info

    machine = machine_info()
    results = {"files": len(clips), "audio_minutes": round(secs / 60, 2), "cores": machine["cpu_count"], "cpu": machine["cpu"],
               "git": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip(),
               "model": "tiny.en-medical (default), beam 5, int8", "machine": machine, "runs": []}
    folders = {}
    for name, cmd, rerun in RUNS:
        key = name.removeprefix("rerun: ")
        folder = args.work / key.replace(" ", "").replace(",", "-")
        folders.setdefault(key, folder)
        r = run(name, cmd, args.clips / f"n{args.n}", folders[key], env, rerun)
        r["x_real_time"] = round(secs / r["wall_s"], 2)
        results["runs"].append(r)
    want = outputs(folders["sequential transcribe"])
    differing: dict[str, dict] = {}
    for r in results["runs"][1:]:
        got = outputs(folders[r["name"].removeprefix("rerun: ")])
        same = sum(got.get(k) == v for k, v in want.items())
        r["identical"] = f"{same} of {len(want)}"
        for k in sorted(k for k, v in want.items() if got.get(k) != v and k.endswith(".txt")):
            d = differing.setdefault(k, {"file": k[:-4] + ".wav", "runs": [], "sequential": want[k].strip(), "batch": got.get(k, "").strip()})
            d["runs"].append(r["name"])
    for d in differing.values():
        d["alone"] = alone(args.clips / f"n{args.n}" / d["file"], env, args.work).strip()
    results["differing"] = list(differing.values())
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    (args.out / "results.md").write_text(markdown(results))
    plot(results, args.out / "throughput.png")
    print(markdown(results))


if __name__ == "__main__":
    main()
