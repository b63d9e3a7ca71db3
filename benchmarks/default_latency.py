"""What the default pipeline costs a user: per-file latency in the CLI, per request in the REST
server, and on the Gradio app's path, for stock tiny.en, the medical model alone and the
two-model default, each without and with ``--correct both``.

    python benchmarks/default_latency.py AUDIO [AUDIO ...] [--repeat 3] [--out FILE.json]

- CLI: ``medasr transcribe FILE`` as a user runs it, a fresh process per call (model and
  corrector loading included: the cold cost), median of ``--repeat`` calls per file; and one
  call over every file, whose wall time over the files is the warm per-file cost.
- REST: a real uvicorn server on 127.0.0.1 (``medasr.ui.thread_server.run_in_thread``), one
  ``POST /v1/audio/transcriptions`` per file after a warm-up request, median of ``--repeat``.
- UI: the Gradio upload handler's call (the server's ``Pipeline.run`` on the file: recognition,
  then correction), and the correction alone (``Pipeline.process``), which is what the
  live-dictation tab adds after the user stops recording.

Every configuration runs interleaved in one process so they share the machine's load; on a
shared machine quote the ratios. Writes JSON (``--out``) and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

CONFIGS = (("tiny.en", "none"), ("tiny.en-medical", "none"), ("tiny.en-medical+tiny.en", "none"), ("tiny.en-medical+tiny.en", "both"))


def _med(xs: list[float]) -> float:
    return round(statistics.median(xs), 3)


def cli_times(files: list[Path], model: str, correct: str, repeat: int) -> dict:
    def call(paths: list[Path]) -> float:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "medasr", "transcribe", *map(str, paths), "--model", model, "--correct", correct,
                        "--device", "cpu", "-o", "/tmp/medasr-latency"], check=True, capture_output=True)
        return time.perf_counter() - t0

    cold = {f.name: _med([call([f]) for _ in range(repeat)]) for f in files}
    many = call(files * repeat)
    return {"cold_s": cold, "warm_per_file_s": round(many / (len(files) * repeat), 3)}


def server_times(files: list[Path], model: str, correct: str, repeat: int) -> dict:
    import httpx

    from medasr.config import Settings
    from medasr.ui.app import create_app
    from medasr.ui.thread_server import run_in_thread

    srv = run_in_thread(create_app(Settings.resolve({"model": model, "correct": correct, "device": "cpu"}), ui=False), timeout=600)
    try:
        def post(f: Path) -> float:
            t0 = time.perf_counter()
            r = httpx.post(srv.url + "/v1/audio/transcriptions", files={"file": (f.name, f.read_bytes())}, data={"model": model}, timeout=600)
            r.raise_for_status()
            return time.perf_counter() - t0

        post(files[0])
        return {f.name: _med([post(f) for _ in range(repeat)]) for f in files}
    finally:
        srv.stop()


def ui_times(files: list[Path], model: str, correct: str, repeat: int) -> dict:
    from medasr.audio import load_audio
    from medasr.config import Settings
    from medasr.ui.services import Services

    pipe = Services.load(Settings.resolve({"model": model, "correct": correct, "device": "cpu"})).pipeline
    out = {}
    for f in files:
        opts = pipe.options()
        pipe.run(str(f), opts, correct=correct, label=f.name)  # warm-up (correctors load lazily)
        whole, corr = [], []
        for _ in range(repeat):
            t0 = time.perf_counter()
            pipe.run(str(f), opts, correct=correct, label=f.name)
            whole.append(time.perf_counter() - t0)
            t = pipe.recognize(load_audio(f), opts)
            t1 = time.perf_counter()
            pipe.process(t, correct=correct)
            corr.append(time.perf_counter() - t1)
        out[f.name] = {"upload_s": _med(whole), "correction_s": _med(corr), "audio_s": round(len(load_audio(f)) / 16000, 2)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("audio", nargs="+", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    from medasr.bench.machine import machine_info

    res = {"machine": machine_info(), "files": [str(f) for f in args.audio], "repeat": args.repeat, "configs": []}
    for model, correct in CONFIGS:
        print(f"{model} --correct {correct}", file=sys.stderr, flush=True)
        res["configs"].append({"model": model, "correct": correct, "ui": ui_times(args.audio, model, correct, args.repeat),
                               "server_s": server_times(args.audio, model, correct, args.repeat),
                               "cli": cli_times(args.audio, model, correct, args.repeat)})
    res["machine"]["loadavg_end"] = machine_info()["loadavg"]
    if args.out:
        args.out.write_text(json.dumps(res, indent=1) + "\n", encoding="utf-8")
    print("| model | --correct | file | audio s | UI upload s | UI correction s | REST request s | CLI cold s | CLI warm s/file |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    for c in res["configs"]:
        for f in args.audio:
            u = c["ui"][f.name]
            print(f"| {c['model']} | {c['correct']} | {f.name} | {u['audio_s']} | {u['upload_s']} | {u['correction_s']} | "
                  f"{c['server_s'][f.name]} | {c['cli']['cold_s'][f.name]} | {c['cli']['warm_per_file_s']} |")


if __name__ == "__main__":
    main()
