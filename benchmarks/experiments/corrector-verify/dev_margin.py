"""Record every vocabulary-candidate trial the BART stage makes on held-out dev pairs, with the
model's margin, so VerifyPolicy's thresholds can be chosen off the benchmark's test sets.

    MEDASR_HOME=... python benchmarks/experiments/corrector-verify/dev_margin.py OUT.json [--table]

Pairs: 600 of the synth corpus's dev split (runs/train/pairs-gpu/pairs.jsonl; corrector-v2 never
trained on them) and 600 spoken consultation turns (runs/train/pairs-con/pairs.jsonl; v2 never saw
them). For each span the best candidate is recorded with its margin over the heard words, the
runner-up's margin, and whether it is right (its words are in the reference and the heard ones
are not) or harmful (the heard words were all in the reference). ``--table`` prints applied /
right / wrong for a grid of thresholds from an existing OUT.json.
"""
import json
import random
import sys


def table(path: str) -> None:
    r = json.load(open(path))
    print("min_match_apply margin  applied right wrong harmful")
    for mm in (0.75, 0.8, 0.82, 0.85, 0.9):
        for m in (0, 3, 4, 6):
            ok = [x for x in r if x["delta"] >= m and x["match"] >= mm and (x["second"] is None or x["delta"] - x["second"] >= 1)]
            print(f"{mm:15.2f} {m:6} {len(ok):8} {sum(x['right'] for x in ok):5} {sum(not x['right'] for x in ok):5}"
                  f" {sum(x['harmful'] for x in ok):7}")


def dev_pairs() -> list[dict]:
    """The 600 synth dev-split pairs and 600 consultation turns, each row with its ``set``."""
    rows = []
    for path, split, n in [("runs/train/pairs-gpu/pairs.jsonl", "dev", 600), ("runs/train/pairs-con/pairs.jsonl", None, 600)]:
        ps = [json.loads(x) for x in open(path)]
        if split:
            ps = [p for p in ps if p["split"] == split]
        random.Random(5).shuffle(ps)
        rows += [dict(p, set=path.split("/")[2]) for p in ps[:n]]
    return rows


def record(out: str) -> None:
    from tqdm import tqdm

    import medasr.correction.bart.corrector as B
    from medasr.text import normalize
    from medasr.config import Settings
    from medasr.schema import Segment, Transcript

    rows = dev_pairs()
    rec, cur, orig = [], {}, B.decide

    def spy(ts, ds, policy):
        by = {}
        for t, d in zip(ts, ds):
            by.setdefault((t.i0, t.i1), []).append((d, t))
        refw = set(normalize(cur["ref"]).split())
        for r in by.values():
            r.sort(key=lambda x: -x[0])
            d, t = r[0]
            a, b = normalize(t.after).split(), normalize(t.before).split()
            rec.append(dict(set=cur["set"], source=cur["source"], before=t.before, after=t.after, match=t.match, delta=d,
                            second=r[1][0] if len(r) > 1 else None,
                            right=bool(a) and all(w in refw for w in a) and not all(w in refw for w in b),
                            harmful=bool(b) and all(w in refw for w in b)))
        return orig(ts, ds, policy)

    B.decide = spy
    c = B.BartCorrector(Settings.resolve({"device": "cpu", "threads": 2}))
    for p in tqdm(rows, mininterval=30):
        cur.update(p)
        c.correct(Transcript(segments=(Segment(id=0, start=0.0, end=0.0, text=p["hyp"]),)))
    json.dump(rec, open(out, "w"))
    print(len(rec), "trials")


if __name__ == "__main__":
    table(sys.argv[1]) if "--table" in sys.argv else record(sys.argv[1])
