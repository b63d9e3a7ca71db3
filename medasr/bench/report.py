"""Benchmark output: ``results.json`` (everything), ``results.md`` (the tables),
``utterances.md`` (per-utterance alignments with errors marked) and the PNG plots."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from medasr.bench.align import counts, mark
from medasr.bench.groups import GroupResult, group_markdown, group_results
from medasr.bench.metrics import Interval, TermSet
from medasr.text import normalize
from medasr.bench.runner import BenchResult, SystemResult


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}"


def _ci(iv: Interval | None) -> str:
    if iv is None or iv.value is None:
        return "n/a"
    return f"{100 * iv.value:.1f} [{100 * iv.low:.1f}, {100 * iv.high:.1f}]"


def _term(r: SystemResult, name: str, ci: bool = False) -> str:
    t = r.score.terms.get(name)
    if t is None:
        return "n/a"
    return _ci(t.wer) if ci else _pct(t.wer.value)


def result_dict(r: SystemResult) -> dict:
    return {
        "set": r.set,
        "system": r.system.label,
        "model": r.system.model,
        "pipeline": r.system.pipeline,
        "engine": r.system.engine,
        "utts": r.n,
        "audio_s": round(r.audio_s, 3),
        "wall_s": round(r.wall_s, 3),
        "rtf": round(r.rtf, 4),
        "audio_s_per_s": round(1 / r.rtf, 3) if r.rtf else None,
        "rtf_median": round(r.rtf_median, 4),
        "ttfs_median_s": None if r.ttfs_median is None else round(r.ttfs_median, 3),
        "score": r.score.to_dict(),
        "edits": r.edits.to_dict() if r.edits else None,
        "paired": r.paired,
    }


def to_json(res: BenchResult, groups: list[GroupResult] | None = None) -> dict:
    return {
        "config": asdict(res.config),
        "machine": res.machine,
        "termsets": res.termsets,
        "notes": list(res.notes),
        "loads": [asdict(x) for x in res.loads],
        "results": [result_dict(r) for r in res.results],
        "long_form": [{**asdict(x), "rtf": round(x.rtf, 4)} for x in res.long_form],
        "groups": [g.to_dict() for g in groups or ()],
        "utterances": [
            {"set": u.set, "id": u.id, "group": u.group, "system": u.system, "ref": u.ref, "hyp": u.hyp, "audio_s": round(u.audio_s, 3),
             "wall_s": round(u.wall_s, 4), "ttfs_s": u.ttfs_s, "edits": [e.to_dict() for e in u.edits]}
            for u in res.runs
        ],
    }


def markdown(res: BenchResult, groups: list[GroupResult] | None = None) -> str:
    m = res.machine
    lines = [
        "# medasr bench results",
        "",
        f"Machine: {m.get('cpu')} ({m.get('cpu_isa', '?')}), {m.get('cpus_usable')} usable cores, {m.get('memory_gib')} GiB, GPU: {', '.join(m.get('gpus') or []) or 'none'}; "
        f"load average at start {m.get('loadavg')}, at end {m.get('loadavg_end')}; peak RSS {m.get('peak_rss_mb')} MiB.",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in (m.get("versions") or {}).items() if v) + ".",
        f"Sets: {', '.join(res.config.sets)}; models: {', '.join(res.config.models)}; pipelines: {', '.join(res.config.pipelines)}; peer: {'transformers' + (f' (first {res.config.peer_limit} per set)' if res.config.peer_limit else '') if res.config.peer else 'no'}; "
        f"limit per set: {res.config.limit or 'none'}; term lists: " + ", ".join(f"{k} ({v:,} entries)" for k, v in res.termsets.items()) + ".",
        "",
        "WER/CER after Whisper's English normalizer; medical-term WER by the medwer protocol (greedy longest match, phrases atomic) "
        "over medwer's list (`med`) and ours (`ours`); `drug`: our drug and brand names only. 95% bootstrap intervals "
        f"({res.config.n_boot:,} resamples, seed 0) in brackets; beam size {m.get('beam_size')}. "
        "Recall/precision of medwer-list terms. RTF = wall seconds / audio seconds over the set (lower is faster).",
        "",
        "| set | system | utts | audio s | WER % | CER % | med-WER % | ours % | drug % | term R/P % | edits made/right/wrong | RTF | x real time |",
        "|---|---|---:|---:|---|---:|---|---:|---:|---|---|---:|---:|",
    ]
    for r in res.results:
        med = r.score.terms.get("medwer")
        rp = f"{_pct(med.recall)}/{_pct(med.precision)}" if med else "n/a"
        ed = f"{r.edits.made}/{r.edits.right}/{r.edits.wrong}" if r.edits else ""
        lines.append(
            f"| {r.set} | {r.system.label} | {r.n} | {r.audio_s:.0f} | {_ci(r.score.wer)} | {_pct(r.score.cer.value)} | "
            f"{_term(r, 'medwer', ci=True)} | {_term(r, 'medasr')} | {_term(r, 'drug')} | {rp} | {ed} | {r.rtf:.3f} | {1 / r.rtf:.1f} |"
        )
    lines += group_markdown(groups or []) + _peer_table(res) + _long_form_table(res) + _loads_table(res)
    if res.notes:
        lines += ["", "Notes:"] + [f"- {n}" for n in res.notes]
    return "\n".join(lines) + "\n"


def _peer_table(res: BenchResult) -> list[str]:
    rows = []
    for r in res.results:
        p = r.paired
        if r.system.engine != "transformers" or not p:
            continue
        rows.append(f"| {r.set} | {r.system.model} | {r.n} | {r.audio_s:.0f} | {_pct(p['wer'])} | {_pct(r.score.wer.value)} | "
                    f"{p['wall_s'] / p['audio_s']:.3f} | {r.rtf:.3f} | {r.wall_s / p['wall_s']:.1f} |")
    if not rows:
        return []
    return ["", "## Peer: the same weights through transformers, on the same utterances, interleaved in the same run", "",
            "| set | model | utts | audio s | WER % faster-whisper | WER % transformers | RTF faster-whisper | RTF transformers | transformers / faster-whisper wall time |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|"] + rows


def _long_form_table(res: BenchResult) -> list[str]:
    if not res.long_form:
        return []
    rows = [f"| {x.model} | {x.mode} | {x.batch_size or '-'} | {x.audio_s:.0f} | {x.wall_s:.1f} | {x.rtf:.3f} | {1 / x.rtf:.1f} | "
            f"{'n/a' if x.ttfs_s is None else f'{x.ttfs_s:.2f}'} |" for x in res.long_form]
    return ["", "## Long-form speed: sequential vs batched (faster-whisper, concatenated set audio)", "",
            "| model | mode | batch | audio s | wall s | RTF | x real time | time to first segment s |",
            "|---|---|---:|---:|---:|---:|---:|---:|"] + rows


def _loads_table(res: BenchResult) -> list[str]:
    rows = [f"| {x.model} | {x.engine} | {x.load_s:.1f} | {x.rss_delta_mb:.0f} |" for x in res.loads]
    return ["", "## Model load", "", "| model | engine | load s | RSS increase MiB |", "|---|---|---:|---:|"] + rows


def utterances_markdown(res: BenchResult, termsets: list[TermSet] | None = None) -> str:
    """Per utterance: the normalized reference, then each system's marked alignment."""
    lines = ["# Per-utterance alignments", "", "`[ref->hyp]` substitution, `[-ref]` deletion, `[+hyp]` insertion, `*word*` a medical term.", ""]
    order: dict[tuple[str, str], list] = {}
    for u in res.runs:
        order.setdefault((u.set, u.id), []).append(u)
    for (set_name, uid), runs in order.items():
        ref = normalize(runs[0].ref)
        lines += [f"## {set_name} / {uid}", "", f"- REF: {ref}"]
        for u in runs:
            hyp = normalize(u.hyp)
            c = counts(ref, hyp)
            errs = c["sub"] + c["del"] + c["ins"]
            lines.append(f"- {u.system} ({errs} err): {mark(ref, hyp, termsets or [])}")
        lines.append("")
    return "\n".join(lines)


def write_all(res: BenchResult, out_dir: Path, termsets: list[TermSet] | None = None, all_terms: list[TermSet] | None = None) -> list[Path]:
    """``termsets`` star the medical words in ``utterances.md``; ``all_terms`` (default: those)
    score the groups."""
    from medasr.bench.plots import plot_all

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "results.json", out_dir / "results.md", out_dir / "utterances.md"]
    groups = group_results(res, all_terms or termsets or [], res.config.n_boot)
    paths[0].write_text(json.dumps(to_json(res, groups), indent=1, default=str), encoding="utf-8")
    paths[1].write_text(markdown(res, groups), encoding="utf-8")
    paths[2].write_text(utterances_markdown(res, termsets), encoding="utf-8")
    return paths + plot_all(res, out_dir)
