"""Candidates x correction on dev dumps (``dump.py``): WER (all, read English, digits) on
general-dev, WER / medical-term WER with 95% intervals on the synth dev splits, the corrector's
edits (made/right/wrong) and its seconds per utterance.

    MEDASR_HOME=... python pipelines.py DUMP_DIR CANDIDATE[,CANDIDATE...] SET[,SET...] SPEC[,SPEC...]

A candidate is a dumped model's file stem, or ``DOMAIN+GENERAL`` for the two-model transcriber
over two dumps (``tiny.en-medical+tiny.en``).
"""
import json
import sys
import time
from pathlib import Path

from medasr.asr.hybrid import _segments, combine
from medasr.asr.hybrid_judge import vocabulary_judge
from medasr.bench.metrics import corpus_score, edit_stats, score_utterance
from medasr.bench.terms import all_termsets
from medasr.config import Settings
from medasr.pipeline import build_pipeline
from medasr.schema import Transcript


def transcripts(dump: Path, cand: str, st: str, judge) -> list[tuple[dict, Transcript]]:
    load = lambda m: [json.loads(x) for x in open(dump / f"{m}__{st}.jsonl")]  # noqa: E731
    if "+" not in cand:
        return [(a, Transcript.from_dict(a["tr"])) for a in load(cand)]
    dm, gm = cand.split("+")
    out = []
    for a, b in zip(load(gm), load(dm)):
        g, d = Transcript.from_dict(a["tr"]), Transcript.from_dict(b["tr"])
        per, _ = combine(g, d, judge)
        out.append((a, Transcript(segments=_segments(g, per, d))))
    return out


def _ci(iv) -> str:
    return f"{100 * iv.value:.1f} [{100 * iv.low:.1f}, {100 * iv.high:.1f}]"


def main(dump: Path, cands: list[str], sets: list[str], specs: list[str]) -> None:
    s = Settings.resolve({"device": "cpu"})
    terms, judge = all_termsets(s), vocabulary_judge(s)
    pipe = build_pipeline(s, transcriber=object())  # correctors only: recognition comes from the dumps
    for cand in cands:
        for st in sets:
            rows = transcripts(dump, cand, st, judge)
            for spec in specs:
                pipe.correct(rows[0][1], spec)  # warm-up: correctors load lazily
                scored, pairs, wall = [], [], 0.0
                for a, t in rows:
                    t0 = time.perf_counter()
                    out = pipe.correct(t, spec)
                    wall += time.perf_counter() - t0
                    scored.append((a, score_utterance(a["id"], a["ref"], out.text, terms)))
                    pairs.append((a["ref"], out.edits))
                c = corpus_score([x for _, x in scored])
                cells = [_ci(c.wer)]
                med = c.terms.get("medwer")
                if med and med.wer.value is not None:
                    cells.append("med " + _ci(med.wer))
                groups = {a["group"] for a, _ in scored}
                if "digits" in groups:
                    for label, keep in (("read", lambda g: g != "digits"), ("digits", lambda g: g == "digits")):
                        cells.append(f"{label} " + _ci(corpus_score([x for a, x in scored if keep(a["group"])]).wer))
                e = edit_stats(pairs)
                print(f"| {cand} | {st} | {spec} | " + " | ".join(cells) + f" | {e.made}/{e.right}/{e.wrong} | {wall / len(rows):.3f} |", flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2].split(","), sys.argv[3].split(","), sys.argv[4].split(","))
