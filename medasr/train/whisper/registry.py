"""Registering a trained model: a model card beside the weights and an entry in the user
registry (``$MEDASR_HOME/models/registry.json``) that the model store reads."""

from __future__ import annotations

import json
import platform
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from medasr.store.manifest import register_user_model
from medasr.config import Settings
from medasr.errors import ModelNotFoundError
from medasr.train.whisper.train import TrainResult
from medasr.files import sha256_file

CARD_FILES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.json", "vocabulary.txt")


def model_files(ct2_dir: Path) -> dict[str, str]:
    return {f: sha256_file(ct2_dir / f) for f in CARD_FILES if (ct2_dir / f).is_file()}


def model_card(name: str, ct2_dir: Path, summary: dict[str, Any], bench: dict[str, Any] | None = None) -> dict[str, Any]:
    """What a reader needs to trust (or not) a trained model: base, data, steps, hardware,
    time, bench figures, file checksums."""
    cfg = summary.get("config", {})
    return {
        "name": name,
        "format": "ctranslate2",
        "quantization": ct2_dir.name.removeprefix("ct2-") if ct2_dir.name.startswith("ct2-") else "",
        "base": summary.get("base_id") or cfg.get("base"),
        "data": cfg.get("data"),
        "n_train": summary.get("n_train"),
        "n_dev": summary.get("n_dev"),
        "steps": summary.get("steps"),
        "best_step": summary.get("best_step"),
        "first_loss": summary.get("first_loss"),
        "dev_loss_start": summary.get("dev_loss_start"),
        "best_dev_loss": summary.get("best_dev_loss"),
        "training": {k: cfg.get(k) for k in ("batch_size", "lr", "epochs", "freeze_encoder", "spec_augment", "audio_augment", "seed")},
        "merged_from": summary.get("merged_from"),
        "hardware": summary.get("device") or platform.machine(),
        "seconds": summary.get("seconds"),
        "bench": bench or {},
        "files": model_files(ct2_dir),
        "size_bytes": (ct2_dir / "model.bin").stat().st_size,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def write_card(card: dict[str, Any], path: Path) -> Path:
    path.write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    return path


def register_trained(name: str, result: TrainResult | Path, settings: Settings, *, quantization: str = "int8",
                     bench: dict[str, Any] | None = None) -> dict[str, Any]:
    """Write ``card.json`` into the run's CTranslate2 export and add it to the user registry.
    ``result`` is a TrainResult or a run folder holding ``train_summary.json``."""
    run = result.out if isinstance(result, TrainResult) else Path(result)
    summary_path = run / "train_summary.json"
    if not summary_path.is_file():
        raise ModelNotFoundError(f"{run}: no train_summary.json; is this a `medasr train asr` run folder?")
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    ct2_dir = run / f"ct2-{quantization}"
    if not (ct2_dir / "model.bin").is_file():
        raise ModelNotFoundError(f"{ct2_dir}: no model.bin; export the run with --quantization {quantization}")
    card = model_card(name, ct2_dir, summary, bench)
    card_path = write_card(card, ct2_dir / "card.json")
    entry = {
        "name": name,
        "path": str(ct2_dir.resolve()),
        "source": "user",
        "base": card["base"],
        "sha256": card["files"]["model.bin"],
        "files": card["files"],
        "card": str(card_path.resolve()),
        "quantization": quantization,
        "size_bytes": card["size_bytes"],
        "description": f"fine-tuned from {card['base']} by medasr train asr ({card['steps']} steps)"
        + (f", interpolated with its base at alpha {card['merged_from']['alpha']}" if card.get("merged_from") else ""),
        "wer": bench or {},
    }
    register_user_model(settings.models_dir, entry)
    return entry
