"""Which way of asking the BART model separates right from wrong vocabulary candidates best?

For every candidate the BART stage tries on held-out dev text (the synth dev split, spoken
consultation turns, and the PriMock utterances the benchmark's primock:40 does not score), three
scores of "candidate over heard words" are recorded:

  copy  log P(cand | heard) - log P(heard | heard)          (what the stage used so far)
  self  log P(cand | cand)  - log P(heard | heard)          (does the model want to rewrite either?)
  gap   log P(cand | gapped) - log P(heard | gapped)        (the span cut out of the source: the model
                                                             must bring the words back from context)
  sum   copy + self                                         (what VerifyPolicy(self_check=True) uses)

    MEDASR_HOME=... python probe_scoring.py OUT.json                 # synth dev + consultation turns
    MEDASR_HOME=... python probe_scoring.py OUT.json RESULTS.json.gz # the PriMock dev utterances only
"""
import gzip
import json
import sys
from pathlib import Path

from tqdm import tqdm

import medasr.correction.bart.corrector as B
from medasr.text import normalize
from medasr.config import Settings
from medasr.correction.bart.verify import in_place, target_text, trials
from medasr.schema import Segment

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "corrector-verify"))
from dev_margin import dev_pairs  # noqa: E402  (the same 1,200 dev rows)


def dev_rows(primock_results=None):
    rows = [dict(hyp=p["hyp"], ref=p["ref"], set=p["set"], source=p["source"]) for p in dev_pairs()]
    if primock_results:
        rows = []
        d = json.load(gzip.open(primock_results))
        for u in d["utterances"]:
            rows.append(dict(hyp=u["hyp"], ref=u["ref"], set="primock-dev", source=u["system"]))
            if u["system"].startswith("tiny.en asr"):
                rows.append(dict(hyp=u["ref"], ref=u["ref"], set="primock-dev-ref", source="reference"))
    return rows


def dev_chunks(primock_results=None):
    """(row, its normalized reference words, chunk, the chunk as a Segment) for every chunk of the dev rows."""
    for p in tqdm(dev_rows(primock_results), mininterval=30):
        toks = p["hyp"].split()
        if not toks:
            continue
        refw = set(normalize(p["ref"]).split())
        for ch in B._chunks([toks]):
            yield p, refw, ch, Segment(id=0, start=0.0, end=0.0, text=" ".join(ch.words))


def main(out, primock_results=None):
    c = B.BartCorrector(Settings.resolve({"device": "cpu", "threads": 2}))
    model, prop = c.model, c.proposer
    rec = []
    for p, refw, ch, seg in dev_chunks(primock_results):
        ts = trials(0, ch.words, prop.proposals(seg, k=3, min_score=0.75), frozenset(), model.target)
        if not ts:
            continue
        heard_t = target_text(model.target, ch.words, 0, 0, None)
        srcs, tgts = [ch.source], [heard_t]
        for t in ts:
            src_c = ch.with_words(in_place(ch.words, t.i0, t.i1, t.after))
            src_g = ch.with_words(ch.words[:t.i0] + ch.words[t.i1:])
            srcs += [ch.source, src_c, src_g, src_g]
            tgts += [t.target, t.target, t.target, heard_t]
        s = model.score(srcs, tgts)
        hh = s[0]
        for k, t in enumerate(ts):
            ch_, cc, gc, gh = s[1 + 4 * k: 5 + 4 * k]
            a, b = normalize(t.after).split(), normalize(t.before).split()
            rec.append(dict(set=p["set"], source=p["source"], span=[ch.w0 + t.i0, ch.w0 + t.i1],
                            before=t.before, after=t.after, match=t.match,
                            copy=ch_ - hh, self=cc - hh, gap=gc - gh,
                            right=bool(a) and all(w in refw for w in a) and not all(w in refw for w in b),
                            harmful=bool(b) and all(w in refw for w in b), hyp=p["hyp"]))
    json.dump(rec, open(out, "w"))
    print(len(rec), "trials")


if __name__ == "__main__":
    main(*sys.argv[1:])
