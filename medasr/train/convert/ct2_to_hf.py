"""CTranslate2 Whisper -> transformers ``WhisperForConditionalGeneration``.

The mapping is the inverse of ctranslate2's ``WhisperLoader``: fused self-attention
``linear_0`` splits into q/k/v (CT2 keeps a k bias of zeros; transformers has none), the
cross-attention ``linear_1`` into k/v, layer norms are gamma/beta, and ``proj_out`` is tied to
``embed_tokens``. The config and generation config come from CT2's ``config.json``, the
tensor shapes and the tokenizer's special tokens. Converting back with
``medasr.train.convert.export`` gives the original ``model.bin`` bit for bit.

torch and transformers are imported inside the functions (``pip install medasr[train]``).
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from medasr.errors import ConfigError, ModelNotFoundError
from medasr.train.convert.ct2_reader import CT2Model, read_ct2_model

log = logging.getLogger("medasr.train")

_LAYER = re.compile(r"^(encoder|decoder)/layer_(\d+)/")


@dataclass(frozen=True)
class WhisperShape:
    vocab_size: int
    d_model: int
    encoder_layers: int
    decoder_layers: int
    encoder_heads: int
    decoder_heads: int
    encoder_ffn_dim: int
    decoder_ffn_dim: int
    num_mel_bins: int
    max_source_positions: int
    max_target_positions: int


def _count_layers(model: CT2Model, side: str) -> int:
    idx = {int(m.group(2)) for k in model.variables if (m := _LAYER.match(k)) and m.group(1) == side}
    return max(idx) + 1 if idx else 0


def whisper_shape(model: CT2Model) -> WhisperShape:
    if model.spec != "WhisperSpec":
        raise ModelNotFoundError(f"not a Whisper model: CTranslate2 spec is {model.spec!r}")
    emb = model.get("decoder/embeddings/weight")
    return WhisperShape(
        vocab_size=int(emb.shape[0]),
        d_model=int(emb.shape[1]),
        encoder_layers=_count_layers(model, "encoder"),
        decoder_layers=_count_layers(model, "decoder"),
        encoder_heads=int(model.get("encoder/num_heads")),
        decoder_heads=int(model.get("decoder/num_heads")),
        encoder_ffn_dim=int(model.get("encoder/layer_0/ffn/linear_0/weight").shape[0]),
        decoder_ffn_dim=int(model.get("decoder/layer_0/ffn/linear_0/weight").shape[0]),
        num_mel_bins=int(model.get("encoder/conv1/weight").shape[1]),
        max_source_positions=int(model.get("encoder/position_encodings/encodings").shape[0]),
        max_target_positions=int(model.get("decoder/position_encodings/encodings").shape[0]),
    )


def _special_ids(tokenizer_json: Path) -> dict[str, int]:
    data = json.loads(tokenizer_json.read_text(encoding="utf-8"))
    return {t["content"]: int(t["id"]) for t in data.get("added_tokens", [])}


def hf_state_dict(model: CT2Model) -> dict[str, np.ndarray]:
    """Every transformers parameter name -> array (float32), from the CT2 tensors."""
    shp = whisper_shape(model)
    g = lambda name: np.asarray(model.get(name), dtype=np.float32)  # noqa: E731
    sd: dict[str, np.ndarray] = {}

    def ln(dst: str, src: str) -> None:
        sd[dst + ".weight"] = g(src + "/gamma")
        sd[dst + ".bias"] = g(src + "/beta")

    def lin(dst: str, src: str, bias: bool = True) -> None:
        sd[dst + ".weight"] = g(src + "/weight")
        if bias:
            sd[dst + ".bias"] = g(src + "/bias")

    def qkv(prefix: str, src: str) -> None:
        w, b = g(src + "/linear_0/weight"), g(src + "/linear_0/bias")
        d = shp.d_model
        sd[prefix + ".q_proj.weight"], sd[prefix + ".k_proj.weight"], sd[prefix + ".v_proj.weight"] = w[:d], w[d : 2 * d], w[2 * d :]
        sd[prefix + ".q_proj.bias"], sd[prefix + ".v_proj.bias"] = b[:d], b[2 * d :]
        if np.any(b[d : 2 * d]):
            raise ConfigError(f"{src}: key bias is not zero; this is not a Whisper model converted by CTranslate2")
        lin(prefix + ".out_proj", src + "/linear_1")

    for side in ("encoder", "decoder"):
        m = f"model.{side}"
        sd[f"{m}.embed_positions.weight"] = g(f"{side}/position_encodings/encodings")
        ln(f"{m}.layer_norm", f"{side}/layer_norm")
        n = shp.encoder_layers if side == "encoder" else shp.decoder_layers
        for i in range(n):
            L, S = f"{m}.layers.{i}", f"{side}/layer_{i}"
            qkv(f"{L}.self_attn", f"{S}/self_attention")
            ln(f"{L}.self_attn_layer_norm", f"{S}/self_attention/layer_norm")
            lin(f"{L}.fc1", f"{S}/ffn/linear_0")
            lin(f"{L}.fc2", f"{S}/ffn/linear_1")
            ln(f"{L}.final_layer_norm", f"{S}/ffn/layer_norm")
            if side == "decoder":
                A, d = f"{L}.encoder_attn", shp.d_model
                lin(f"{A}.q_proj", f"{S}/attention/linear_0")
                kv_w, kv_b = g(f"{S}/attention/linear_1/weight"), g(f"{S}/attention/linear_1/bias")
                sd[f"{A}.k_proj.weight"], sd[f"{A}.v_proj.weight"] = kv_w[:d], kv_w[d:]
                if np.any(kv_b[:d]):
                    raise ConfigError(f"{S}/attention: key bias is not zero")
                sd[f"{A}.v_proj.bias"] = kv_b[d:]
                lin(f"{A}.out_proj", f"{S}/attention/linear_2")
                ln(f"{L}.encoder_attn_layer_norm", f"{S}/attention/layer_norm")
    for c in ("conv1", "conv2"):
        lin(f"model.encoder.{c}", f"encoder/{c}")
    sd["model.decoder.embed_tokens.weight"] = g("decoder/embeddings/weight")
    return sd


def build_configs(ct2_dir: Path, shp: WhisperShape) -> tuple[Any, Any]:
    """(WhisperConfig, GenerationConfig) from CT2's config.json, shapes and tokenizer."""
    from transformers import GenerationConfig, WhisperConfig

    cfg = json.loads((ct2_dir / "config.json").read_text(encoding="utf-8"))
    ids = _special_ids(ct2_dir / "tokenizer.json")
    by_id = {v: k for k, v in ids.items()}
    eot, sot = ids["<|endoftext|>"], ids["<|startoftranscript|>"]
    multilingual = shp.vocab_size >= 51865
    common = dict(
        decoder_start_token_id=sot,
        eos_token_id=eot,
        pad_token_id=eot,
        bos_token_id=eot,
        suppress_tokens=list(cfg.get("suppress_ids", [])),
        begin_suppress_tokens=list(cfg.get("suppress_ids_begin", [])),
    )
    config = WhisperConfig(
        vocab_size=shp.vocab_size,
        num_mel_bins=shp.num_mel_bins,
        d_model=shp.d_model,
        encoder_layers=shp.encoder_layers,
        decoder_layers=shp.decoder_layers,
        encoder_attention_heads=shp.encoder_heads,
        decoder_attention_heads=shp.decoder_heads,
        encoder_ffn_dim=shp.encoder_ffn_dim,
        decoder_ffn_dim=shp.decoder_ffn_dim,
        max_source_positions=shp.max_source_positions,
        max_target_positions=shp.max_target_positions,
        activation_function="gelu",
        scale_embedding=False,
        tie_word_embeddings=True,
        **common,
    )
    gen = GenerationConfig(
        **common,
        max_length=shp.max_target_positions,
        alignment_heads=[list(h) for h in cfg.get("alignment_heads", [])],
        lang_to_id={by_id[i]: i for i in cfg.get("lang_ids", []) if i in by_id},
        task_to_id={k.strip("<|>"): v for k, v in ids.items() if k in ("<|transcribe|>", "<|translate|>")},
        is_multilingual=multilingual,
        no_timestamps_token_id=ids["<|notimestamps|>"],
        prev_sot_token_id=ids.get("<|startofprev|>"),
    )
    return config, gen


def load_hf_from_ct2(ct2_dir: str | Path, dtype: str = "float32") -> Any:
    """A ``WhisperForConditionalGeneration`` in memory with the CT2 model's weights."""
    import torch
    from transformers import WhisperForConditionalGeneration

    ct2_dir = Path(ct2_dir)
    ct2 = read_ct2_model(ct2_dir)
    shp = whisper_shape(ct2)
    config, gen = build_configs(ct2_dir, shp)
    model = WhisperForConditionalGeneration(config)
    sd = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in hf_state_dict(ct2).items()}
    missing, unexpected = model.load_state_dict(sd, strict=False)
    missing = [k for k in missing if k != "proj_out.weight"]  # tied to embed_tokens
    if missing or unexpected:
        raise ConfigError(f"CT2 -> transformers mapping incomplete: missing {missing}, unexpected {unexpected}")
    model.tie_weights()
    model.generation_config = gen
    model.to(getattr(torch, dtype))
    model.eval()
    return model


def convert_ct2_to_hf(ct2_dir: str | Path, out_dir: str | Path, dtype: str = "float32") -> Path:
    """Write a transformers Whisper folder (safetensors, config, generation config,
    tokenizer.json, preprocessor_config.json) converted from CTranslate2 ``ct2_dir``."""
    from transformers import WhisperFeatureExtractor

    ct2_dir, out = Path(ct2_dir), Path(out_dir)
    for f in ("model.bin", "config.json", "tokenizer.json"):
        if not (ct2_dir / f).is_file():
            raise ModelNotFoundError(f"{ct2_dir}: missing {f}; expected a CTranslate2 Whisper folder")
    model = load_hf_from_ct2(ct2_dir, dtype=dtype)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out, safe_serialization=True)
    shutil.copyfile(ct2_dir / "tokenizer.json", out / "tokenizer.json")
    WhisperFeatureExtractor(feature_size=model.config.num_mel_bins).save_pretrained(out)
    log.info("converted %s -> %s (%s)", ct2_dir, out, dtype)
    return out
