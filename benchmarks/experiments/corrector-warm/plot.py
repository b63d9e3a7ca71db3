"""Dev loss against training step for each arm of the warm-start comparison (``ARM=RUN_DIR`` ...).

    python benchmarks/experiments/corrector-warm/plot.py scratch=runs/warm/scratch whisper=runs/warm/whisper ...

Copies each run's train_log.jsonl and train_meta.json here as ``<arm>_train_log.jsonl`` and
``<arm>_train_meta.json``, writes ``dev_loss.png`` and prints a Markdown table.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[2] / "results" / "corrector-warm"  # where the logs, table and plot are kept
LABELS = {"scratch": "BART, random init (released recipe)", "whisper": "mBART, Whisper init, lr 5e-4",
          "mbart": "mBART, random init", "whisper-lr2e-4": "mBART, Whisper init, lr 2e-4"}


def main(argv: list[str]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    arms = dict(a.split("=", 1) for a in argv)
    logs = {}
    for arm, run in arms.items():
        run = Path(run)
        shutil.copyfile(run / "train_log.jsonl", HERE / f"{arm}_train_log.jsonl")
        if (run / "train_meta.json").is_file():
            shutil.copyfile(run / "train_meta.json", HERE / f"{arm}_train_meta.json")
        logs[arm] = [json.loads(x) for x in (run / "train_log.jsonl").read_text().splitlines() if x.strip()]
    steps = sorted({r["step"] for rows in logs.values() for r in rows})
    print("| step | " + " | ".join(LABELS.get(a, a) for a in arms) + " |")
    print("|---|" + "---|" * len(arms))
    for s in steps:
        cells = [next((f'{r["dev_loss"]:.3f}' for r in logs[a] if r["step"] == s), "") for a in arms]
        print(f"| {s} | " + " | ".join(cells) + " |")
    fig, ax = plt.subplots(figsize=(6, 4))
    for arm, rows in logs.items():
        ax.plot([r["step"] for r in rows], [r["dev_loss"] for r in rows], marker="o", label=LABELS.get(arm, arm))
    ax.set_xlabel("step (batch 32)")
    ax.set_ylabel("dev loss (nats per token)")
    ax.set_title("corrector: from scratch vs from Whisper tiny.en's decoder")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(HERE / "dev_loss.png", dpi=120)


if __name__ == "__main__":
    main(sys.argv[1:])
