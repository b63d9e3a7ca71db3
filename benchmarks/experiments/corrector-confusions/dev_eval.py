"""The whole BART stage, with and without the learned-confusion candidates, on dev text only.

    MEDASR_HOME=... python dev_eval.py OUT.json [RESULTS.json.gz]

Rows: the 600 synth dev-split pairs and 600 spoken consultation turns of ../corrector-verify
(dev_margin.dev_pairs), and, given the PriMock dev transcriptions (../corrector-context/primock_dev.py),
the 80 PriMock utterances that the benchmark's primock:40 leaves out, as heard by stock tiny.en and
release 3, plus their references as hypotheses. None of it is scored by `medasr bench`; the confusion
table is built from the synth corpus's train split only.

For each VerifyPolicy variant: edits made / right / wrong / harmful (medasr.bench.metrics.edit_stats)
and medical-term WER (medwer's list) before and after, per set.
"""
import json
import sys
from dataclasses import replace
from pathlib import Path

from tqdm import tqdm

from medasr.bench.metrics import edit_stats, medical_wer
from medasr.bench.terms import medwer_terms
from medasr.config import Settings
from medasr.correction.bart.corrector import BartCorrector
from medasr.correction.bart.verify import VerifyPolicy
from medasr.schema import Segment, Transcript

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "corrector-context"))
from probe_scoring import dev_rows  # noqa: E402  (the same dev rows as the judge's probe)

VARIANTS = {
    "judge, vocabulary candidates (before)": replace(VerifyPolicy(), confusions=False),
    "+ learned confusions (posterior >= 0.3, match >= 0.6), no everyday rule": replace(
        VerifyPolicy(), confusion_min_count_everyday=2, confusion_min_posterior_everyday=0.3),
    "+ learned confusions, posterior >= 0.5, no everyday rule": replace(
        VerifyPolicy(), confusion_min_posterior=0.5, confusion_min_count_everyday=2, confusion_min_posterior_everyday=0.5),
    "+ learned confusions, any match, no everyday rule": replace(
        VerifyPolicy(), confusion_min_match=0.0, confusion_min_count_everyday=2, confusion_min_posterior_everyday=0.3),
    "+ learned confusions, everyday words need 5 and 0.5 (default)": VerifyPolicy(),
}


def main(out, primock_results=None, only=None):
    """``only``: comma-separated indexes into VARIANTS (default: all)."""
    rows = dev_rows() + (dev_rows(primock_results) if primock_results else [])
    keep = {int(i) for i in only.split(",")} if only else set(range(len(VARIANTS)))
    settings = Settings.resolve({"device": "cpu", "threads": 2})
    terms = medwer_terms()
    res = {}
    for i, (name, policy) in enumerate(VARIANTS.items()):
        if i not in keep:
            continue
        c = BartCorrector(settings, verify=policy)
        per_set = {}
        for r in tqdm(rows, desc=name[:30], mininterval=30):
            t = Transcript(segments=(Segment(id=0, start=0.0, end=1.0, text=r["hyp"]),))
            fixed = c.correct(t)
            per_set.setdefault(r["set"], []).append(dict(r, out=fixed.text, edits=[e for e in fixed.edits if e.applied]))
        res[name] = {}
        for s, rs in per_set.items():
            st = edit_stats((x["ref"], x["edits"]) for x in rs)
            res[name][s] = dict(st.to_dict(), medwer_before=medical_wer([x["ref"] for x in rs], [x["hyp"] for x in rs], terms),
                                medwer_after=medical_wer([x["ref"] for x in rs], [x["out"] for x in rs], terms), n=len(rs),
                                learned=[[e.before, e.after, x["ref"]] for x in rs for e in x["edits"] if "learned confusion" in e.reason])
            print(f"{name[:45]:45} {s:18} made {st.made:3} right {st.right:3} wrong {st.wrong:3} harmful {st.harmful:2}"
                  f"  medwer {res[name][s]['medwer_before']:.3f} -> {res[name][s]['medwer_after']:.3f}")
    json.dump(res, open(out, "w"), indent=1)


if __name__ == "__main__":
    main(*sys.argv[1:])
