"""Score the garbled set (``benchmarks/garbled_set.py``): matcher top-1/top-5, the lexicon pass's
effect on medical-term recall, and hotword biasing's effect on medical-term WER.

    python benchmarks/garbled_eval.py [--data benchmarks/results/vocab_garbled_set.jsonl]

Definitions. *Term recall*: share of utterances whose normalized transcript (numbers read as
words, punctuation dropped) contains the normalized term. *Medical-term WER*: word edit distance
between the term's words and the transcript words aligned to them, summed over utterances, over
the number of term words. *Matcher top-k*: the garbled span (the transcript words aligned to the
term) is queried; a hit is the term's entry (or an entry whose written form, synonym or spoken
form is the term) among the first k candidates. An applied edit is *wrong* when its replacement is not in the
reference sentence.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from medasr.config import Settings
from medasr.correction.lexicon import LexiconCorrector
from medasr.schema import Transcript
from medasr.vocab import load_vocabulary
from medasr.vocab.keys import norm
from medasr.vocab.normalize import to_spoken

RESULTS = Path(__file__).parent / "results"


def words(text: str) -> list[str]:
    return norm(to_spoken(text)).split()


def contains(hyp: str, term: str) -> bool:
    return f" {' '.join(words(term))} " in f" {' '.join(words(hyp))} "


def term_before_after(lex: LexiconCorrector, rec: dict) -> tuple[Transcript, bool, bool]:
    """The lexicon pass on one garbled record: (corrected transcript, term present before, after)."""
    t = Transcript.from_dict(rec["hyp"])
    out = lex.correct(t)
    return out, contains(t.text, rec["term"]), contains(out.text, rec["term"])


def edit_distance(a: list[str], b: list[str]) -> int:
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]


def is_hit(candidate, rec) -> bool:
    e = candidate.entry
    t = norm(rec["term"])
    return e.id == rec["entry_id"] or t in {norm(x) for x in (e.written, *e.synonyms, *e.spoken)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="score the garbled set")
    ap.add_argument("--data", default=str(RESULTS / "vocab_garbled_set.jsonl"))
    ap.add_argument("--out", default=str(RESULTS / "vocab_garbled_eval.json"))
    args = ap.parse_args(argv)
    recs = [json.loads(x) for x in Path(args.data).read_text(encoding="utf-8").splitlines() if x.strip()]
    vocab = load_vocabulary(Settings.resolve())
    lex = LexiconCorrector(vocabulary=vocab)

    top1 = top5 = n_q = g_top1 = g_top5 = n_g = 0
    rec_before = rec_after = lost = 0
    applied = wrong = 0
    per_kind: dict[str, list[int]] = {}
    for r in recs:
        if r["garbled"].strip():
            found = vocab.match(r["garbled"], k=5)
            h1 = bool(found) and is_hit(found[0], r)
            h5 = any(is_hit(c, r) for c in found)
            top1 += h1
            top5 += h5
            n_q += 1
            if not contains(r["garbled"], r["term"]):  # Whisper really got it wrong
                g_top1 += h1
                g_top5 += h5
                n_g += 1
        out, before, after = term_before_after(lex, r)
        rec_before += before
        rec_after += after
        lost += before and not after
        for e in out.edits:
            if e.applied:
                applied += 1
                wrong += not (contains(r["spoken"], e.after) or contains(r["written"], e.after))
        k = per_kind.setdefault(r["kind"], [0, 0, 0])
        k[0] += 1
        k[1] += before
        k[2] += after
        r["_lex_text"] = out.text

    n = len(recs)
    result: dict[str, object] = {
        "utterances": n,
        "model": recs[0].get("model") if recs else None,
        "voices": sorted({f"{r['engine']}:{r['voice']}" for r in recs}),
        "matcher": {"queries": n_q, "top1": round(top1 / max(n_q, 1), 3), "top5": round(top5 / max(n_q, 1), 3),
                    "garbled_only": {"queries": n_g, "top1": round(g_top1 / max(n_g, 1), 3), "top5": round(g_top5 / max(n_g, 1), 3)}},
        "lexicon": {"term_recall_before": round(rec_before / n, 3), "term_recall_after": round(rec_after / n, 3),
                    "terms_fixed": rec_after - rec_before + lost, "terms_broken": lost, "edits_applied": applied,
                    "edits_applied_wrong": wrong,
                    "by_kind": {k: {"n": v[0], "recall_before": round(v[1] / v[0], 3), "recall_after": round(v[2] / v[0], 3)} for k, v in per_kind.items()}},
    }
    if recs and "bias" in recs[0]:
        conds = {"none": [(r["term"], r["garbled"], r["hyp_text"]) for r in recs]}
        for name in recs[0]["bias"]:
            conds[name] = [(r["term"], r["bias"][name]["garbled"], r["bias"][name]["hyp_text"]) for r in recs]
        bias = {}
        for name, rows in conds.items():
            errs = sum(edit_distance(words(term), words(g)) for term, g, _ in rows)
            total = sum(len(words(term)) for term, _, _ in rows)
            recall = sum(contains(h, term) for term, _, h in rows) / n
            lex_recall = sum(contains(lex.correct(Transcript.from_text(h)).text, term) for term, _, h in rows) / n
            bias[name] = {"term_wer": round(errs / total, 3), "term_recall": round(recall, 3), "term_recall_with_lexicon": round(lex_recall, 3)}
        result["biasing"] = bias
        (Path(args.out).parent / "biasing_eval.json").write_text(json.dumps({"utterances": n, "model": result["model"], "biasing": bias}, indent=2) + "\n", encoding="utf-8")
        result["biasing_note"] = ("terms20: hotwords = a 20-term list (the utterance's term + 19 others from the set, shuffled), "
                                  "passed through bias_for(seen_terms=...); specialty: bias_for(specialty=cardiology for drugs, primary-care for diagnoses)")
    out = Path(args.out)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    _plot(result, out.with_suffix(".png"))
    return 0


def _plot(result: dict, path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    m = result["matcher"]
    a.bar(["top-1", "top-5", "top-1\n(garbled only)", "top-5\n(garbled only)"], [m["top1"], m["top5"], m["garbled_only"]["top1"], m["garbled_only"]["top5"]])
    a.set_ylim(0, 1)
    a.set_title(f"matcher accuracy on Whisper-garbled spans (n={m['queries']})")
    lex = result["lexicon"]
    labels, vals = ["ASR", "ASR + lexicon"], [lex["term_recall_before"], lex["term_recall_after"]]
    for name, v in result.get("biasing", {}).items():
        if name != "none":
            labels += [f"{name}", f"{name}\n+ lexicon"]
            vals += [v["term_recall"], v["term_recall_with_lexicon"]]
    b.bar(labels, vals, color="tab:green")
    b.set_ylim(0, 1)
    b.set_title("medical-term recall (tiny.en, TTS)")
    b.tick_params(axis="x", labelsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
