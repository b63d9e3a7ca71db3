"""Streaming benchmark: partial/commit latency (p50/p95) and streamed-vs-offline WER, through
the real server (uvicorn on 127.0.0.1) and a real websocket client.

    python benchmarks/streaming_latency.py [--model tiny.en] [--device cpu] [--sessions 1,2,4]

Data: JFK and the LJ Speech clips from ../shared/data/real-speech (with reference text) and
two espeak-ng clinical passages (reference: the text spoken). Each clip is streamed as
pcm_s16le in 100 ms frames, at real-time pace (N concurrent sessions) and as fast as possible.

Latency, measured on the client clock while streaming at real-time pace:
- commit latency of a word = when its ``committed`` message arrived - when the audio up to
  the word's end had been sent;
- partial latency = when a ``partial`` message arrived - when the audio it covers (its
  ``audio_end``) had been sent: how far the live text trails the speaker.
Writes benchmarks/results/stream_latency.json and stream_latency.png.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "results"
FRAME_S = 0.1
CLINICAL = [
    "The patient is a sixty two year old man with chest pain radiating to the left arm. He takes metformin five hundred "
    "milligrams twice daily and lisinopril ten milligrams once a day. Blood pressure is one hundred forty over ninety.",
    "Assessment: community acquired pneumonia. Plan: start amoxicillin five hundred milligrams three times a day for seven days, "
    "order a chest x-ray, and review in one week. She is allergic to penicillin? No, she has no known drug allergies.",
]


def clips(limit: int) -> list[dict]:
    from medasr.audio import load_audio, write_wav
    from medasr.bench.datasets import shared_data_dir
    from medasr.manifest import read_manifest
    from medasr.synth.engines.cli_engines import espeak_command, run_to_wav

    shared = shared_data_dir() / "real-speech"
    out = []
    if (shared / "manifest.jsonl").is_file():
        for r in read_manifest(shared):
            if r.id == "jfk" or r.id.startswith("LJ"):
                out.append({"id": r.id, "audio": load_audio(r.audio), "text": r.text})
    tmp = Path(tempfile.mkdtemp(prefix="medasr-bench-"))
    if shutil.which("espeak-ng"):
        for i, text in enumerate(CLINICAL):
            wav = tmp / f"clinical{i}.wav"
            write_wav(wav, *run_to_wav(espeak_command(text, "en-us", rate=150 / 175), "espeak-ng en-us"))
            out.append({"id": f"espeak-clinical-{i}", "audio": load_audio(wav), "text": text})
    return out[:limit]


async def stream(url: str, audio: np.ndarray, realtime: bool) -> dict:
    import websockets

    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes()
    n = int(16000 * FRAME_S) * 2
    events: list[tuple[float, dict]] = []
    async with websockets.connect(url + "/v1/stream", max_size=None) as ws:
        await ws.send(json.dumps({"type": "config", "sample_rate": 16000, "encoding": "pcm_s16le"}))
        ready = json.loads(await ws.recv())
        if ready.get("type") != "ready":
            return {"error": ready}
        t0 = time.perf_counter()

        async def reader() -> None:
            async for m in ws:
                events.append((time.perf_counter() - t0, json.loads(m)))

        task = asyncio.create_task(reader())
        for i in range(0, len(pcm), n):
            await ws.send(pcm[i:i + n])
            if realtime:
                await asyncio.sleep(max(0.0, (i + n) / 32000 - (time.perf_counter() - t0)))
        sent = time.perf_counter() - t0
        await ws.send(json.dumps({"type": "end"}))
        await task
    final = next((m for _, m in events if m["type"] == "final"), {})
    done = next((t for t, m in events if m["type"] == "final"), float("nan"))
    commit_lat = [t - w["end"] for t, m in events if m["type"] == "committed" and t < sent for w in m["words"]]
    partial_lat = [t - m["audio_end"] for t, m in events if m["type"] == "partial" and t < sent]
    return {"text": final.get("text", ""), "sent_s": sent, "final_after_end_s": done - sent, "commit_latency": commit_lat,
            "partial_latency": partial_lat, "errors": [m for _, m in events if m["type"] == "error"],
            "committed_before_end": sum(len(m["words"]) for t, m in events if m["type"] == "committed" and t < sent),
            "committed_total": sum(len(m["words"]) for _, m in events if m["type"] == "committed")}


def pct(xs: list[float], q: float) -> float | None:
    return round(float(np.percentile(xs, q)), 3) if xs else None


def wer(ref: list[str], hyp: list[str]) -> float:
    import jiwer
    from whisper_normalizer.english import EnglishTextNormalizer

    n = EnglishTextNormalizer()
    pairs = [(n(r), n(h)) for r, h in zip(ref, hyp) if n(r).strip()]
    return round(jiwer.wer([p[0] for p in pairs], [p[1] for p in pairs]), 4)


async def run_round(url: str, data: list[dict], sessions: int, realtime: bool) -> list[dict]:
    """Each of ``sessions`` concurrent clients streams every clip in turn (offset start)."""
    async def client(k: int) -> list[dict]:
        order = data[k % len(data):] + data[: k % len(data)]
        out = []
        for c in order:
            r = await stream(url, c["audio"], realtime)
            r["id"] = c["id"]
            out.append(r)
        return out

    results = await asyncio.gather(*(client(k) for k in range(sessions)))
    return [r for rs in results for r in rs]


def summarize(rs: list[dict], data: list[dict], offline: dict[str, str]) -> dict:
    refs = {c["id"]: c["text"] for c in data}
    ids = [r["id"] for r in rs]
    commits = [x for r in rs for x in r["commit_latency"]]
    partials = [x for r in rs for x in r["partial_latency"]]
    return {
        "streams": len(rs), "errors": sum(len(r["errors"]) for r in rs),
        "commit_latency_p50_s": pct(commits, 50), "commit_latency_p95_s": pct(commits, 95),
        "partial_latency_p50_s": pct(partials, 50), "partial_latency_p95_s": pct(partials, 95),
        "final_after_end_p50_s": pct([r["final_after_end_s"] for r in rs], 50),
        "final_after_end_p95_s": pct([r["final_after_end_s"] for r in rs], 95),
        "share_committed_before_end": round(sum(r["committed_before_end"] for r in rs) / max(1, sum(r["committed_total"] for r in rs)), 3),
        "wer_streamed_vs_reference": wer([refs[i] for i in ids], [r["text"] for r in rs]),
        "wer_offline_vs_reference": wer([refs[i] for i in ids], [offline[i] for i in ids]),
        "wer_streamed_vs_offline": wer([offline[i] for i in ids], [r["text"] for r in rs]),
        "_commits": commits, "_partials": partials,
    }


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for name, r in results["rounds"].items():
        if not name.startswith("realtime"):
            continue
        for ax, key in zip(axes, ("_commits", "_partials")):
            xs = np.sort(r[key])
            if xs.size:
                ax.plot(xs, np.arange(1, xs.size + 1) / xs.size, label=name)
    for ax, title in zip(axes, ("commit latency (word end -> committed)", "partial latency (audio -> partial text)")):
        ax.set_title(title)
        ax.set_xlabel("seconds")
        ax.set_ylabel("share of events")
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(f"medasr streaming, {results['model']} on {results['device']} ({results['cpus']} CPUs)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="tiny.en")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--sessions", default="1,2,4", help="concurrent real-time sessions per round")
    ap.add_argument("--clips", type=int, default=11)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from medasr.asr.loader import load_transcriber, options_from_settings
    from medasr.config import Settings
    from medasr.ui.app import create_app
    from medasr.ui.protocol import ServeLimits
    from medasr.ui.thread_server import run_in_thread

    settings = Settings.resolve({"model": args.model, "device": args.device})
    tr = load_transcriber(settings)
    data = clips(args.clips)
    print(f"{len(data)} clips, {sum(c['audio'].size for c in data) / 16000:.1f} s of audio; model {tr.info.name} on {tr.info.device}/{tr.info.compute_type}")
    opts = options_from_settings(settings)
    t0 = time.perf_counter()
    offline = {c["id"]: tr.transcribe(c["audio"], opts).text for c in data}
    offline_s = time.perf_counter() - t0
    sessions = [int(s) for s in args.sessions.split(",")]
    srv = run_in_thread(create_app(settings, limits=ServeLimits(max_sessions=max(sessions)), transcriber=tr, ui=False))
    rounds = {}
    try:
        t = time.perf_counter()
        rounds["fast_x1"] = summarize(asyncio.run(run_round(srv.ws_url, data, 1, realtime=False)), data, offline)
        rounds["fast_x1"]["wall_s"] = round(time.perf_counter() - t, 2)
        for n in sessions:
            t = time.perf_counter()
            rounds[f"realtime_x{n}"] = summarize(asyncio.run(run_round(srv.ws_url, data, n, realtime=True)), data, offline)
            rounds[f"realtime_x{n}"]["wall_s"] = round(time.perf_counter() - t, 2)
            print(f"realtime x{n}: done in {rounds[f'realtime_x{n}']['wall_s']} s", flush=True)
    finally:
        srv.stop()
    results = {"model": tr.info.name, "device": f"{tr.info.device}/{tr.info.compute_type}", "cpus": os.cpu_count(),
               "machine": platform.platform(), "load_avg_at_end": os.getloadavg(), "audio_s": round(sum(c["audio"].size for c in data) / 16000, 1),
               "offline_wall_s": round(offline_s, 2), "clips": [c["id"] for c in data], "rounds": rounds}
    args.out.mkdir(parents=True, exist_ok=True)
    stem = "stream_latency" if args.device == "cpu" else f"stream_latency_{args.device}"
    plot(results, args.out / f"{stem}.png")
    for r in rounds.values():
        r.pop("_commits"), r.pop("_partials")
    (args.out / f"{stem}.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"{'round':<14}{'commit p50/p95':>16}{'partial p50/p95':>17}{'final+':>8}{'WER str-off':>12}{'WER off':>9}{'WER str':>9}")
    for name, r in rounds.items():
        print(f"{name:<14}{r['commit_latency_p50_s']!s:>8}/{r['commit_latency_p95_s']!s:<7}{r['partial_latency_p50_s']!s:>9}/{r['partial_latency_p95_s']!s:<7}"
              f"{r['final_after_end_p50_s']!s:>8}{r['wer_streamed_vs_offline']:>12}{r['wer_offline_vs_reference']:>9}{r['wer_streamed_vs_reference']:>9}")
    print(f"wrote {args.out / (stem + '.json')} and .png", file=sys.stderr)


if __name__ == "__main__":
    main()
