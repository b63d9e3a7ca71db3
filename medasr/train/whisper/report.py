"""A loss-curve PNG for a training run (matplotlib; skipped with a log line when absent)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

log = logging.getLogger("medasr.train")


def plot_losses(run_dir: str | Path, out: str | Path | None = None) -> Path | None:
    """Plot train and dev loss from ``run_dir/train_log.jsonl`` (and the base model's dev loss
    from ``train_summary.json`` as a dashed line) to ``out`` (default ``run_dir/loss.png``)."""
    run = Path(run_dir)
    rows = [json.loads(x) for x in (run / "train_log.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    if not rows:
        return None
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log.info("matplotlib not installed: no loss plot")
        return None
    summary_path = run / "train_summary.json"
    start = json.loads(summary_path.read_text())["dev_loss_start"] if summary_path.is_file() else None
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot([r["step"] for r in rows], [r["train_loss"] for r in rows], marker="o", label="train (mean since last eval)")
    dev = [(r["step"], r["dev_loss"]) for r in rows if r.get("dev_loss") is not None]
    if dev:
        ax.plot(*zip(*dev), marker="s", label="dev")
    if start is not None:
        ax.axhline(start, linestyle="--", color="grey", label="dev, base model")
    ax.set_xlabel("optimizer step")
    ax.set_ylabel("cross-entropy")
    ax.set_title(f"{run.name}: Whisper fine-tuning loss")
    ax.legend()
    fig.tight_layout()
    path = Path(out) if out else run / "loss.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
