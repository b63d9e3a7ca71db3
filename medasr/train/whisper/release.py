"""Releasing a trained model: its CTranslate2 int8 files are copied under ``models/<name>/``,
its card (base, data, steps, hardware, time, bench figures, sha256) goes to
``models/cards/<name>.json`` and its entry (source ``repo``) into ``models/manifest.json``,
where the model store finds it by name. Done once per release, not per experiment.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from medasr.errors import ConfigError, ModelNotFoundError
from medasr.train.whisper.registry import CARD_FILES, model_card

MAX_RELEASE_BYTES = 50_000_000


def bench_figures(results_json: str | Path) -> dict[str, Any]:
    """WER, medical-term WER and drug-name WER (with 95% intervals) per set and system, from
    a ``medasr bench run`` results.json: what the card quotes."""
    data = json.loads(Path(results_json).read_text(encoding="utf-8"))
    out: dict[str, Any] = {"source": str(results_json), "beam_size": data.get("config", {}).get("beam_size"), "sets": {}}
    for r in data.get("results", []):
        score = r.get("score") or {}
        fig: dict[str, Any] = {"utts": r.get("utts"), "ref_words": score.get("ref_words"), "wer": score.get("wer")}
        for key in ("medwer", "drug"):
            t = (score.get("terms") or {}).get(key) or {}
            if t.get("ref_terms"):
                fig[f"{key}_wer"] = t.get("wer")
        out["sets"].setdefault(r["set"], {})[r["system"]] = fig
    return out


def release_model(run: str | Path, name: str, models_dir: str | Path, *, bench: dict[str, Any] | None = None,
                  description: str = "", quantization: str = "int8") -> dict[str, Any]:
    """Copy ``run/ct2-<quantization>`` to ``models_dir/name``, write its card and manifest entry.
    Returns the manifest entry."""
    run, models_dir = Path(run), Path(models_dir)
    summary_path = run / "train_summary.json"
    if not summary_path.is_file():
        raise ModelNotFoundError(f"{run}: no train_summary.json; give a `medasr train asr` (or `train merge`) run folder")
    src = run / f"ct2-{quantization}"
    if not (src / "model.bin").is_file():
        raise ModelNotFoundError(f"{src}: no model.bin")
    size = (src / "model.bin").stat().st_size
    if size > MAX_RELEASE_BYTES:
        raise ConfigError(f"{src / 'model.bin'} is {size / 1e6:.1f} MB; released models are at most {MAX_RELEASE_BYTES / 1e6:.0f} MB")
    manifest_path = models_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    dest = models_dir / name
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for f in CARD_FILES:
        if (src / f).is_file():
            shutil.copyfile(src / f, dest / f)
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    card = model_card(name, dest, summary, bench)
    card["quantization"] = quantization
    cards = models_dir / "cards"
    cards.mkdir(exist_ok=True)
    (cards / f"{name}.json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    entry = {
        "name": name,
        "source": "repo",
        "path": name,
        "description": description or f"Whisper fine-tuned from {card['base']} by medasr train asr; CTranslate2 {quantization}.",
        "format": "ctranslate2",
        "quantization": quantization,
        "license": "MIT",
        "base": card["base"],
        "card": f"cards/{name}.json",
        "size_bytes": size,  # model.bin's size
        "files": card["files"],
        "wer": {},
    }
    manifest["models"] = [m for m in manifest["models"] if m.get("name") != name] + [entry]
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return entry
