"""``medasr bench notes`` results: JSON (every consultation), a Markdown table and a PNG."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from medasr.bench.notes import NoteCase, NoteRun

COLUMNS = [
    ("rougeL", "ROUGE-L (median)"), ("rouge1", "ROUGE-1 (median)"), ("length_ratio", "length ratio (median)"),
    ("verbatim_share", "verbatim share"), ("highlight_recall", "highlight recall"), ("grounded", "items grounded"),
    ("dropped_by_checks", "dropped by checks"), ("negation_errors", "negation errors caught"),
    ("seconds", "s/consultation p50 / p95"), ("tok_s", "prompt / gen tok/s"), ("load", "1-min load start/end"),
]


def _fmt(v: Any) -> str:
    if v is None:
        return "n/a"
    return f"{v:.3f}" if isinstance(v, float) else str(v)


def row(r: NoteRun) -> list[str]:
    s = r.summary
    cells = {
        "grounded": f"{s['items_grounded']}/{s['items']}",
        "seconds": f"{_fmt(s['seconds_p50'])} / {_fmt(s['seconds_p95'])}",
        "tok_s": f"{_fmt(s['prompt_tok_s'])} / {_fmt(s['gen_tok_s'])}" if s.get("prompt_tok_s") else "n/a",
        "load": f"{r.machine.get('start', {}).get('load_1min', '?')}/{r.machine.get('end', {}).get('load_1min', '?')}",
    }
    ok = s["consultations"] - s["failed"]
    head = [r.backend, r.model, r.split, f"{ok}/{s['consultations']}"]
    return head + [cells[k] if k in cells else _fmt(s.get(k)) for k, _ in COLUMNS]


def table(runs: list[NoteRun]) -> str:
    names = ["backend", "model", "split", "ok"] + [t for _, t in COLUMNS]
    out = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    out += ["| " + " | ".join(row(r)) + " |" for r in runs]
    return "\n".join(out) + "\n"


def write_results(runs: list[NoteRun], out_dir: Path, stem: str = "notes") -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    js = out_dir / f"{stem}.json"
    js.write_text(json.dumps([asdict(r) for r in runs], indent=2) + "\n")
    md = out_dir / f"{stem}.md"
    md.write_text(table(runs))
    plot(runs, out_dir / f"{stem}.png")
    return js, md


def load_results(path: Path) -> list[NoteRun]:
    data = json.loads(Path(path).read_text())
    return [NoteRun(d["backend"], d["model"], d["split"], tuple(NoteCase(**{**c, "warnings": tuple(c.get("warnings") or ())}) for c in d["cases"]), d["summary"],
                    d.get("machine", {}), d.get("options", {})) for d in data]


def plot(runs: list[NoteRun], path: Path) -> Path | None:
    """Quality bars (ROUGE-L, ROUGE-1, highlight recall, verbatim share, length ratio) and
    seconds per consultation, one colour per backend and split; the bars of the issue drawn in."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    keys = [("rougeL", "ROUGE-L"), ("rouge1", "ROUGE-1"), ("highlight_recall", "highlight recall"),
            ("verbatim_share", "verbatim share"), ("length_ratio", "length ratio")]
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4), gridspec_kw={"width_ratios": [3, 1]})
    width = 0.8 / max(1, len(runs))
    for i, r in enumerate(runs):
        vals = [r.summary.get(k) or 0.0 for k, _ in keys]
        label = f"{r.backend} {r.model.split('-instruct')[0]} ({r.split})"
        ax.bar([x + i * width for x in range(len(keys))], vals, width, label=label)
        ax2.bar([i], [r.summary.get("seconds_p50") or 0.0], 0.6, label=label)
    for x, y in ((0, 0.25), (2, 0.6), (3, 0.15)):
        ax.hlines(y, x - 0.1, x + 0.9, colors="k", linestyles="dashed", linewidth=1)
    ax.set_xticks([x + width * (len(runs) - 1) / 2 for x in range(len(keys))])
    ax.set_xticklabels([t for _, t in keys], fontsize=8)
    ax.set_title("Notes against the clinicians' notes (PriMock57-dev); dashes: the issue's bars", fontsize=9)
    ax.legend(fontsize=7)
    ax2.hlines(150, -0.5, len(runs) - 0.5, colors="k", linestyles="dashed", linewidth=1)
    ax2.set_xticks(range(len(runs)))
    ax2.set_xticklabels([r.backend for r in runs], fontsize=8)
    ax2.set_title("seconds per consultation (p50)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
