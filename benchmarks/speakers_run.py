"""``speakers_bench.py run``: every diarizer on one part of the set, then roles end to end."""

from __future__ import annotations

import json
import platform
import statistics
import subprocess
from pathlib import Path

import numpy as np

from speakers_bench import load_avg, load_set, timed


def _asr(transcriber, options, audio, cache: Path):
    from medasr.schema import Transcript

    if cache.is_file():
        d = json.loads(cache.read_text())
        return Transcript.from_dict(d["transcript"]), d["wall"], d["cpu"]
    tr, wall, cpu = timed(transcriber.transcribe, audio, options)
    cache.write_text(json.dumps({"wall": wall, "cpu": cpu, "transcript": tr.to_dict()}))
    return tr, wall, cpu


def _thresholds(out: Path) -> dict:
    p = out / "sweep.json"
    if not p.is_file():
        return {}
    return {k: v["chosen"] for k, v in json.loads(p.read_text())["embedders"].items()}


def cmd_run(args) -> None:
    from speakers_variants import make
    from tqdm import tqdm

    from medasr.asr.loader import load_transcriber, options_from_settings
    from medasr.audio import load_audio, load_channels
    from medasr.bench.consultations import read_reference
    from medasr.bench.diarization import der, reference_spans, role_scores, speaker_count
    from medasr.bench.machine import machine_info
    from medasr.config import Settings
    from medasr.speakers.assign import split_by_speaker
    from medasr.speakers.roles import label_roles
    from medasr.speakers.spec import RoleSpec, SpeakerSpec
    from medasr.speakers.stage import Speakers

    folder, out = Path(args.set), Path(args.out)
    rows = load_set(folder, args.split)[: args.limit or None]
    cache = folder / "asr-cache" / args.model  # beside the set; remove it for fresh end-to-end timings
    cache.mkdir(parents=True, exist_ok=True)
    chosen = _thresholds(out)
    diarizers = {}
    for name in args.diarizer:
        kw = {k: chosen[name][k] for k in ("threshold", "min_seconds", "min_window") if k in chosen[name]} if name in chosen else {}
        diarizers[name] = make(name, threads=args.threads, **kw)
    settings = Settings.resolve({"model": args.model, "threads": args.asr_threads})
    transcriber = load_transcriber(settings)
    options = options_from_settings(settings)
    result = {"split": args.split, "set": str(folder), "model": args.model, "threads": args.threads, "asr_threads": args.asr_threads,
              "thresholds": chosen, "load_before": load_avg(), "uptime_before": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
              "machine": machine_info(), "files": []}
    first = load_audio(folder / rows[0]["mono"])[: 16000 * 20]
    for d in diarizers.values():
        d.diarize(first)  # warm-up: model load and first-call costs stay out of the timings
    stage = Speakers(SpeakerSpec("channels"), RoleSpec("auto"))
    for r in tqdm(rows, desc="consultations"):
        refs = read_reference(folder / r["reference"])
        ref_spans = reference_spans(refs)
        mono = load_audio(folder / r["mono"])
        dur = len(mono) / 16000
        asr, asr_wall, asr_cpu = _asr(transcriber, options, mono, cache / f"{r['id']}.mono.json")
        row = {"id": r["id"], "duration": round(dur, 2), "voices": [r["doctor_voice"], r["patient_voice"]],
               "asr_wall": round(asr_wall, 3), "asr_cpu": round(asr_cpu, 3), "diarizers": {}}
        for name, d in diarizers.items():
            turns, wall, cpu = timed(d.diarize, mono)
            labelled, w2, c2 = timed(lambda: label_roles(split_by_speaker(asr, turns), RoleSpec("auto")))
            row["diarizers"][name] = {
                "wall": round(wall, 3), "cpu": round(cpu, 3), "speakers": speaker_count(turns), **der(ref_spans, turns),
                "e2e_wall": round(asr_wall + wall + w2, 3), "e2e_cpu": round(asr_cpu + cpu + c2, 3), **role_scores(refs, labelled),
            }
        trio = load_audio(folder / r["trio"])
        trio_spans = reference_spans(read_reference(folder / r["trio_reference"]))
        for name, d in diarizers.items():
            turns, wall, cpu = timed(d.diarize, trio)
            row["diarizers"][name]["trio"] = {"wall": round(wall, 3), "speakers": speaker_count(turns), **der(trio_spans, turns)}
        st = load_channels(folder / r["stereo"])
        walls: list[float] = []

        def per_channel(ch, k=[0]):
            k[0] += 1
            tr, w, _ = _asr(transcriber, options, ch, cache / f"{r['id']}.ch{k[0]}.json")
            walls.append(w)
            return tr

        merged, w3, _ = timed(lambda: stage.assign(stage.run_channels(st, per_channel, r["id"])))
        row["channels"] = {"e2e_wall": round(sum(walls) + w3, 3), **role_scores(refs, merged)}
        result["files"].append(row)
    result["load_after"] = load_avg()
    result["uptime_after"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    result["python"] = platform.python_version()
    out.mkdir(parents=True, exist_ok=True)
    (out / f"results-{args.split}.json").write_text(json.dumps(result, indent=1) + "\n")
    cmd_report(args)


def cmd_report(args) -> None:
    """Summary, Markdown and plot from ``results-<split>.json`` (``run`` ends with it; ``report`` redoes it)."""
    out = Path(args.out)
    path = out / f"results-{args.split}.json"
    result = json.loads(path.read_text())
    result["summary"] = summarise(result, list(result["files"][0]["diarizers"]))
    path.write_text(json.dumps(result, indent=1) + "\n")
    (out / f"results-{args.split}.md").write_text(markdown(result))
    plot(result, out / f"speakers-{args.split}.png")
    print((out / f"results-{args.split}.md").read_text())


def _pooled(files: list[dict], key: str, num: str, den: str) -> float:
    n = sum(f[key][num] if key == "channels" else f["diarizers"][key][num] for f in files)
    d = sum(f[key][den] if key == "channels" else f["diarizers"][key][den] for f in files)
    return round(n / d, 4) if d else 0.0


def summarise(result: dict, names: list[str]) -> dict:
    files = result["files"]
    s: dict = {}
    for name in names:
        per = [f["diarizers"][name] for f in files]
        s[name] = {
            "files": len(per),
            "turn_accuracy": _pooled(files, name, "turns_right", "turns"),
            "turn_accuracy_with_words": _pooled(files, name, "turns_right", "turns_with_words"),
            "word_accuracy": _pooled(files, name, "words_right", "words"),
            "speaker_count_accuracy": round(float(np.mean([p["speakers"] == 2 for p in per])), 4),
            "trio_count_accuracy": round(float(np.mean([p["trio"]["speakers"] == 3 for p in per])), 4),
            "mean_der": round(float(np.mean([p["der"] for p in per])), 4),
            "trio_mean_der": round(float(np.mean([p["trio"]["der"] for p in per])), 4),
            "diarize_x_rt_median": round(statistics.median(p["wall"] / f["duration"] for p, f in zip(per, files)), 4),
            "diarize_cpu_x_rt_median": round(statistics.median(p["cpu"] / f["duration"] for p, f in zip(per, files)), 4),
            "diarize_s_per_min_median": round(60 * statistics.median(p["wall"] / f["duration"] for p, f in zip(per, files)), 2),
            "e2e_s_per_min_median": round(60 * statistics.median(p["e2e_wall"] / f["duration"] for p, f in zip(per, files)), 2),
        }
    s["channels"] = {
        "turn_accuracy": _pooled(files, "channels", "turns_right", "turns"),
        "turn_accuracy_with_words": _pooled(files, "channels", "turns_right", "turns_with_words"),
        "word_accuracy": _pooled(files, "channels", "words_right", "words"),
        "e2e_s_per_min_median": round(60 * statistics.median(f["channels"]["e2e_wall"] / f["duration"] for f in files), 2),
    }
    return s


def markdown(result: dict) -> str:
    s = result["summary"]
    lines = [f"# Speaker benchmark, {result['split']} part ({len(result['files'])} consultations, model {result['model']})", "",
             f"Load before: {result['uptime_before']}  ", f"Load after: {result['uptime_after']}  ",
             f"Diarizer torch threads: {result['threads']}; ASR threads: {result['asr_threads']}", "",
             "| diarizer | turns right (of turns with recognised words) | words right | count right (2 voices / 3 voices) | DER (2 / 3 voices) | diarization s / audio min (x RT) | CPU x RT | end to end s / audio min |",
             "|---|---|---|---|---|---|---|---|"]
    for name, v in s.items():
        if name == "channels":
            continue
        lines.append(f"| {name} (mono) | {v['turn_accuracy']:.1%} ({v['turn_accuracy_with_words']:.1%}) | {v['word_accuracy']:.1%} | {v['speaker_count_accuracy']:.0%} / {v['trio_count_accuracy']:.0%} | {v['mean_der']:.1%} / {v['trio_mean_der']:.1%} | "
                     f"{v['diarize_s_per_min_median']:.2f} ({v['diarize_x_rt_median']:.3f}) | {v['diarize_cpu_x_rt_median']:.3f} | {v['e2e_s_per_min_median']:.1f} |")
    c = s["channels"]
    lines.append(f"| channels (stereo) | {c['turn_accuracy']:.1%} ({c['turn_accuracy_with_words']:.1%}) | {c['word_accuracy']:.1%} | - | - | - | - | {c['e2e_s_per_min_median']:.1f} |")
    n_turns = sum(f["channels"]["turns"] for f in result["files"])
    lines += ["", f"Turn and word shares are pooled over files (mono mix, roles by content cues); {n_turns} reference turns, "
              "backchannels left out; a turn no recognised word falls in counts as wrong (in brackets: the share among turns "
              "with recognised words); 3 voices: the same consultations with a "
              "companion saying every third patient turn (count and DER only); DER is the mean per file (collar 0.25 s, overlap scored); "
              "speeds are medians over files (wall clock, this machine's load above).", "", "## Per consultation", "",
              "| file | voices | s | " + " | ".join(f"{n} turns / DER / spk (3-voice spk)" for n in s if n != "channels") + " | channels turns |",
              "|---|---|---|" + "---|" * (len(s) - 1) + "---|"]
    for f in result["files"]:
        cells = [f"{d['turns_right']}/{d['turns']} / {d['der']:.1%} / {d['speakers']} ({d['trio']['speakers']})" for d in f["diarizers"].values()]
        lines.append(f"| {f['id']} | {' + '.join(f['voices'])} | {f['duration']:.0f} | " + " | ".join(cells)
                     + f" | {f['channels']['turns_right']}/{f['channels']['turns']} |")
    return "\n".join(lines) + "\n"


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s = result["summary"]
    names = [n for n in s if n != "channels"]
    fig, ax = plt.subplots(1, 3, figsize=(13, 4))
    acc = [s[n]["turn_accuracy"] * 100 for n in names] + [s["channels"]["turn_accuracy"] * 100]
    ax[0].bar(names + ["channels"], acc, color=["#4c72b0"] * len(names) + ["#55a868"])
    ax[0].axhline(90, ls="--", c="grey")
    ax[0].set_ylim(0, 100)
    ax[0].set_title("reference turns with the right role (%)")
    ax[1].bar(names, [s[n]["mean_der"] * 100 for n in names], color="#c44e52")
    ax[1].set_title("DER (%), mono mix")
    ax[2].bar(names, [s[n]["diarize_x_rt_median"] for n in names], color="#8172b2")
    ax[2].axhline(0.15, ls="--", c="grey")
    ax[2].set_title("diarization x real time (median, wall)")
    for a in ax:
        a.tick_params(axis="x", rotation=20)
    fig.suptitle(f"speakers, {result['split']} part: {len(result['files'])} two-voice consultations (load {result['load_before']} -> {result['load_after']})")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
