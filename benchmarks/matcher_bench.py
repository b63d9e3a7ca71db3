"""Matcher benchmark: per-query latency (p50/p95) and memory over the full vocabulary.

Queries: the garbled spans Whisper produced (``benchmarks/results/vocab_garbled_set.jsonl`` when it
exists) plus spoken forms and misspellings of entries sampled (seeded) from the vocabulary.

    python benchmarks/matcher_bench.py [--queries 2000] [--out benchmarks/results/matcher_bench.json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

from medasr.config import Settings
from medasr.vocab import load_vocabulary

RESULTS = Path(__file__).parent / "results"


def rss_mb() -> float:
    """Resident memory of this process in MB (Linux /proc)."""
    try:
        for line in Path(f"/proc/{os.getpid()}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def misspell(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    op = rng.choice("dsi")
    if op == "d":
        return word[:i] + word[i + 1 :]
    if op == "s":
        return word[:i] + rng.choice("aeiou") + word[i + 1 :]
    return word[:i] + " " + word[i:]


def queries(vocab, n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out: list[str] = []
    garbled = RESULTS / "vocab_garbled_set.jsonl"
    if garbled.is_file():
        for line in garbled.read_text(encoding="utf-8").splitlines():
            g = json.loads(line).get("garbled")
            if g:
                out.append(g)
    pool = [e for e in vocab.entries() if len(e.written) <= 40]
    for e in rng.sample(pool, max(0, n - len(out))):
        out.append(misspell(rng.choice(e.spoken), rng) if rng.random() < 0.7 else rng.choice(e.spoken))
    return out[:n]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="matcher latency and memory")
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(RESULTS / "matcher_bench.json"))
    args = ap.parse_args(argv)

    rss0 = rss_mb()
    t0 = time.perf_counter()
    vocab = load_vocabulary(Settings.resolve())
    t_open = time.perf_counter() - t0
    t0 = time.perf_counter()
    matcher = vocab.matcher
    t_index = time.perf_counter() - t0
    rss_index = rss_mb()
    qs = queries(vocab, args.queries, args.seed)
    for q in qs[:50]:  # warm up
        vocab.match(q)
    times, cpu = [], []
    for q in qs:
        t, c = time.perf_counter(), time.thread_time()
        vocab.match(q, k=5)
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.thread_time() - c) * 1000)
    times.sort()
    cpu.sort()
    raw = []
    for q in qs:
        t = time.perf_counter()
        matcher.search(q, k=5)
        raw.append((time.perf_counter() - t) * 1000)
    raw.sort()
    result = {
        "queries": len(qs),
        "surfaces": len(matcher),
        "entries": vocab.stats().entries,
        "open_s": round(t_open, 3),
        "index_build_s": round(t_index, 3),
        "match_ms": {"p50": round(statistics.median(times), 3), "p95": round(times[int(0.95 * len(times)) - 1], 3), "mean": round(statistics.fmean(times), 3)},
        "match_cpu_ms": {"p50": round(statistics.median(cpu), 3), "p95": round(cpu[int(0.95 * len(cpu)) - 1], 3)},
        "search_only_ms": {"p50": round(statistics.median(raw), 3), "p95": round(raw[int(0.95 * len(raw)) - 1], 3)},
        "rss_mb": {"before": round(rss0, 1), "after_index": round(rss_index, 1), "after_queries": round(rss_mb(), 1), "index_delta": round(rss_index - rss0, 1)},
        "machine": {"cpus": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2)},
        "note": "wall and CPU (thread) time per query; match = search + entry fetch from SQLite; rss includes Python, rapidfuzz and the SQLite page cache",
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    m, r = result["match_ms"], result["rss_mb"]
    print(f"matcher: {len(qs)} queries over {len(matcher)} surfaces ({result['entries']} entries)")
    print(f"  latency per query: p50 {m['p50']:.3f} ms  p95 {m['p95']:.3f} ms  mean {m['mean']:.3f} ms")
    c = result["match_cpu_ms"]
    print(f"  CPU time per query: p50 {c['p50']:.3f} ms  p95 {c['p95']:.3f} ms (wall minus waiting for a shared core)")
    print(f"  index build {t_index:.2f} s; memory RSS {r['after_queries']:.0f} MB (index +{r['index_delta']:.0f} MB)")
    print(f"  wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
