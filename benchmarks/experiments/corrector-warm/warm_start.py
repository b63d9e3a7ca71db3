"""Warm-starting the corrector from Whisper tiny.en's text decoder: the model the experiment built.

Not part of the package: measured on 2 CPU cores it learned more slowly than the same
architecture from random weights (README). ``whisper_warm_model`` builds it;
``save_warm(folder)`` writes it with the corrector's tokenizer, so ``CorrectorTrainConfig(base=folder)``
(``medasr train corrector --base FOLDER``) trains it like any local checkpoint.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from medasr.errors import ConfigError

log = logging.getLogger("medasr.train")


def whisper_warm_model(whisper: str, tokenizer, *, settings=None, max_positions: int = 256, seed: int = 0):
    """An ``MBartForConditionalGeneration`` whose layers start as a Whisper model's text decoder.

    Whisper's decoder is a language model of transcribed speech (680,000 hours of it); a
    corrector trained from scratch on synthetic dictation knows little English beyond it. The
    decoder's layers are pre-norm, which transformers' BART is not, so the corrector becomes
    mBART (BART with pre-norm layers and a final layer norm; CTranslate2 converts it the same
    way). Its size is the Whisper model's: tiny.en gives d_model 384, 4 layers, 6 heads,
    ffn 1536 (``medium``). The mapping:

    * token embeddings: the corrector's pruned vocabulary is Whisper's first ids
      (:func:`pruned_tokenizer_json`), and its special tokens are Whisper's, looked up by name;
    * positions: Whisper's first ``max_positions`` rows (mBART's embedding has 2 more rows in front);
    * the decoder's layers (self-attention, cross-attention, feed-forward, their norms) and
      final norm as they are; the encoder's layers are copies of the decoder's without the
      cross-attention (a causal language model's layers reading the whole input);
    * mBART normalises the embeddings where Whisper does not: that norm starts at the
      embeddings' typical scale so the first layer sees values of the size it was trained on.

    ``whisper``: what ``medasr train asr --base`` takes (``tiny.en``, ``base``, a CTranslate2 or
    transformers Whisper folder, a hub id online).
    """
    import torch
    from transformers import MBartConfig, MBartForConditionalGeneration

    from medasr.config import Settings
    from medasr.train.whisper.train import load_base
    from medasr.train.corrector.model import CorrectorSize, config_kwargs

    torch.manual_seed(seed)
    wh, tok_dir, base_id = load_base(whisper, settings or Settings.resolve())
    log.info("corrector warm-started from Whisper %s", base_id)
    wc, dec = wh.config, wh.model.decoder
    if max_positions > wc.max_target_positions:
        raise ConfigError(f"max_positions {max_positions} > Whisper's {wc.max_target_positions}")
    shape = CorrectorSize(d_model=wc.d_model, layers=wc.decoder_layers, heads=wc.decoder_attention_heads,
                          ffn=wc.decoder_ffn_dim, max_positions=max_positions)
    cfg = MBartConfig(
        **config_kwargs(shape, tokenizer),
        activation_function=wc.activation_function,
        scale_embedding=False,  # Whisper adds its embeddings unscaled
        normalize_before=True,  # read by CTranslate2's BART converter: pre-norm layers
        add_final_layer_norm=True,
        tokenizer_class="PreTrainedTokenizerFast",  # CT2: decoder start is EOS, not an mBART language code
    )
    model = MBartForConditionalGeneration(cfg)
    rows = _whisper_rows(tokenizer, Path(tok_dir) / "tokenizer.json")
    with torch.no_grad():
        emb = dec.embed_tokens.weight
        model.model.shared.weight.copy_(emb[rows])
        pos = dec.embed_positions.weight[:max_positions]
        scale = float((emb[: min(len(emb), 50257)] + pos.mean(0)).std(dim=1).mean())
        for side in (model.model.encoder, model.model.decoder):
            side.embed_positions.weight[2:].copy_(pos)
            side.embed_positions.weight[:2].zero_()
            side.layernorm_embedding.weight.fill_(scale)
            side.layernorm_embedding.bias.zero_()
            side.layer_norm.load_state_dict(dec.layer_norm.state_dict())
        for src, enc_l, dec_l in zip(dec.layers, model.model.encoder.layers, model.model.decoder.layers):
            dec_l.load_state_dict(_with_k_bias(src.state_dict(), dec_l), strict=True)
            enc_sd = {k: v for k, v in src.state_dict().items() if not k.startswith("encoder_attn")}
            enc_l.load_state_dict(_with_k_bias(enc_sd, enc_l), strict=True)
        model.final_logits_bias.zero_()
    model.tie_weights()
    return model


def _with_k_bias(sd: dict, layer) -> dict:
    """Whisper's key projections have no bias; mBART's do (start them at zero)."""
    import torch

    out = dict(sd)
    for name, p in layer.state_dict().items():
        if name.endswith("k_proj.bias") and name not in out:
            out[name] = torch.zeros_like(p)
    return out


def _whisper_rows(tokenizer, whisper_tokenizer: Path) -> list[int]:
    """For each corrector token id, the Whisper token id with the same string."""
    wt = json.loads(whisper_tokenizer.read_text(encoding="utf-8"))
    ids = dict(wt["model"]["vocab"])
    ids.update({a["content"]: a["id"] for a in wt["added_tokens"]})
    rows = []
    for i in range(len(tokenizer)):
        tok = tokenizer.convert_ids_to_tokens(i)
        if tok not in ids:
            raise ConfigError(f"corrector token {tok!r} (id {i}) is not a Whisper token: cannot warm-start from Whisper")
        rows.append(ids[tok])
    return rows


def save_warm(folder: Path, tokenizer_json: Path | None = None, *, whisper: str = "tiny.en", random_init: bool = False,
              seed: int = 0) -> str:
    """Write the warm-started model (or, ``random_init``, the same architecture from random
    weights: the control) and the corrector tokenizer to ``folder``; returns it as a base."""
    import torch
    from transformers import MBartForConditionalGeneration

    from medasr.train.corrector.model import hf_tokenizer, pretrained_model

    tok = hf_tokenizer(tokenizer_json)
    model = whisper_warm_model(whisper, tok, seed=seed)
    if random_init:
        torch.manual_seed(seed)
        model = MBartForConditionalGeneration(model.config)
    model.save_pretrained(folder)
    tok.save_pretrained(folder)
    _, loaded = pretrained_model(str(folder))
    probe = "<|transcribe|> Start met form in 500 milligrams.<|translate|>"
    if loaded(probe)["input_ids"] != tok(probe)["input_ids"]:
        raise ConfigError("the saved tokenizer encodes differently from the corrector's")
    return str(folder)
