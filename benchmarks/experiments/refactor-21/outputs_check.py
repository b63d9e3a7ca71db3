"""Record what ``medasr transcribe`` writes, to check that a refactor changes no output.

Runs the CLI as a user would (a subprocess) with ``-f txt -f srt -f json``:

- on the shared real speech (JFK and four LJ Speech clips), with no correction and with
  ``--correct both``;
- on a short GP consultation spoken by espeak-ng (doctor and patient voices, the synth
  corpus's engine), with ``--correct both --note``.

Every written file is normalized (JSON loses its ``timings`` fields, which are wall seconds)
and stored with its sha256 in the results file. int8 decoding depends on the CPU's SIMD level,
so two results files compare only when made on the same machine.

    python benchmarks/experiments/refactor-21/outputs_check.py --out before.json
    python benchmarks/experiments/refactor-21/outputs_check.py --out after.json --compare before.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from medasr.bench.outputs import normalized

REAL = ("jfk/jfk.flac", "ljspeech/LJ001-0001.wav", "ljspeech/LJ001-0002.wav", "ljspeech/LJ001-0003.wav", "ljspeech/LJ001-0004.wav")
CONSULTATION = (
    ("en-us+m3", "Hello, what brings you in today?"),
    ("en-us+f2", "I have had a bad cough and a fever for three days, and some pain in my chest."),
    ("en-us+m3", "Do you take any regular medication?"),
    ("en-us+f2", "I take metformin five hundred milligrams twice a day for my diabetes, and I am allergic to penicillin."),
    ("en-us+m3", "Your temperature is thirty eight point five and I can hear crackles at the right base."),
    ("en-us+m3", "I think this is a chest infection. I will prescribe doxycycline one hundred milligrams once daily for seven days."),
)
RUNS = (
    ("real-speech", "real", ()),
    ("real-speech-both", "real", ("--correct", "both")),
    ("consultation", "consultation", ("--correct", "both", "--note")),
)


def speak_consultation(path: Path) -> None:
    """The turns spoken by espeak-ng through the synth engine, 0.6 s of silence between them, at 16 kHz."""
    from medasr.synth.engines.base import Voice, VoiceParams
    from medasr.synth.engines.cli_engines import EspeakEngine

    engine = EspeakEngine()
    parts = []
    for voice, text in CONSULTATION:
        audio, sr = engine.synthesize(text, Voice("espeak-ng", voice), VoiceParams())
        parts += [audio, np.zeros(int(0.6 * sr), dtype=np.float32)]
    import soundfile as sf

    sf.write(path, np.concatenate(parts), sr, subtype="PCM_16")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def run_all(work: Path, home: Path) -> dict:
    """Speak the consultation, run every ``RUNS`` entry through the CLI, return the normalized outputs."""
    from medasr.bench.datasets import shared_data_dir

    data = shared_data_dir() / "real-speech"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    consult = work / "consultation.wav"
    speak_consultation(consult)
    inputs = {"real": [str(data / r) for r in REAL], "consultation": [str(consult)]}
    env = {**os.environ, "MEDASR_HOME": str(home), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    env.pop("MEDASR_CONFIG", None)
    result = {"git": subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip(),
              "inputs": {"consultation.wav": sha(consult.read_bytes()), **{Path(p).name: sha(Path(p).read_bytes()) for p in inputs["real"]}},
              "runs": {}}
    for name, which, flags in RUNS:
        out_dir = work / name
        cmd = [sys.executable, "-m", "medasr", "transcribe", *inputs[which], "-f", "txt", "-f", "srt", "-f", "json", "-o", str(out_dir), *flags]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        last = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""
        print(f"{name}: exit {proc.returncode} in {time.perf_counter() - t0:.0f} s; {last}", file=sys.stderr)
        if proc.returncode != 0:
            sys.exit(f"{name} failed:\n{proc.stderr}")
        files = {}
        for p in sorted(out_dir.iterdir()):
            text = normalized(p)
            files[p.name] = {"sha256": sha(text.encode()), "content": text}
        result["runs"][name] = {"command": ["medasr", *cmd[3:]], "files": files}
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True, help="results file to write")
    ap.add_argument("--compare", type=Path, help="an earlier results file: report every output that differs")
    ap.add_argument("--home", type=Path, default=Path(tempfile.gettempdir()) / "medasr-outputs-check-home",
                    help="MEDASR_HOME for the runs (kept, so the vocabulary is built once)")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "medasr-outputs-check",
                    help="folder for the spoken consultation and the outputs (emptied first; a fixed path, since the "
                         "transcript JSON and the note name their audio file)")
    args = ap.parse_args()

    result = run_all(args.work, args.home)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    if args.compare:
        sys.exit(compare(json.loads(args.compare.read_text(encoding="utf-8")), result))


def compare(before: dict, after: dict) -> int:
    bad = 0
    if before["inputs"] != after["inputs"]:
        print("inputs differ (the spoken consultation or the shared data changed)")
        bad += 1
    for run, r in before["runs"].items():
        a = after["runs"].get(run, {"files": {}})["files"]
        for name, f in r["files"].items():
            if name not in a:
                print(f"{run}/{name}: missing after")
                bad += 1
            elif a[name]["sha256"] != f["sha256"]:
                print(f"{run}/{name}: differs")
                bad += 1
        for name in sorted(set(a) - set(r["files"])):
            print(f"{run}/{name}: new file after")
            bad += 1
    n = sum(len(r["files"]) for r in before["runs"].values())
    print(f"{n - bad if bad <= n else 0} of {n} outputs identical" + ("" if bad else " (all)"))
    return 1 if bad else 0


if __name__ == "__main__":
    main()
