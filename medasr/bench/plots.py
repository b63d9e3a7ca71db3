"""PNG plots: WER and medical-term WER per configuration with 95% intervals; speed."""

from __future__ import annotations

from pathlib import Path

from medasr.bench.metrics import Interval
from medasr.bench.runner import BenchResult


def _bars(ax, labels: list[str], ivs: list[Interval | None], title: str) -> None:
    vals = [100 * (iv.value or 0) if iv and iv.value is not None else 0 for iv in ivs]
    lo = [max(0.0, v - 100 * iv.low) if iv and iv.low is not None else 0 for v, iv in zip(vals, ivs)]
    hi = [max(0.0, 100 * iv.high - v) if iv and iv.high is not None else 0 for v, iv in zip(vals, ivs)]
    ax.bar(range(len(vals)), vals, yerr=[lo, hi], capsize=3, color="#4c72b0")
    ax.set_xticks(range(len(vals)))
    ax.set_xticklabels(labels, rotation=40, ha="right", fontsize=7)
    ax.set_ylabel("%")
    ax.set_ylim(bottom=0, top=max([1.0] + [100 * iv.high for iv in ivs if iv and iv.high is not None]) * 1.08)
    ax.set_title(title, fontsize=9)
    for i, iv in enumerate(ivs):
        if iv is None or iv.value is None:
            ax.text(i, 0, "n/a", ha="center", va="bottom", fontsize=7)


def plot_all(res: BenchResult, out_dir: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    sets = list(dict.fromkeys(r.set for r in res.results))
    fig, axes = plt.subplots(2, len(sets), figsize=(4.2 * len(sets), 7.5), squeeze=False)
    for j, s in enumerate(sets):
        rs = [r for r in res.results if r.set == s]
        labels = [f"{r.system.label} (n={r.n})" for r in rs]
        _bars(axes[0][j], labels, [r.score.wer for r in rs], f"{s}: WER (95% CI)")
        _bars(axes[1][j], labels, [r.score.terms["medwer"].wer if "medwer" in r.score.terms else None for r in rs], f"{s}: medical-term WER, medwer list (95% CI)")
    fig.tight_layout()
    p = out_dir / "wer.png"
    fig.savefig(p, dpi=110)
    plt.close(fig)
    paths.append(p)

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    systems = list(dict.fromkeys(r.system.label for r in res.results))
    width = 0.8 / max(len(sets), 1)
    for j, s in enumerate(sets):
        by = {r.system.label: r for r in res.results if r.set == s}
        xs = [i + j * width for i in range(len(systems))]
        axes[0].bar(xs, [by[k].rtf if k in by else 0 for k in systems], width, label=s)
    axes[0].set_xticks([i + width * (len(sets) - 1) / 2 for i in range(len(systems))])
    axes[0].set_xticklabels(systems, rotation=40, ha="right", fontsize=7)
    axes[0].set_ylabel("real-time factor (wall / audio), lower is faster")
    axes[0].set_yscale("log")
    axes[0].legend(fontsize=7)
    axes[0].set_title("Per-utterance decoding, by set", fontsize=9)
    if res.long_form:
        labels = [f"{x.model}\n{x.mode}" for x in res.long_form]
        axes[1].bar(range(len(labels)), [x.rtf for x in res.long_form], color="#dd8452")
        axes[1].set_xticks(range(len(labels)))
        axes[1].set_xticklabels(labels, fontsize=7)
        axes[1].set_ylabel("real-time factor")
        axes[1].set_title(f"Long-form ({res.long_form[0].audio_s:.0f} s): sequential vs batched", fontsize=9)
    else:
        axes[1].set_axis_off()
    fig.tight_layout()
    p = out_dir / "speed.png"
    fig.savefig(p, dpi=110)
    plt.close(fig)
    return paths + [p]
