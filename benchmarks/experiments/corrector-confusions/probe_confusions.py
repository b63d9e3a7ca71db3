"""Every learned-confusion candidate on dev text, with the judge's two scores, so the table's
thresholds (count, posterior, match) and the margin can be chosen off the benchmark.

    MEDASR_HOME=... python probe_confusions.py OUT.json [RESULTS.json.gz]   # record (all thresholds open)
    python probe_confusions.py --table OUT.json [OUT2.json ...]             # applied / right / wrong / harmful

Rows as in ../corrector-context/probe_scoring.py (synth dev split, consultation turns; with
RESULTS.json.gz the PriMock dev utterances and their references). Right: the candidate's words are
in the reference and the heard ones are not; harmful: the heard words were all in the reference.
"""
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "corrector-context"))


def record(out, primock_results=None):
    from probe_scoring import dev_chunks

    import medasr.correction.bart.corrector as B
    from medasr.text import normalize
    from medasr.config import Settings
    from medasr.correction.bart.verify import in_place, target_text, trials
    from medasr.correction.confusions import load_table

    c = B.BartCorrector(Settings.resolve({"device": "cpu", "threads": 2}))
    model, table = c.model, load_table()
    rec = []
    for p, refw, ch, seg in dev_chunks(primock_results):
        props = table.proposals(seg, min_posterior=0.0, min_match=0.0, min_count_everyday=2, min_posterior_everyday=0.0)
        ts = trials(0, ch.words, props, frozenset(), model.target)
        if not ts:
            continue
        heard_t = target_text(model.target, ch.words, 0, 0, None)
        srcs, tgts = [ch.source], [heard_t]
        for t in ts:
            cand = in_place(ch.words, t.i0, t.i1, t.after)
            srcs += [ch.source, ch.with_words(cand)]
            tgts += [t.target, target_text(model.target, cand, 0, 0, None)]
        s = model.score(srcs, tgts)
        for k, t in enumerate(ts):
            n, seen = map(int, re.search(r"in (\d+) of (\d+) training", t.evidence).groups())
            a, b = normalize(t.after).split(), normalize(t.before).split()
            rec.append(dict(set=p["set"], source=p["source"], span=[ch.w0 + t.i0, ch.w0 + t.i1], before=t.before,
                            after=t.after, match=t.match, n=n, post=n / seen, copy=s[1 + 2 * k] - s[0], self=s[2 + 2 * k] - s[0],
                            right=bool(a) and all(w in refw for w in a) and not all(w in refw for w in b),
                            harmful=bool(b) and all(w in refw for w in b), hyp=p["hyp"]))
    json.dump(rec, open(out, "w"))
    print(len(rec), "trials")


def table(paths):
    rec = [r for p in paths for r in json.load(open(p))]
    by = {}
    for r in rec:
        r["sum"] = r["copy"] + r["self"]
        by.setdefault((r["hyp"], r["source"], tuple(r["span"])), []).append(r)
    print(f"{len(rec)} trials over {len(by)} spans")
    print("posterior match margin  applied right wrong harmful")
    for mp in (0.0, 0.3, 0.5, 0.7):
        for mm in (0.0, 0.6, 0.75):
            for m in (0, 3, 6):
                ok = []
                for rows in by.values():
                    rows = sorted((r for r in rows if r["post"] >= mp and r["match"] >= mm), key=lambda r: -r["sum"])
                    if rows and rows[0]["sum"] >= m and (len(rows) == 1 or rows[0]["sum"] - rows[1]["sum"] >= 1):
                        ok.append(rows[0])
                print(f"{mp:9.1f} {mm:5.2f} {m:6} {len(ok):8} {sum(b['right'] for b in ok):5} "
                      f"{sum(not b['right'] for b in ok):5} {sum(b['harmful'] for b in ok):7}")
    from medasr.correction.confusions import Confusion  # the default: everyday heard words need 5 and 0.5

    ok = []
    for rows in by.values():
        rows = sorted((r for r in rows if r["post"] >= 0.3 and r["match"] >= 0.6 and not (
            Confusion(" ".join(w.lower().strip(".,?!;:") for w in r["before"].split()), "", "", 0, 0).everyday
            and (r["n"] < 5 or r["post"] < 0.5))), key=lambda r: -r["sum"])
        if rows and rows[0]["sum"] >= 3 and (len(rows) == 1 or rows[0]["sum"] - rows[1]["sum"] >= 1):
            ok.append(rows[0])
    print(f"default (0.3, 0.6, margin 3; everyday words 5 and 0.5): {len(ok)} applied, {sum(b['right'] for b in ok)} right,"
          f" {sum(not b['right'] for b in ok)} wrong, {sum(b['harmful'] for b in ok)} harmful:",
          ", ".join(f"{b['before']} -> {b['after']}" for b in ok))


if __name__ == "__main__":
    if sys.argv[1] == "--table":
        table(sys.argv[2:])
    else:
        record(*sys.argv[1:])
