"""Benchmark the BART corrector: medical-term WER, over-correction, and latency per segment.

    python benchmarks/corrector_latency.py --pairs runs/corrector/run1/pairs.jsonl [--model DIR]

1. Held-out ASR output (the ``test`` split of a pairs file: real hypotheses of an ASR model on
   synthetic clinical speech that the corrector never trained on): WER and medical-term WER
   (medwer's list and ours) of the ASR text, after ``bart``, after ``lexicon`` and after
   ``both``, with 95% bootstrap intervals.
2. Over-correction: already-correct text (real-speech references, PriMock57 utterances) fed in
   as hypotheses; the share of words an applied edit changed (and of words only suggested).
3. Latency: one segment at a time (with its neighbours as context), p50/p95 on this machine's
   CPU threads; and the batched throughput over the whole held-out set; then the same with the
   vocabulary-candidate judging off (generation only), in the same run.

Writes ``benchmarks/results/corrector.json`` and ``corrector.png``; prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from medasr.bench.datasets import shared_data_dir
from medasr.bench.metrics import corpus_score, score_utterance
from medasr.bench.primock import parse_textgrid
from medasr.bench.terms import medwer_terms, vocab_terms
from medasr.config import Settings
from medasr.manifest import read_manifest
from medasr.correction.bart.corrector import BartCorrector
from medasr.train.corrector.pairs import read_pairs
from medasr.correction.base import get_corrector
from medasr.schema import Segment, Transcript

RESULTS = Path(__file__).resolve().parent / "results"


def _transcript(texts: list[str]) -> Transcript:
    return Transcript(segments=tuple(Segment(id=i, start=0.0, end=0.0, text=t) for i, t in enumerate(texts)))


def _changed_words(t: Transcript, applied: bool) -> int:
    return sum(max(len(e.before.split()), len(e.after.split()), 1) for e in t.edits if e.source == "bart" and e.applied == applied)


def correct_all(stages, texts: list[str], group: int = 8) -> tuple[list[str], list[Transcript]]:
    """Run ``stages`` over ``texts`` in transcripts of ``group`` consecutive segments (neighbours as context)."""
    outs, ts = [], []
    for i in range(0, len(texts), group):
        t = _transcript(texts[i:i + group])
        for c in stages:
            t = c.correct(t)
        ts.append(t)
        outs += [s.text for s in t.segments]
    return outs, ts


def score(refs, hyps, termsets) -> dict:
    cs = corpus_score([score_utterance(str(i), r, h, termsets) for i, (r, h) in enumerate(zip(refs, hyps))])
    return cs.to_dict()


def primock_texts(limit: int) -> list[str]:
    d = shared_data_dir() / "primock57-dev" / "transcripts"
    turns = [t for p in sorted(d.glob("*.TextGrid")) for t in parse_textgrid(p)]
    turns.sort(key=lambda t: (t.consultation, t.start))
    return [t.text for t in turns if len(t.text.split()) >= 3][:limit]


def realspeech_texts() -> list[str]:
    rows = read_manifest(shared_data_dir() / "real-speech")
    return [r.text for r in rows if len(r.text.split()) >= 3]


def overcorrection(bart, texts: list[str]) -> dict:
    _, ts = correct_all([bart], texts)
    words = sum(len(x.split()) for x in texts)
    changed = sum(_changed_words(t, True) for t in ts)
    suggested = sum(_changed_words(t, False) for t in ts)
    examples = [(e.before, e.after, e.reason) for t in ts for e in t.edits if e.applied][:10]
    return {"segments": len(texts), "words": words, "changed_words": changed, "changed_rate": changed / max(1, words),
            "suggested_words": suggested, "suggested_rate": suggested / max(1, words), "applied_examples": examples}


def latency(bart, texts: list[str], n: int) -> dict:
    per = []
    for i in range(min(n, len(texts))):
        t = _transcript(texts[max(0, i - 1):i + 2])  # the segment and its neighbours; all three corrected
        t0 = time.perf_counter()
        bart.correct(t)
        per.append((time.perf_counter() - t0) / len(t.segments))
    t0 = time.perf_counter()
    bart.correct(_transcript(texts))
    batched = (time.perf_counter() - t0) / len(texts)
    q = statistics.quantiles(per, n=20)
    return {"segments_timed": len(per), "p50_s": statistics.median(per), "p95_s": q[18], "batched_per_segment_s": batched}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=Path, required=True, help="pairs file whose test split is scored")
    ap.add_argument("--model", type=Path, default=None, help="corrector CTranslate2 folder (default: the released one)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--primock", type=int, default=400, help="PriMock57 utterances for the over-correction check")
    ap.add_argument("--latency-n", type=int, default=60)
    ap.add_argument("--out", type=Path, default=RESULTS / "corrector.json")
    ap.add_argument("--note", default="", help="recorded in the results (e.g. which training run the model came from)")
    a = ap.parse_args(argv)

    settings = Settings.resolve({"device": "cpu", "threads": a.threads})
    bart = BartCorrector(settings, model_path=a.model)
    test = [p for p in read_pairs(a.pairs) if p.split == "test"]
    refs, hyps = [p.ref for p in test], [p.hyp for p in test]
    termsets = [t for t in (medwer_terms(),) if t] + vocab_terms(settings)
    from medasr.bench.machine import machine_info

    res: dict = {"note": a.note, "machine": machine_info(), "model": str(bart.model_path), "pairs": str(a.pairs), "asr_models": sorted({p.source for p in test}),
                 "threads": a.threads, "test_utterances": len(test), "systems": {}}
    systems = {"asr": [], "bart": [bart]}
    try:
        lex = get_corrector("lexicon", settings=settings)
        systems["lexicon"], systems["both"] = [lex], [lex, bart]
    except Exception as e:  # the lexicon stage needs the built vocabulary
        print(f"lexicon stage unavailable: {e}", file=sys.stderr)
    for name, stages in systems.items():
        out, ts = correct_all(stages, hyps) if stages else (hyps, [])
        res["systems"][name] = score(refs, out, termsets)
        res["systems"][name]["bart_applied_edits"] = sum(1 for t in ts for e in t.edits if e.source == "bart" and e.applied)
        res["systems"][name]["bart_suggestions"] = sum(1 for t in ts for e in t.edits if e.source == "bart" and not e.applied)
    res["overcorrection"] = {"real_speech": overcorrection(bart, realspeech_texts()),
                             "primock57": overcorrection(bart, primock_texts(a.primock))}
    res["latency"] = latency(bart, hyps, a.latency_n)
    verify, bart.verify = bart.verify, None  # the same model generating only: what judging candidates costs
    res["latency_generation_only"] = latency(bart, hyps, a.latency_n)
    bart.verify = verify
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    print(table(res))
    _plot(res, a.out.with_suffix(".png"))
    return 0


def table(res: dict) -> str:
    def iv(d):
        return "n/a" if d["value"] is None else f"{d['value']:.3f} [{d['low']:.3f}, {d['high']:.3f}]"

    names = sorted({n for s in res["systems"].values() for n in s["terms"]})
    lines = ["| system | WER | " + " | ".join(f"{n} term WER" for n in names) + " | bart applied / suggested |",
             "|---" * (len(names) + 3) + "|"]
    for sys_name, s in res["systems"].items():
        cells = [iv(s["terms"][n]["wer"]) if n in s["terms"] else "n/a" for n in names]
        lines.append(f"| {sys_name} | {iv(s['wer'])} | " + " | ".join(cells) + f" | {s['bart_applied_edits']} / {s['bart_suggestions']} |")
    for k, o in res["overcorrection"].items():
        lines.append(f"\nover-correction on {k}: {o['changed_words']}/{o['words']} words changed ({100 * o['changed_rate']:.2f}%), "
                     f"{o['suggested_words']} suggested")
    la = res["latency"]
    lines.append(f"\nlatency per segment ({res['threads']} threads): p50 {1000 * la['p50_s']:.0f} ms, p95 {1000 * la['p95_s']:.0f} ms; "
                 f"batched {1000 * la['batched_per_segment_s']:.0f} ms/segment")
    g = res.get("latency_generation_only")
    if g:
        lines.append(f"generation only (no vocabulary-candidate judging): p50 {1000 * g['p50_s']:.0f} ms, "
                     f"p95 {1000 * g['p95_s']:.0f} ms; judging costs x{la['p50_s'] / g['p50_s']:.2f} at p50")
    return "\n".join(lines)


def _plot(res: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = sorted({n for s in res["systems"].values() for n in s["terms"]})
    fig, axes = plt.subplots(1, len(names) + 1, figsize=(4 * (len(names) + 1), 3.2))
    for ax, metric in zip(axes, ["WER"] + names):
        vals = [(k, s["wer"] if metric == "WER" else s["terms"].get(metric, {}).get("wer")) for k, s in res["systems"].items()]
        vals = [(k, v) for k, v in vals if v and v["value"] is not None]
        ax.bar([k for k, _ in vals], [v["value"] for _, v in vals],
               yerr=[[v["value"] - v["low"] for _, v in vals], [v["high"] - v["value"] for _, v in vals]], capsize=4)
        ax.set_title(metric if metric == "WER" else f"{metric} term WER")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    sys.exit(main())
