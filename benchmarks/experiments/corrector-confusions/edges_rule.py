"""Should the lexicon pass use the BART trials' function-word rule? (It was left as a follow-up.)

The trials (medasr.correction.bart.verify.trials) trim the words heard and term share at both ends
and refuse a change whose remaining heard words begin or end on a function word ("pain in the soid"
-> "pain in throat" eats a "the"). The lexicon pass (LexiconCorrector._edges_fit) checks only the
untrimmed span's ends. This runs the lexicon pass, text only, over the dev rows and the benchmark's
ASR hypotheses with each rule and prints every row whose edits differ and the edit counts.

    MEDASR_HOME=... python benchmarks/experiments/corrector-confusions/edges_rule.py
"""
import gzip
import json
import sys
from pathlib import Path

from medasr.bench.metrics import edit_stats
from medasr.config import Settings
from medasr.text import norm_word
from medasr.correction.lexicon import EDGE_WORDS, LexiconCorrector
from medasr.schema import Transcript

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "corrector-context"))
from probe_scoring import dev_rows  # noqa: E402


def trimmed_rule(span, surface):
    a, b = [norm_word(t.core) for t in span], [norm_word(w) for w in surface.split()]
    while a and b and a[0] == b[0]:
        a, b = a[1:], b[1:]
    while a and b and a[-1] == b[-1]:
        a, b = a[:-1], b[:-1]
    return bool(a) and bool(b) and a[0] not in EDGE_WORDS and a[-1] not in EDGE_WORDS


def main():
    rows = dev_rows() + dev_rows("runs/ctx/devasr/results.json.gz")
    d = json.load(gzip.open(Path(__file__).resolve().parents[2] / "results" / "corrector-confusions" / "bench/results.json.gz"))
    rows += [dict(hyp=u["hyp"], ref=u["ref"], set="bench:" + u["set"]) for u in d["utterances"] if u["system"].endswith(" asr")]
    print(len(rows), "rows")
    c = LexiconCorrector(Settings.resolve({}))
    res = {"untrimmed (now)": [c.correct(Transcript.from_text(r["hyp"])) for r in rows]}
    c._edges_fit = trimmed_rule
    res["trimmed (the trials' rule)"] = [c.correct(Transcript.from_text(r["hyp"])) for r in rows]
    (na, a), (nb, b) = res.items()
    for r, x, y in zip(rows, a, b):
        ex, ey = {(e.before, e.after, e.applied) for e in x.edits}, {(e.before, e.after, e.applied) for e in y.edits}
        if ex != ey:
            print(f"{r['set']}: {na} {sorted(ex - ey)} | {nb} {sorted(ey - ex)}")
    for name, out in res.items():
        print(name, edit_stats((r["ref"], t.edits) for r, t in zip(rows, out)).to_dict())


if __name__ == "__main__":
    main()
