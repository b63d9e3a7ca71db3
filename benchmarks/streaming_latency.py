"""Live dictation under load: N concurrent real-time-paced streams of TTS clinical speech
through the real server (``medasr serve`` in its own process) and real websocket clients.

    python benchmarks/streaming_latency.py [--model tiny.en-medical] [--device cpu] [--sessions 1,2,4,8]

Clips: clinical passages (not used to choose any streaming setting) spoken by espeak-ng
(en-us+m1), flite (slt) and festival (slt HTS), each followed by 3 s of silence (where streaming used to invent words).
In a round of N, N clients start together and each streams ``--clips-per-client`` clips in
turn, 100 ms pcm_s16le frames at real-time pace. A client the server refuses (1013) waits
2 s and goes on to its next clip. Per round:

- commit latency of a word = when its ``committed`` message arrived - when the audio up to the
  word's end had been sent (every committed word, those flushed at the end included);
- final WER against the reference and against the offline transcript of the same audio (the
  server's model and options, run here before the server starts);
- words invented: final words beyond the reference's count, summed over clips (normalized
  text); clips whose final has more than 1.15x the reference's words;
- finals complete: a final arrived and holds at least 85% of the offline transcript's words;
- sessions refused at connect (1013), ``lag`` messages, and the load average (``uptime``).

Writes benchmarks/results/stream_latency.json and .png (``--out`` elsewhere).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import subprocess  # the server runs as its own process
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "results"
FRAME_S = 0.1
TAIL_S = 3.0
PASSAGES = [
    "The patient is a sixty two year old man with chest pain radiating to the left arm since this morning. He takes metformin "
    "five hundred milligrams twice daily and lisinopril ten milligrams once a day. Blood pressure is one hundred forty over ninety.",
    "Assessment: community acquired pneumonia. Plan: start amoxicillin five hundred milligrams three times a day for seven days, "
    "order a chest x-ray, and review in one week. She has no known drug allergies.",
    "She reports a dry cough for three weeks and mild shortness of breath on exertion. No fever, no weight loss. "
    "On examination the chest is clear and oxygen saturation is ninety eight percent on room air.",
    "Continue atorvastatin twenty milligrams at night. Stop ibuprofen because of the raised creatinine. "
    "Repeat kidney function tests in two weeks and refer to cardiology for an echocardiogram.",
    "The child has had ear pain and a temperature of thirty eight point five degrees for two days. "
    "The left ear drum is red and bulging. Give paracetamol and review in forty eight hours if no better.",
    "He has type two diabetes with an HbA1c of fifty eight. Increase metformin to one gram twice daily, "
    "check his feet every year, and book a retinal screening appointment.",
]
VOICES = [("espeak-ng", "en-us+m1"), ("flite", "slt"), ("festival", "slt-hts")]  # the synth engines' voices
# --passages dev: other passages and other voices, for choosing streaming settings (the six
# above only report)
DEV_PASSAGES = [
    "Mrs Patel is a fifty four year old woman with a three day history of burning on passing urine and lower abdominal pain. "
    "She takes ramipril five milligrams once daily. Start nitrofurantoin one hundred milligrams twice a day for three days.",
    "He fell off a ladder this afternoon and hurt his right wrist. There is swelling over the distal radius but no wound. "
    "Give co-codamol for the pain, apply a splint and send him for an x-ray of the wrist.",
    "Her asthma has been worse since the winter, with a wheeze at night twice a week. She uses the salbutamol inhaler most days. "
    "Add beclometasone two puffs twice a day and check her inhaler technique.",
    "The rash started on his chest four days ago and has spread to both arms. It is itchy but not painful. "
    "He started allopurinol two weeks ago. Stop the allopurinol and review the blood count tomorrow.",
    "Blood glucose this morning was eleven point two. She has lost three kilograms in a month and feels thirsty all the time. "
    "Request an HbA1c, a urine ketone test and a fasting lipid profile.",
    "Follow up after his heart attack in March. He walks two miles a day without chest pain. Continue aspirin seventy five "
    "milligrams, bisoprolol two point five milligrams and atorvastatin eighty milligrams at night.",
]
DEV_VOICES = [("espeak-ng", "en+f2"), ("flite", "awb"), ("festival", "kal")]
RATE = 150 / 175  # espeak-ng at 150 words a minute


def clips(passages: str = "test") -> list[dict]:
    """Each passage spoken by the next voice that works here (the synth engines' own command
    lines), 16 kHz, then 3 s of silence."""
    from medasr.audio import resample
    from medasr.synth.engines.base import VoiceParams, get_engine

    home = Path(tempfile.mkdtemp(prefix="medasr-stream-bench-"))
    voices = []
    for engine, name in (DEV_VOICES if passages == "dev" else VOICES):
        try:
            eng = get_engine(engine, home)
            voice = next((v for v in eng.voices() if v.name == name), None)
        except Exception:  # an engine that is not installed here
            voice = None
        if voice is not None:
            voices.append((eng, voice))
    if not voices:
        raise SystemExit("no TTS engine works here: apt-get install espeak-ng flite festival festvox-us-slt-hts")
    out = []
    for i, text in enumerate(DEV_PASSAGES if passages == "dev" else PASSAGES):
        eng, voice = voices[i % len(voices)]
        audio, rate = eng.synthesize(text, voice, VoiceParams(rate=RATE if voice.engine == "espeak-ng" else 1.0))
        audio = np.concatenate([resample(np.asarray(audio, dtype=np.float32), rate), np.zeros(int(TAIL_S * 16000), dtype=np.float32)])
        out.append({"id": f"clinical-{i}-{voice.engine}-{voice.name}", "audio": audio, "text": text})
    shutil.rmtree(home, ignore_errors=True)
    return out


async def stream(url: str, audio: np.ndarray) -> dict:
    import websockets

    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes()
    n = int(16000 * FRAME_S) * 2
    events: list[tuple[float, dict]] = []
    async with websockets.connect(url + "/v1/stream", max_size=None) as ws:
        await ws.send(json.dumps({"type": "config", "sample_rate": 16000, "encoding": "pcm_s16le"}))
        first = json.loads(await ws.recv())
        if first.get("type") != "ready":
            try:
                await ws.recv()
            except websockets.ConnectionClosed:
                pass
            return {"refused": ws.close_code == 1013, "error": first}
        t0 = time.perf_counter()

        async def reader() -> None:
            try:
                async for m in ws:
                    events.append((time.perf_counter() - t0, json.loads(m)))
            except websockets.ConnectionClosed:
                pass

        task = asyncio.create_task(reader())
        for i in range(0, len(pcm), n):
            await ws.send(pcm[i:i + n])
            await asyncio.sleep(max(0.0, (i + n) / 32000 - (time.perf_counter() - t0)))
        sent = time.perf_counter() - t0
        await ws.send(json.dumps({"type": "end"}))
        await asyncio.wait_for(task, timeout=300)
    final = next((m for _, m in events if m["type"] == "final"), None)
    done = next((t for t, m in events if m["type"] == "final"), float("nan"))
    return {"refused": False, "final": final["text"] if final else None, "sent_s": sent, "final_after_end_s": done - sent,
            "commit_latency": [t - w["end"] for t, m in events if m["type"] == "committed" for w in m["words"]],
            "lag_messages": sum(1 for _, m in events if m["type"] == "lag"), "errors": [m for _, m in events if m["type"] == "error"]}


async def run_round(url: str, data: list[dict], sessions: int, per_client: int) -> list[dict]:
    async def client(k: int) -> list[dict]:
        out = []
        for j in range(per_client):
            c = data[(k + j * sessions) % len(data)]
            r = await stream(url, c["audio"])
            r["id"] = c["id"]
            out.append(r)
            if r["refused"]:
                await asyncio.sleep(2.0)
        return out

    results = await asyncio.gather(*(client(k) for k in range(sessions)))
    return [r for rs in results for r in rs]


def words(text: str) -> list[str]:
    from whisper_normalizer.english import EnglishTextNormalizer

    return EnglishTextNormalizer()(text).split()


def wer(refs: list[str], hyps: list[str]) -> float | None:
    import jiwer

    pairs = [(" ".join(words(r)), " ".join(words(h))) for r, h in zip(refs, hyps) if words(r)]
    return round(jiwer.wer([p[0] for p in pairs], [p[1] for p in pairs]), 4) if pairs else None


def pct(xs: list[float], q: float) -> float | None:
    return round(float(np.percentile(xs, q)), 3) if xs else None


def summarize(rs: list[dict], data: list[dict], offline: dict[str, str]) -> dict:
    refs = {c["id"]: c["text"] for c in data}
    served = [r for r in rs if not r["refused"] and "error" not in r]
    done = [r for r in served if r["final"] is not None]
    commits = [x for r in served for x in r["commit_latency"]]
    per_clip = []
    for r in done:
        nf, nr, no = len(words(r["final"])), len(words(refs[r["id"]])), len(words(offline[r["id"]]))
        per_clip.append({"id": r["id"], "final_words": nf, "reference_words": nr, "offline_words": no,
                         "complete": nf >= 0.85 * no, "inflated": nf > 1.15 * nr})
    ids = [r["id"] for r in done]
    return {
        "streams": len(rs), "refused": sum(r["refused"] for r in rs), "served": len(served),
        "finals": len(done), "finals_complete": sum(c["complete"] for c in per_clip),
        "clips_inflated": sum(c["inflated"] for c in per_clip),
        "words_invented": sum(max(0, c["final_words"] - c["reference_words"]) for c in per_clip),
        "max_final_to_reference_words": round(max((c["final_words"] / c["reference_words"] for c in per_clip), default=0.0), 3),
        "errors": sum(len(r["errors"]) for r in served), "lag_messages": sum(r["lag_messages"] for r in served),
        "commit_latency_p50_s": pct(commits, 50), "commit_latency_p95_s": pct(commits, 95),
        "final_after_end_p50_s": pct([r["final_after_end_s"] for r in done], 50),
        "final_after_end_p95_s": pct([r["final_after_end_s"] for r in done], 95),
        "wer_streamed_vs_reference": wer([refs[i] for i in ids], [r["final"] for r in done]),
        "wer_offline_vs_reference": wer([refs[i] for i in ids], [offline[i] for i in ids]),
        "wer_streamed_vs_offline": wer([offline[i] for i in ids], [r["final"] for r in done]),
        "per_clip": per_clip, "_commits": commits,
    }


def start_server(model: str, device: str, port: int) -> subprocess.Popen:
    import httpx

    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "medasr", "serve", "--port", str(port), "--model", model, "--device", device, "--no-ui"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server failed to start: {proc.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise SystemExit("the server did not start within 300 s")


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4))
    names = list(results["rounds"])
    for name in names:
        xs = np.sort(results["rounds"][name]["_commits"])
        if xs.size:
            a.plot(xs, np.arange(1, xs.size + 1) / xs.size, label=name)
    a.set_title("commit latency (word end -> committed)")
    a.set_xlabel("seconds")
    a.set_ylabel("share of committed words")
    a.grid(alpha=0.3)
    a.legend()
    x = np.arange(len(names))
    for k, (key, label) in enumerate((("wer_streamed_vs_reference", "streamed vs reference"), ("wer_offline_vs_reference", "offline vs reference"),
                                      ("wer_streamed_vs_offline", "streamed vs offline"))):
        b.bar(x + (k - 1) * 0.27, [results["rounds"][n][key] or 0 for n in names], 0.27, label=label)
    for i, n in enumerate(names):
        r = results["rounds"][n]
        b.text(i, 0.01, f"refused {r['refused']}\ncomplete {r['finals_complete']}/{r['finals']}", ha="center", fontsize=7)
    b.set_xticks(x, names)
    b.set_title("WER")
    b.grid(alpha=0.3, axis="y")
    b.legend(fontsize=8)
    fig.suptitle(f"medasr live dictation, {results['model']} on {results['device']} ({results['cpus']} CPUs)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="tiny.en-medical")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--sessions", default="1,2,4,8", help="concurrent real-time sessions per round")
    ap.add_argument("--clips-per-client", type=int, default=0, help="clips each client streams (0: all six at N=1, else 2)")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--passages", choices=("test", "dev"), default="test",
                    help="test: the six reported passages; dev: six others in other voices, for choosing settings")
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from medasr.asr.loader import load_transcriber, options_from_settings
    from medasr.config import Settings
    from medasr.ui.thread_server import free_port

    settings = Settings.resolve({"model": args.model, "device": args.device})
    tr = load_transcriber(settings)
    data = clips(args.passages)
    total = sum(c["audio"].size for c in data) / 16000
    print(f"{len(data)} clips, {total:.1f} s of audio; model {tr.info.name} on {tr.info.device}/{tr.info.compute_type}", flush=True)
    opts = options_from_settings(settings)
    offline = {c["id"]: tr.transcribe(c["audio"], opts).text for c in data}
    del tr
    port = free_port()
    proc = start_server(args.model, args.device, port)
    url = f"ws://127.0.0.1:{port}"
    rounds, health = {}, {}
    try:
        import httpx

        health["start"] = httpx.get(f"http://127.0.0.1:{port}/health").json()
        for n in [int(s) for s in args.sessions.split(",")]:
            per = args.clips_per_client or (len(data) if n == 1 else 2)
            load0, t = os.getloadavg(), time.perf_counter()
            rs = asyncio.run(run_round(url, data, n, per))
            r = summarize(rs, data, offline)
            r.update({"sessions": n, "clips_per_client": per, "wall_s": round(time.perf_counter() - t, 1),
                      "load_avg_start": [round(x, 2) for x in load0], "load_avg_end": [round(x, 2) for x in os.getloadavg()]})
            rounds[f"N={n}"] = r
            print(f"N={n}: commit p50/p95 {r['commit_latency_p50_s']}/{r['commit_latency_p95_s']} s, WER ref {r['wer_streamed_vs_reference']} "
                  f"(offline {r['wer_offline_vs_reference']}), vs offline {r['wer_streamed_vs_offline']}, invented {r['words_invented']}, "
                  f"complete {r['finals_complete']}/{r['finals']}, refused {r['refused']}, load {r['load_avg_start'][0]}->{r['load_avg_end'][0]}", flush=True)
        health["end"] = httpx.get(f"http://127.0.0.1:{port}/health").json()
    finally:
        proc.terminate()
        proc.wait(timeout=120)
    results = {"model": args.model, "device": args.device, "cpus": os.cpu_count(), "machine": platform.platform(),
               "audio_s": round(total, 1), "clips": [{"id": c["id"], "seconds": round(c["audio"].size / 16000, 2), "text": c["text"]} for c in data],
               "offline": offline, "server_capacity_at_start": health.get("start", {}).get("sessions"),
               "server_at_end": health.get("end", {}).get("sessions"), "rounds": rounds,
               "command": "python benchmarks/streaming_latency.py " + " ".join(sys.argv[1:])}
    args.out.mkdir(parents=True, exist_ok=True)
    stem = "stream_latency" if args.device == "cpu" else f"stream_latency_{args.device}"
    plot(results, args.out / f"{stem}.png")
    for r in rounds.values():
        r.pop("_commits")
    (args.out / f"{stem}.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"{'round':<6}{'commit p50/p95':>16}{'WER ref':>9}{'off ref':>9}{'vs off':>8}{'invent':>8}{'complete':>10}{'refused':>9}")
    for name, r in rounds.items():
        print(f"{name:<6}{r['commit_latency_p50_s']!s:>8}/{r['commit_latency_p95_s']!s:<7}{r['wer_streamed_vs_reference']!s:>9}"
              f"{r['wer_offline_vs_reference']!s:>9}{r['wer_streamed_vs_offline']!s:>8}{r['words_invented']:>8}"
              f"{r['finals_complete']:>5}/{r['finals']:<4}{r['refused']:>9}")
    print(f"wrote {args.out / (stem + '.json')} and .png", file=sys.stderr)


if __name__ == "__main__":
    main()
