"""Weight-space interpolation of a fine-tuned Whisper with its base (WiSE-FT).

``theta = (1 - alpha) * theta_base + alpha * theta_tuned``: alpha 0 is the base, 1 the tuned
model. Interpolating keeps most of what fine-tuning learnt on the new domain while giving back
much of what it forgot on general speech (Wortsman et al., "Robust fine-tuning of zero-shot
models", 2022); it costs one pass over the weights, no data. ``medasr train merge`` writes the
transformers folder and its CTranslate2 exports so the bench can pick alpha.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any

from medasr.config import Settings
from medasr.errors import ConfigError, ModelNotFoundError

log = logging.getLogger("medasr.train")


def interpolate_state(base: dict[str, Any], tuned: dict[str, Any], alpha: float) -> dict[str, Any]:
    """Per-tensor ``(1 - alpha) * base + alpha * tuned``; floating tensors only, others from
    ``tuned``. The two state dicts must name the same tensors with the same shapes."""
    if not 0.0 <= alpha <= 1.0:
        raise ConfigError(f"alpha must be between 0 and 1, not {alpha}")
    missing = sorted(set(base) ^ set(tuned))
    if missing:
        raise ConfigError(f"base and tuned models differ in their tensors: {', '.join(missing[:5])}")
    out = {}
    for k, t in tuned.items():
        b = base[k]
        if tuple(b.shape) != tuple(t.shape):
            raise ConfigError(f"tensor {k}: base shape {tuple(b.shape)} != tuned shape {tuple(t.shape)}")
        out[k] = (b.float() * (1.0 - alpha) + t.float() * alpha).to(t.dtype) if t.is_floating_point() else t.clone()
    return out


def merge_models(base: str, tuned_hf: str | Path, alpha: float, out: str | Path, settings: Settings,
                 quantizations: tuple[str, ...] = ("int8",)) -> dict[str, Path]:
    """Interpolate ``tuned_hf`` (a transformers folder written by ``medasr train asr``) with
    ``base`` (a model name the store resolves, or a folder); write ``out/hf`` and
    ``out/ct2-<q>``. Returns {quantization: folder}."""
    from transformers import WhisperForConditionalGeneration

    from medasr.train.whisper.train import load_base
    from medasr.train.convert.export import export_ct2

    tuned_dir = Path(tuned_hf)
    if not (tuned_dir / "config.json").is_file():
        raise ModelNotFoundError(f"{tuned_dir}: not a transformers model folder (no config.json); pass RUN/hf from `medasr train asr`")
    base_model, tok_dir, base_id = load_base(base, settings)
    tuned = WhisperForConditionalGeneration.from_pretrained(tuned_dir)
    merged = interpolate_state(base_model.state_dict(), tuned.state_dict(), alpha)
    tuned.load_state_dict(merged, strict=True)
    out = Path(out)
    hf_dir = out / "hf"
    if hf_dir.exists():
        shutil.rmtree(hf_dir)
    tuned.save_pretrained(hf_dir, safe_serialization=True)
    tok = tuned_dir / "tokenizer.json" if (tuned_dir / "tokenizer.json").is_file() else tok_dir / "tokenizer.json"
    shutil.copyfile(tok, hf_dir / "tokenizer.json")
    dirs = {q: export_ct2(hf_dir, out / f"ct2-{q}", q) for q in quantizations}
    summary_src = tuned_dir.parent / "train_summary.json"
    summary = json.loads(summary_src.read_text(encoding="utf-8")) if summary_src.is_file() else {}
    summary.update({"merged_from": {"base": base_id, "tuned": str(tuned_dir), "alpha": alpha}, "hf_dir": str(hf_dir),
                    "ct2_dirs": {q: str(p) for q, p in dirs.items()}})
    (out / "train_summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    log.info("merged %s and %s at alpha %.2f -> %s", base_id, tuned_dir, alpha, out)
    return dirs
