"""Quick eval: a corrector stage over stored bench ASR hypotheses; medwer-term WER before/after."""
import gzip, json, sys
from medasr.bench.metrics import medical_wer
from medasr.text import normalize
from medasr.bench.terms import medwer_terms
from medasr.config import Settings
from medasr.correction.base import get_corrector
from medasr.schema import Segment, Transcript
res, stages = sys.argv[1], sys.argv[2].split(",")
verbose = len(sys.argv) > 3
d = json.load(gzip.open(res))
ts = medwer_terms()
s = Settings.resolve({"device": "cpu", "threads": 2})
corr = [get_corrector(n, settings=s) for n in stages]
for sys_name in ("tiny.en asr", "tiny.en-medical asr"):
    for st in ("primock", "synth-test-s11"):
        us = [u for u in d["utterances"] if u["system"] == sys_name and u["set"] == st]
        refs = [u["ref"] for u in us]; hyps = [u["hyp"] for u in us]
        outs = []; napp = 0
        for h in hyps:
            t = Transcript(segments=(Segment(id=0, start=0.0, end=0.0, text=h),))
            for c in corr:
                t = c.correct(t)
            outs.append(t.segments[0].text)
            for e in t.edits:
                if e.applied:
                    napp += 1
                    if verbose: print(f"   [{st}/{sys_name}] {e.source} {e.before!r} -> {e.after!r} {e.score} {e.reason}")
        print(f"{sys_name:22s} {st:16s} n={len(us)} asr {100*medical_wer(refs, hyps, ts):.1f} -> {100*medical_wer(refs, outs, ts):.1f}  applied={napp}", flush=True)
