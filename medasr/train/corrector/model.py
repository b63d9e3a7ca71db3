"""The corrector's model: a small BART from scratch (or facebook/bart-base when online), its
tokenizer (Whisper's cased byte-level BPE), and export to CTranslate2 int8.

torch/transformers are imported inside functions: importing this module is cheap.
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from medasr.correction.bart.format import BOS, EOS, PAD, pruned_tokenizer_json, whisper_tokenizer_path
from medasr.errors import ModelNotFoundError

log = logging.getLogger("medasr.train")


@dataclass(frozen=True)
class CorrectorSize:
    d_model: int = 256
    layers: int = 3  # encoder and decoder each
    heads: int = 4
    ffn: int = 1024
    max_positions: int = 256


SIZES = {
    "tiny": CorrectorSize(d_model=128, layers=2, heads=4, ffn=512),
    "small": CorrectorSize(),
    "medium": CorrectorSize(d_model=384, layers=4, heads=6, ffn=1536),
}


def hf_tokenizer(path: str | Path | None = None, *, vocab_size: int = 8192):
    """The corrector's tokenizer as a transformers fast tokenizer with BART's special tokens.

    ``path``: a tokenizer.json (a trained corrector's); None: Whisper's, pruned to ``vocab_size``.
    """
    from tokenizers import Tokenizer
    from tokenizers.processors import TemplateProcessing
    from transformers import PreTrainedTokenizerFast

    if path is None:
        tok = Tokenizer.from_str(json.dumps(pruned_tokenizer_json(vocab_size, whisper_tokenizer_path())))
    else:
        tok = Tokenizer.from_file(str(path))
    tok.post_processor = TemplateProcessing(
        single=f"{BOS} $A {EOS}", special_tokens=[(BOS, tok.token_to_id(BOS)), (EOS, tok.token_to_id(EOS))]
    )
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token=BOS, eos_token=EOS, unk_token=EOS, pad_token=PAD)


def config_kwargs(size: CorrectorSize, tokenizer) -> dict:
    """What every corrector's transformers config shares: its shape, and its special tokens
    (decoding starts at EOS and is forced to end with it)."""
    return dict(
        vocab_size=len(tokenizer),
        d_model=size.d_model,
        encoder_layers=size.layers,
        decoder_layers=size.layers,
        encoder_attention_heads=size.heads,
        decoder_attention_heads=size.heads,
        encoder_ffn_dim=size.ffn,
        decoder_ffn_dim=size.ffn,
        max_position_embeddings=size.max_positions,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.eos_token_id,
        forced_eos_token_id=tokenizer.eos_token_id,
        dropout=0.1,
        tie_word_embeddings=True,
        normalize_embedding=True,
    )


def new_model(size: CorrectorSize, tokenizer, *, seed: int = 0):
    """A randomly initialised ``BartForConditionalGeneration`` of ``size``."""
    import torch
    from transformers import BartConfig, BartForConditionalGeneration

    torch.manual_seed(seed)
    cfg = BartConfig(
        **config_kwargs(size, tokenizer),
        scale_embedding=True,
        normalize_before=False,  # read by CTranslate2's BART converter
    )
    return BartForConditionalGeneration(cfg)


def pretrained_model(base: str, *, seed: int = 0):
    """``facebook/bart-base`` (or a local folder: an earlier run's checkpoint, any sequence-to-
    sequence model transformers and CTranslate2 both know) and its own tokenizer; clear error offline."""
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    torch.manual_seed(seed)
    try:
        tok = AutoTokenizer.from_pretrained(base)
        # float32 whatever the checkpoint holds: a float16 checkpoint (a GPU run's) trains on CPU
        # ~100x slower and overflows to NaN within a step
        model = AutoModelForSeq2SeqLM.from_pretrained(base, dtype=torch.float32)
    except OSError as e:
        raise ModelNotFoundError(
            f"cannot load base model {base!r}: {e}. It needs the Hugging Face hub (offline here) or a local "
            "folder with a BART checkpoint; train from scratch with --base none"
        ) from None
    from medasr.correction.bart.format import CLOSE, OPEN

    if tok.add_special_tokens({"additional_special_tokens": [OPEN, CLOSE]}):
        model.resize_token_embeddings(len(tok))
    return model, tok


def n_params(model) -> int:
    return sum(p.numel() for p in model.parameters())


def export_ct2(hf_dir: Path, out_dir: Path, *, quantization: str = "int8", card: dict | None = None) -> Path:
    """Convert a saved BART checkpoint to CTranslate2 (int8 by default) with its tokenizer.json.

    The card (``corrector.json``) gets the checkpoint's target format (``text`` or ``edits``)
    unless ``card`` says otherwise: the reader needs it to read the model's output."""
    import ctranslate2

    out_dir = Path(out_dir)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    conv = ctranslate2.converters.TransformersConverter(str(hf_dir), copy_files=["tokenizer.json"])
    conv.convert(str(out_dir), quantization=quantization, force=True)
    saved = Path(hf_dir) / "medasr_corrector.json"  # written by train_corrector: the target format
    if saved.is_file():
        card = {**json.loads(saved.read_text(encoding="utf-8")), **(card or {})}
    if card is not None:
        (out_dir / "corrector.json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    return out_dir


def size_dict(size: CorrectorSize) -> dict:
    return asdict(size)
