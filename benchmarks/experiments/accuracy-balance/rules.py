"""Rules for the two-model transcriber, scored on dev dumps (``dump.py``) of stock tiny.en and
release 3: general-dev WER (all, and by source) and synth-dev WER / medical-term WER.

    MEDASR_HOME=... python rules.py DUMP_DIR general-dev synth-dev-s11 synth-dev-s5

``DOMAIN=NAME`` scores another domain model's dumps in release 3's place (the "release 3 only"
row is then that model alone); ``ONLY=stock,release,chosen`` keeps the rows whose names start so.

Each rule decides, for a span where the two models disagree, whether release 3's words win;
``chosen`` is ``medasr.asr.hybrid_judge.vocabulary_judge`` (terms, numbers, clinical words, rare
words near a vocabulary term or against general words the general model was unsure of; until the
second 2026-12-01 follow-up any rare word: the "before" row).
"""
import functools
import json
import math
import os
import sys
from pathlib import Path

from medasr.asr.hybrid import _segments, combine
from medasr.asr.hybrid_judge import near_term_check, numbers_in, terms_in, vocabulary_judge
from medasr.bench.metrics import corpus_score, score_utterance
from medasr.bench.terms import all_termsets
from medasr.config import Settings
from medasr.schema import Transcript
from medasr.text import norm_word
from medasr.vocab import load_vocabulary


def rules(settings: Settings) -> dict:
    judge = vocabulary_judge(settings)
    rare = lambda ws: [w for w in ws if judge._unordinary(w) == "rare word"]  # noqa: E731
    norm = lambda words: [norm_word(w.text) for w in words]  # noqa: E731
    term = lambda g, d: bool(terms_in(norm(d), judge.is_term) - terms_in(norm(g), judge.is_term))  # noqa: E731
    num = lambda g, d: bool(numbers_in(norm(d)) - numbers_in(norm(g)))  # noqa: E731
    lp = lambda ws: sum(math.log(max(w.probability, 1e-6)) for w in ws) / max(len(ws), 1)  # noqa: E731
    def digits(ws):
        return "".join(c for n in sorted(numbers_in(norm(ws))) for c in n if c.isdigit())

    def num_digits(g, d):  # "1455" and "14-55" are one number said, not a new one
        return num(g, d) and "".join(c for w in norm(d) for c in w if c.isdigit()) != "".join(c for w in norm(g) for c in w if c.isdigit()) \
            and digits(d) != digits(g)

    vocab = load_vocabulary(settings)
    near_term = functools.cache(lambda at: near_term_check(vocab, at))  # a garbled word far from every term is not a medical word

    def unordinary(g, d, both=False, near=None, unsure=None):
        mine = [judge._unordinary(w) for w in norm(d)]
        if not any(mine):
            return False
        if near is not None or unsure is not None:  # a rare word only near a term, or where stock was unsure of its words
            doubt = unsure is not None and (not g or min(w.probability for w in g) < unsure)
            return any(why == "clinical word" or why == "rare word" and (doubt or near is not None and near_term(near)(w))
                       for w, why in zip(norm(d), mine) if why)
        if not both or not g:
            return True
        theirs = [judge._unordinary(w) for w in norm(g)]
        return any(theirs) or "clinical word" in mine  # a clinical word wins; a rare one only against a rare one

    return {
        "stock only": lambda g, d: False,
        "release 3 only": lambda g, d: True,
        "terms": term,
        "terms, numbers": lambda g, d: term(g, d) or num(g, d),
        "terms, numbers, rare in both": lambda g, d: term(g, d) or num(g, d) or (bool(rare(norm(d))) and bool(rare(norm(g)))),
        "terms, higher mean log-prob (1.5x)": lambda g, d: term(g, d) or (lp(d) - lp(g) > math.log(1.5) if g else lp(d) > math.log(0.5)),
        "terms, numbers, rare words": lambda g, d: term(g, d) or num(g, d) or bool(rare(norm(d))),
        "before: terms, numbers, rare or clinical words": lambda g, d: term(g, d) or num(g, d) or unordinary(g, d),
        # 2026-12-01, on prompts-dev (fresh read English) and the earlier dev sets
        "before, numbers by their digits": lambda g, d: term(g, d) or num_digits(g, d) or unordinary(g, d),
        "before, rare words only against rare or clinical words": lambda g, d: term(g, d) or num(g, d) or unordinary(g, d, both=True),
        "before, both narrowings": lambda g, d: term(g, d) or num_digits(g, d) or unordinary(g, d, both=True),
        "before, a rare word only near a vocabulary term (0.85)": lambda g, d: term(g, d) or num(g, d) or unordinary(g, d, near=0.85),
        "before, a rare word only near a vocabulary term (0.75)": lambda g, d: term(g, d) or num(g, d) or unordinary(g, d, near=0.75),
        "before, a rare word only when no less sure (mean log-prob)": lambda g, d: term(g, d) or num(g, d) or (unordinary(g, d) and (not g or lp(d) >= lp(g))),
        # 2026-12-01, second follow-up: a rare word only near a term, or where stock was unsure (min word probability)
        **{f"before, a rare word only where stock's min p < {t}": (lambda t: lambda g, d: term(g, d) or num(g, d) or unordinary(g, d, unsure=t))(t)
           for t in (0.5, 0.7, 0.9)},
        **{f"before, a rare word only near a term ({at}) or where stock's min p < {t}": (lambda at, t: lambda g, d: term(g, d) or num(g, d) or unordinary(g, d, near=at, unsure=t))(at, t)
           for at, t in ((0.85, 0.5), (0.85, 0.7), (0.75, 0.3), (0.75, 0.5))},
        "chosen: terms, numbers, clinical words, a rare word near a term (0.85) or where stock's min p < 0.3": lambda g, d: judge.prefer_domain(g, d)[0],
    }


class _Rule:
    def __init__(self, name, fn):
        self.name, self.fn = name, fn

    def prefer_domain(self, g, d):
        return self.fn(g, d), ""


def score_cell(dump: Path, st: str, judge_for, terms) -> str:
    """One table cell: set ``st``'s WER (/ medical-term WER, by group where it has several) with
    the judge ``judge_for(utterance id)`` combining the two dumps."""
    gen = [json.loads(x) for x in open(dump / f"tiny.en__{st}.jsonl")]
    dom = [json.loads(x) for x in open(dump / f"{os.environ.get('DOMAIN', 'tiny.en-medical').replace('/', '_')}__{st}.jsonl")]
    scores, groups = [], {}
    for a, b in zip(gen, dom):
        g, d = Transcript.from_dict(a["tr"]), Transcript.from_dict(b["tr"])
        per, _ = combine(g, d, judge_for(a["id"]))
        sc = score_utterance(a["id"], a["ref"], Transcript(segments=_segments(g, per, d)).text, terms)
        scores.append(sc)
        groups.setdefault(a["group"], []).append(sc)
    c = corpus_score(scores, n_boot=1)
    med = c.terms.get("medwer")
    cell = f"{100 * c.wer.value:.1f}" + (f" / {100 * med.wer.value:.1f}" if med and med.wer.value is not None else "")
    if len(groups) > 1:
        cell += " (" + ", ".join(f"{k} {100 * corpus_score(v, n_boot=1).wer.value:.1f}" for k, v in groups.items()) + ")"
    return cell


def main(dump: Path, sets: list[str]) -> None:
    s = Settings.resolve()
    terms = all_termsets(s)
    only = tuple(x for x in os.environ.get("ONLY", "").split(",") if x)
    for name, fn in rules(s).items():
        if only and not name.startswith(only):
            continue
        rule = _Rule(name, fn)
        row = [name] + [score_cell(dump, st, lambda _id: rule, terms) for st in sets]
        print("| " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2:])
