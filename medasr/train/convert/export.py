"""transformers Whisper -> CTranslate2 (float16 or int8), with ctranslate2's own converter."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from medasr.errors import ConfigError, ModelNotFoundError

log = logging.getLogger("medasr.train")

QUANTIZATIONS = ("float16", "int8", "int8_float16", "float32", "bfloat16")


def export_ct2(hf_dir: str | Path, out_dir: str | Path, quantization: str = "int8", *, force: bool = True) -> Path:
    """Convert the transformers folder ``hf_dir`` to a CTranslate2 folder ``out_dir`` that
    faster-whisper loads (model.bin, config.json, vocabulary.json, tokenizer.json)."""
    from ctranslate2.converters import TransformersConverter

    if quantization not in QUANTIZATIONS:
        raise ConfigError(f"quantization must be one of {', '.join(QUANTIZATIONS)}, not {quantization!r}")
    hf, out = Path(hf_dir), Path(out_dir)
    if not (hf / "config.json").is_file():
        raise ModelNotFoundError(f"{hf}: not a transformers model folder (no config.json)")
    copy = [f for f in ("tokenizer.json", "preprocessor_config.json") if (hf / f).is_file()]
    if out.exists() and force:
        shutil.rmtree(out)
    conv = TransformersConverter(str(hf), copy_files=copy, load_as_float16=quantization in ("float16", "int8_float16"))
    conv.convert(str(out), quantization=quantization, force=force)
    log.info("exported %s -> %s (%s)", hf, out, quantization)
    return out
