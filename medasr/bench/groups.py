"""Scores per group within a set (``general-test``'s sources, ``primock``'s voices): a set that
mixes kinds of speech can hide a loss on one kind behind a gain on another, so the report
shows each group apart (with the same bootstrap intervals) for every set that has several."""

from __future__ import annotations

from dataclasses import dataclass

from medasr.bench.metrics import CorpusScore, TermSet, corpus_score, score_utterance
from medasr.bench.runner import BenchResult


@dataclass(frozen=True)
class GroupResult:
    set: str
    group: str
    system: str
    score: CorpusScore

    def to_dict(self) -> dict:
        return {"set": self.set, "group": self.group, "system": self.system, "score": self.score.to_dict()}


def group_results(res: BenchResult, termsets: list[TermSet], n_boot: int) -> list[GroupResult]:
    out = []
    for set_name in dict.fromkeys(r.set for r in res.runs):
        runs = [r for r in res.runs if r.set == set_name]
        groups = list(dict.fromkeys(r.group for r in runs))
        if len(groups) < 2:
            continue
        for group in groups:
            for system in dict.fromkeys(r.system for r in runs):
                rs = [r for r in runs if r.group == group and r.system == system]
                if rs:
                    scores = [score_utterance(r.id, r.ref, r.hyp, termsets) for r in rs]
                    out.append(GroupResult(set_name, group, system, corpus_score(scores, n_boot=n_boot)))
    return out


def group_markdown(groups: list[GroupResult]) -> list[str]:
    if not groups:
        return []
    lines = ["", "## By group (sets that mix kinds of speech)", "",
             "| set | group | system | utts | words | WER % | med-WER % |", "|---|---|---|---:|---:|---|---|"]
    for g in groups:
        med = g.score.terms.get("medwer")
        medv = "n/a" if med is None or med.wer.value is None else f"{100 * med.wer.value:.1f} [{100 * med.wer.low:.1f}, {100 * med.wer.high:.1f}]"
        w = g.score.wer
        wer = "n/a" if w.value is None else f"{100 * w.value:.1f} [{100 * w.low:.1f}, {100 * w.high:.1f}]"
        lines.append(f"| {g.set} | {g.group} | {g.system} | {g.score.utts} | {g.score.ref_words} | {wer} | {medv} |")
    return lines
