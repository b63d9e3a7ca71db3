"""Rules for the two-model transcriber, scored on dev dumps (``dump.py``) of stock tiny.en and
release 3: general-dev WER (all, and by source) and synth-dev WER / medical-term WER.

    MEDASR_HOME=... python rules.py DUMP_DIR general-dev synth-dev-s11 synth-dev-s5

Each rule decides, for a span where the two models disagree, whether release 3's words win;
``chosen`` is ``medasr.asr.hybrid_judge.vocabulary_judge`` (terms, numbers, rare or clinical words).
"""
import json
import math
import sys
from pathlib import Path

from medasr.asr.hybrid import _segments, combine
from medasr.asr.hybrid_judge import numbers_in, terms_in, vocabulary_judge
from medasr.bench.metrics import corpus_score, score_utterance
from medasr.bench.terms import all_termsets
from medasr.config import Settings
from medasr.schema import Transcript
from medasr.text import norm_word


def rules(settings: Settings) -> dict:
    judge = vocabulary_judge(settings)
    rare = lambda ws: [w for w in ws if judge._unordinary(w) == "rare word"]  # noqa: E731
    norm = lambda words: [norm_word(w.text) for w in words]  # noqa: E731
    term = lambda g, d: bool(terms_in(norm(d), judge.is_term) - terms_in(norm(g), judge.is_term))  # noqa: E731
    num = lambda g, d: bool(numbers_in(norm(d)) - numbers_in(norm(g)))  # noqa: E731
    lp = lambda ws: sum(math.log(max(w.probability, 1e-6)) for w in ws) / max(len(ws), 1)  # noqa: E731
    return {
        "stock only": lambda g, d: False,
        "release 3 only": lambda g, d: True,
        "terms": term,
        "terms, numbers": lambda g, d: term(g, d) or num(g, d),
        "terms, numbers, rare in both": lambda g, d: term(g, d) or num(g, d) or (bool(rare(norm(d))) and bool(rare(norm(g)))),
        "terms, higher mean log-prob (1.5x)": lambda g, d: term(g, d) or (lp(d) - lp(g) > math.log(1.5) if g else lp(d) > math.log(0.5)),
        "terms, numbers, rare words": lambda g, d: term(g, d) or num(g, d) or bool(rare(norm(d))),
        "chosen: terms, numbers, rare or clinical words": lambda g, d: judge.prefer_domain(g, d)[0],
    }


class _Rule:
    def __init__(self, name, fn):
        self.name, self.fn = name, fn

    def prefer_domain(self, g, d):
        return self.fn(g, d), ""


def main(dump: Path, sets: list[str]) -> None:
    s = Settings.resolve()
    terms = all_termsets(s)
    for name, fn in rules(s).items():
        row = [name]
        for st in sets:
            gen = [json.loads(x) for x in open(dump / f"tiny.en__{st}.jsonl")]
            dom = [json.loads(x) for x in open(dump / f"tiny.en-medical__{st}.jsonl")]
            scores, groups = [], {}
            for a, b in zip(gen, dom):
                g, d = Transcript.from_dict(a["tr"]), Transcript.from_dict(b["tr"])
                per, _ = combine(g, d, _Rule(name, fn))
                sc = score_utterance(a["id"], a["ref"], Transcript(segments=_segments(g, per, d)).text, terms)
                scores.append(sc)
                groups.setdefault(a["group"], []).append(sc)
            c = corpus_score(scores, n_boot=1)
            med = c.terms.get("medwer")
            cell = f"{100 * c.wer.value:.1f}" + (f" / {100 * med.wer.value:.1f}" if med and med.wer.value is not None else "")
            if len(groups) > 1:
                cell += " (" + ", ".join(f"{k} {100 * corpus_score(v, n_boot=1).wer.value:.1f}" for k, v in groups.items()) + ")"
            row.append(cell)
        print("| " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2:])
