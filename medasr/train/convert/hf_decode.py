"""Greedy decoding with a transformers Whisper, matching CTranslate2's greedy search.

Used to check that a converted model transcribes exactly as its CTranslate2 original, and by
the training loop to score the dev set without exporting. Features come from
faster-whisper's extractor so both sides see identical input.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np


def log_mel(audio: np.ndarray, n_mels: int = 80) -> np.ndarray:
    """(n_mels, 3000) log-mel features of the first 30 s, as faster-whisper computes them."""
    from faster_whisper.feature_extractor import FeatureExtractor

    fe = FeatureExtractor(feature_size=n_mels)
    feats = fe(audio, padding=480000)  # pad one window, then keep exactly 3000 frames
    return np.ascontiguousarray(feats[:, :3000], dtype=np.float32)


def prompt_ids(tokenizer_json: str | Path, language: str = "en") -> list[int]:
    """<|startoftranscript|> [<|en|> <|transcribe|>] <|notimestamps|> for the model's vocabulary."""
    data = json.loads(Path(tokenizer_json).read_text(encoding="utf-8"))
    ids = {t["content"]: int(t["id"]) for t in data.get("added_tokens", [])}
    multilingual = ids["<|endoftext|>"] == 50257
    out = [ids["<|startoftranscript|>"]]
    if multilingual:
        out += [ids[f"<|{language}|>"], ids["<|transcribe|>"]]
    return out + [ids["<|notimestamps|>"]]


def hf_greedy(model: Any, features: np.ndarray, prompt: list[int], max_new: int = 200) -> list[int]:
    """Token ids after ``prompt`` (without end-of-text), greedy, with the model's suppress lists
    applied as CTranslate2 does (suppress_tokens always; blank and begin tokens at the first step)."""
    import torch

    gen = model.generation_config
    eot = int(gen.eos_token_id if isinstance(gen.eos_token_id, int) else gen.eos_token_id[0])
    suppress = list(gen.suppress_tokens or [])
    begin = list(gen.begin_suppress_tokens or []) + [eot]
    dtype = next(model.parameters()).dtype
    with torch.no_grad():
        x = torch.from_numpy(features)[None].to(dtype)
        enc = model.model.encoder(x).last_hidden_state
        tokens = list(prompt)
        for step in range(max_new):
            out = model(encoder_outputs=(enc,), decoder_input_ids=torch.tensor([tokens]))
            logits = out.logits[0, -1].float()
            logits[suppress] = -np.inf
            if step == 0:
                logits[begin] = -np.inf
            nxt = int(torch.argmax(logits))
            if nxt == eot:
                break
            tokens.append(nxt)
    return tokens[len(prompt) :]


def ct2_greedy(ct2_dir: str | Path, features: np.ndarray, prompt: list[int], compute_type: str = "float32") -> list[int]:
    """Token ids from CTranslate2's own greedy search on the same features."""
    import ctranslate2

    model = ctranslate2.models.Whisper(str(ct2_dir), device="cpu", compute_type=compute_type)
    sv = ctranslate2.StorageView.from_array(features[None])
    res = model.generate(sv, [prompt], beam_size=1, suppress_blank=True, suppress_tokens=[-1], max_length=448)
    return [t for t in res[0].sequences_ids[0]]
