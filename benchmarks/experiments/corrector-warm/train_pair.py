"""One arm of the warm-start comparison: a corrector of corrector-v2's size (d_model 384, 4 + 4
layers, 6 heads, ffn 1536, ~19.9M parameters) trained on corrector-v2's own examples.

    python benchmarks/experiments/corrector-warm/train_pair.py ARM OUT [--minutes 45] [--lr 5e-4]

ARM:
- ``scratch``: the released recipe, BART (post-norm) from random weights (``--size medium``);
- ``whisper``: mBART (pre-norm) whose layers start as Whisper tiny.en's text decoder
  (``warm_start.py``);
- ``mbart``: the control, the same mBART from random weights.

Every arm reads the same examples (runs/train/corr-v2/examples.jsonl.gz; the first 1,000 dev
examples are its dev set) in the same order (seed 11), with batch 32, warm-up 200 steps and linear
decay over 900 steps, one CPU thread. The arms ran two at a time, side by side, so they shared
the machine alike; they are compared step for step.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from medasr.train.corrector.train import CorrectorTrainConfig, train_corrector
from medasr.manifest import read_rows
from medasr.train.corrector.data import Example

sys.path.insert(0, str(Path(__file__).resolve().parent))
from warm_start import save_warm  # noqa: E402

EXAMPLES = Path("runs/train/corr-v2/examples.jsonl.gz")
TOKENIZER = Path("runs/train/corr-v2/tokenizer.json")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("arm", choices=["scratch", "whisper", "mbart"])
    ap.add_argument("out", type=Path)
    ap.add_argument("--minutes", type=float, default=45)
    ap.add_argument("--steps", type=int, default=900)
    ap.add_argument("--n-dev", type=int, default=1000)
    ap.add_argument("--lr", type=float, default=5e-4)
    a = ap.parse_args()
    tr, dv = [], []
    for r in read_rows(EXAMPLES):
        (dv if r["split"] == "dev" else tr).append(Example(r["source"], r["target"], r["kind"]))
    base = None if a.arm == "scratch" else save_warm(a.out / "init", TOKENIZER, random_init=a.arm == "mbart", seed=11)
    cfg = CorrectorTrainConfig(out_dir=a.out, size="medium", base=base, steps=a.steps, batch_size=32, lr=a.lr, warmup=200,
                      eval_every=100, max_minutes=a.minutes, seed=11, threads=1, tokenizer=TOKENIZER)
    res = train_corrector(cfg, tr, dv[: a.n_dev])
    print(json.dumps({"arm": a.arm, "lr": a.lr, "steps": res.steps, "best_dev_loss": res.best_dev_loss, "seconds": round(res.seconds)}))


if __name__ == "__main__":
    main()
