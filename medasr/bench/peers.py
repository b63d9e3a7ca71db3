"""The peer baseline: the same Whisper weights run through Hugging Face transformers.

The CTranslate2 folder of a model is converted once to a transformers folder with
``medasr.train.convert.ct2_to_hf.convert_ct2_to_hf`` (cached under ``$MEDASR_HOME/cache/hf``), so
both engines decode the very same weights. Needs ``torch==2.13.0`` and ``transformers``
(the ``train`` extra); without them :func:`peer_available` says why and the benchmark
skips the peer. Decoding: ``model.generate`` with the same beam size as ours, float32 on
CPU (float16 on CUDA); audio over 30 s uses transformers' sequential long-form mode.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
from pathlib import Path

import numpy as np

from medasr.audio import SAMPLE_RATE
from medasr.config import Settings
from medasr.errors import BackendError

log = logging.getLogger("medasr.bench")


def peer_available() -> str | None:
    """None when the peer can run, else the reason it cannot."""
    missing = [m for m in ("torch", "transformers") if importlib.util.find_spec(m) is None]
    if missing:
        return f"{' and '.join(missing)} not installed: pip install 'medasr[train]' (torch==2.13.0) to run the transformers peer"
    return None


def converted_dir(ct2_dir: Path, settings: Settings) -> Path:
    """Convert ``ct2_dir`` to a transformers folder once; later calls reuse it."""
    from medasr.train.convert.ct2_to_hf import convert_ct2_to_hf

    st = (ct2_dir / "model.bin").stat()
    key = hashlib.sha256(f"{ct2_dir.resolve()}:{st.st_size}:{st.st_mtime_ns}".encode()).hexdigest()[:12]
    out = Path(settings.cache_dir) / "hf" / f"{ct2_dir.name}-{key}"
    if not (out / "model.safetensors").is_file():
        log.info("converting %s to transformers weights in %s", ct2_dir, out)
        convert_ct2_to_hf(ct2_dir, out)
    return out


class TransformersPeer:
    """Transcribes with ``WhisperForConditionalGeneration.generate``; returns plain text."""

    engine = "transformers"

    def __init__(self, hf_dir: Path, *, beam_size: int = 5, device: str = "auto") -> None:
        reason = peer_available()
        if reason:
            raise BackendError(reason)
        import torch
        from tokenizers import Tokenizer
        from transformers import WhisperFeatureExtractor, WhisperForConditionalGeneration
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()  # generate() warns about its own defaults on every call
        hf_logging.disable_progress_bar()
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        if device == "cuda" and not torch.cuda.is_available():
            raise BackendError("the transformers peer was asked for CUDA, but torch sees no CUDA device")
        self.device = device
        self.dtype = torch.float16 if device == "cuda" else torch.float32
        self.beam_size = beam_size
        self.path = hf_dir
        self.model = WhisperForConditionalGeneration.from_pretrained(hf_dir, dtype=self.dtype).to(device).eval()
        self.features = WhisperFeatureExtractor.from_pretrained(hf_dir)
        self.tokenizer = Tokenizer.from_file(str(hf_dir / "tokenizer.json"))
        self.multilingual = self.model.config.vocab_size >= 51865

    def transcribe_text(self, audio: np.ndarray) -> str:
        import torch

        kw: dict = {"num_beams": self.beam_size}
        if self.multilingual:
            kw.update(language="en", task="transcribe")
        if len(audio) <= 30 * SAMPLE_RATE:
            feats = self.features(audio, sampling_rate=SAMPLE_RATE, return_tensors="pt").input_features
            kw["max_new_tokens"] = 440
        else:  # transformers' sequential long-form decoding needs unpadded features and timestamps
            f = self.features(audio, sampling_rate=SAMPLE_RATE, return_tensors="pt", truncation=False, padding="longest", return_attention_mask=True)
            feats = f.input_features
            kw.update(attention_mask=f.attention_mask.to(self.device), return_timestamps=True)
        with torch.inference_mode():
            ids = self.model.generate(feats.to(self.device, self.dtype), **kw)
        seq = ids.sequences if hasattr(ids, "sequences") else ids
        return self.tokenizer.decode(seq[0].tolist(), skip_special_tokens=True).strip()


def load_peer(model: str, settings: Settings) -> TransformersPeer:
    """The peer for ``model`` (a name or path resolved like ours): convert, then load."""
    from medasr.store.whisper import resolve_model

    reason = peer_available()
    if reason:
        raise BackendError(reason)
    resolved = resolve_model(model, settings)
    hf_dir = converted_dir(Path(resolved.path), settings)
    return TransformersPeer(hf_dir, beam_size=settings.beam_size, device=settings.device)
