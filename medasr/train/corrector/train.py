"""Train the BART corrector: from scratch (small config, pruned Whisper BPE) or from a base model.

``train_corrector(CorrectorTrainConfig(...), examples, dev)`` runs AdamW with warmup and linear decay,
evaluates dev loss every ``eval_every`` steps, keeps the best checkpoint under
``out_dir/hf`` (safetensors), logs to ``out_dir/train_log.jsonl`` and shows progress. It stops
at ``steps`` or ``max_minutes``, whichever comes first; ``export_ct2`` then writes the
CTranslate2 int8 model under ``out_dir/ct2``.
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from medasr.errors import ConfigError, InputError
from medasr.train.corrector.data import Example

log = logging.getLogger("medasr.train")


@dataclass(frozen=True)
class CorrectorTrainConfig:
    out_dir: Path
    size: str = "small"
    base: str | None = None  # e.g. facebook/bart-base (needs the hub or a local folder)
    steps: int = 1500
    batch_size: int = 24
    lr: float = 1e-3
    warmup: int = 100
    eval_every: int = 100
    max_minutes: float = 0.0  # 0: no time limit
    seed: int = 0
    threads: int = 0  # 0: torch decides
    vocab_size: int = 8192
    device: str = "cpu"
    tokenizer: Path | None = None  # a pruned tokenizer.json to use (None: prune Whisper's here)
    target: str = "text"  # what the examples' targets are: text | edits (recorded beside the checkpoint)
    extra: dict = field(default_factory=dict)  # recorded in the card (data mix, pair counts)

    def __post_init__(self) -> None:
        if self.steps < 1 or self.batch_size < 1:
            raise ConfigError("steps and batch size must be >= 1")
        if self.lr <= 0:
            raise ConfigError(f"learning rate must be > 0, not {self.lr}")
        if self.target not in ("text", "edits"):
            raise ConfigError(f"unknown corrector target {self.target!r}; choose text or edits")


@dataclass(frozen=True)
class TrainResult:
    hf_dir: Path
    steps: int
    best_dev_loss: float
    train_loss: float
    seconds: float
    n_params: int


def _encode(tok, examples: Sequence[Example], max_len: int) -> list[tuple[list[int], list[int]]]:
    src = tok([e.source for e in examples], truncation=True, max_length=max_len)["input_ids"]
    tgt = tok([e.target for e in examples], truncation=True, max_length=max_len)["input_ids"]
    # targets: drop the leading BOS; the decoder starts from EOS (BART's decoder_start_token)
    return [(s, t[1:]) for s, t in zip(src, tgt)]


def _batch(items, pad_id: int, start_id: int):
    import torch

    ls = max(len(s) for s, _ in items)
    lt = max(len(t) for _, t in items)
    ids = torch.full((len(items), ls), pad_id, dtype=torch.long)
    att = torch.zeros((len(items), ls), dtype=torch.long)
    labels = torch.full((len(items), lt), -100, dtype=torch.long)
    dec = torch.full((len(items), lt), pad_id, dtype=torch.long)
    for i, (s, t) in enumerate(items):
        ids[i, : len(s)] = torch.tensor(s)
        att[i, : len(s)] = 1
        labels[i, : len(t)] = torch.tensor(t)
        dec[i, 0] = start_id
        dec[i, 1 : len(t)] = torch.tensor(t[:-1])
    return ids, att, dec, labels


def _dev_loss(model, data, pad_id, start_id, bs: int) -> float:
    import torch

    model.eval()
    tot, n = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(data), bs):
            dev = next(model.parameters()).device
            ids, att, dec, labels = (x.to(dev) for x in _batch(data[i : i + bs], pad_id, start_id))
            out = model(input_ids=ids, attention_mask=att, decoder_input_ids=dec, labels=labels)
            k = int((labels != -100).sum())
            tot += float(out.loss) * k
            n += k
    model.train()
    return tot / max(n, 1)


def _save(model, tok, hf_dir: Path, target: str) -> None:
    model.save_pretrained(hf_dir)
    tok.save_pretrained(hf_dir)
    # read by export_ct2 into the card, which tells the reader how to read the model's output
    (hf_dir / "medasr_corrector.json").write_text(json.dumps({"target": target}) + "\n", encoding="utf-8")


def train_corrector(cfg: CorrectorTrainConfig, train: Sequence[Example], dev: Sequence[Example], *, progress: bool = True) -> TrainResult:
    import torch

    from medasr.train.corrector.model import SIZES, hf_tokenizer, n_params, new_model, pretrained_model

    if not train:
        raise InputError("no training examples: build pairs first")
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    out = Path(cfg.out_dir)
    hf_dir = out / "hf"
    out.mkdir(parents=True, exist_ok=True)
    if cfg.base:
        model, tok = pretrained_model(cfg.base, seed=cfg.seed)
    else:
        if cfg.size not in SIZES:
            raise ConfigError(f"unknown corrector size {cfg.size!r}; choose from {', '.join(SIZES)}")
        tok = hf_tokenizer(cfg.tokenizer, vocab_size=cfg.vocab_size)
        model = new_model(SIZES[cfg.size], tok, seed=cfg.seed)
    model.to(cfg.device)
    max_len = int(getattr(model.config, "max_position_embeddings", 256)) - 2
    pad_id, start_id = tok.pad_token_id, model.config.decoder_start_token_id
    tr = _encode(tok, train, max_len)
    dv = _encode(tok, dev, max_len)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=0.01)

    def lr_at(step: int) -> float:
        if step < cfg.warmup:
            return (step + 1) / cfg.warmup
        return max(0.05, 1 - (step - cfg.warmup) / max(1, cfg.steps - cfg.warmup))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_at)
    rng = random.Random(cfg.seed)
    order: list[int] = []
    best, ema, t0, step = math.inf, None, time.time(), 0
    logf = (out / "train_log.jsonl").open("w", encoding="utf-8")
    from tqdm import tqdm

    bar = tqdm(total=cfg.steps, desc="train corrector", disable=not progress)
    model.train()
    last_eval = 0

    def evaluate() -> None:
        nonlocal best, last_eval
        dl = _dev_loss(model, dv, pad_id, start_id, 64) if dv else ema
        rec = {"step": step, "train_loss": round(ema, 4), "dev_loss": round(dl, 4),
               "lr": sched.get_last_lr()[0], "seconds": round(time.time() - t0, 1)}
        logf.write(json.dumps(rec) + "\n")
        logf.flush()
        last_eval = step
        if dl < best:
            best = dl
            _save(model, tok, hf_dir, cfg.target)

    try:
        while step < cfg.steps:
            if cfg.max_minutes and time.time() - t0 > cfg.max_minutes * 60:
                log.warning("stopping at step %d: --max-minutes %.1f reached", step, cfg.max_minutes)
                if step > last_eval:  # the steps since the last evaluation are not thrown away
                    evaluate()
                break
            if len(order) < cfg.batch_size:
                order = list(range(len(tr)))
                rng.shuffle(order)
            idx, order = order[: cfg.batch_size], order[cfg.batch_size :]
            ids, att, dec, labels = (x.to(cfg.device) for x in _batch([tr[i] for i in idx], pad_id, start_id))
            loss = model(input_ids=ids, attention_mask=att, decoder_input_ids=dec, labels=labels).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            step += 1
            lv = loss.item()
            ema = lv if ema is None else 0.95 * ema + 0.05 * lv
            bar.update(1)
            bar.set_postfix(loss=f"{ema:.3f}", best_dev=f"{best:.3f}")
            if step % cfg.eval_every == 0 or step == cfg.steps:
                evaluate()
    finally:
        bar.close()
        logf.close()
    if not (hf_dir / "config.json").exists():  # stopped before the first evaluation
        _save(model, tok, hf_dir, cfg.target)
        best = _dev_loss(model, dv, pad_id, start_id, 64) if dv else (ema or math.inf)
    meta = {"config": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(cfg).items()},
            "steps": step, "best_dev_loss": best, "train_loss": ema, "n_params": n_params(model),
            "n_train_examples": len(tr), "n_dev_examples": len(dv), "seconds": round(time.time() - t0, 1)}
    (out / "train_meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return TrainResult(hf_dir=hf_dir, steps=step, best_dev_loss=best, train_loss=ema or math.inf,
                       seconds=time.time() - t0, n_params=n_params(model))
