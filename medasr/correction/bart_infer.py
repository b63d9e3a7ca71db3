"""CTranslate2 inference for the corrector: batched generation plus per-word confidence.

``CorrectorModel(path)`` loads a converted BART folder (``model.bin``, ``tokenizer.json``);
``rewrite(sources)`` returns, for each source, the generated text and the probability the model
gives each of its output words (the product of the word's token probabilities, re-scored with
``score_batch``), so the edit gate can judge each change on its own.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path

from medasr.errors import ModelNotFoundError

log = logging.getLogger("medasr.correction")


@dataclass(frozen=True)
class Rewrite:
    text: str
    words: tuple[str, ...]
    word_probs: tuple[float, ...]  # one per word of ``text.split()``
    score: float  # mean token log-probability of the whole output


class CorrectorModel:
    def __init__(self, path: str | Path, *, device: str = "cpu", compute_type: str = "auto", threads: int = 0,
                 beam_size: int = 2, max_batch: int = 16) -> None:
        import ctranslate2

        from medasr.correction.bart_format import load_tokenizer

        self.path = Path(path)
        if not (self.path / "model.bin").is_file() or not (self.path / "tokenizer.json").is_file():
            raise ModelNotFoundError(
                f"no corrector model in {self.path} (need model.bin and tokenizer.json); "
                "train one with `medasr train corrector` or pass --corrector-model"
            )
        if device == "auto":
            device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
        if compute_type == "auto":
            compute_type = "float16" if device == "cuda" else "int8"
        self.device, self.compute_type = device, compute_type
        self.translator = ctranslate2.Translator(str(self.path), device=device, compute_type=compute_type,
                                                 intra_threads=threads)
        self.tokenizer = load_tokenizer(self.path / "tokenizer.json")
        self.beam_size = beam_size
        self.max_batch = max_batch

    def rewrite(self, sources: list[str]) -> list[Rewrite]:
        if not sources:
            return []
        encs = [self.tokenizer.encode(s) for s in sources]
        src_tokens = [e.tokens for e in encs]
        max_len = max(len(t) for t in src_tokens)
        res = self.translator.translate_batch(
            src_tokens, beam_size=self.beam_size, max_batch_size=self.max_batch,
            max_decoding_length=min(256, int(max_len * 1.5) + 8), return_scores=True,
        )
        hyps = [r.hypotheses[0] for r in res]
        scored = self.translator.score_batch(src_tokens, hyps, max_batch_size=self.max_batch)
        out = []
        for toks, sc in zip(hyps, scored):
            ids = [self.tokenizer.token_to_id(t) for t in toks]
            text = self.tokenizer.decode([i for i in ids if i is not None]).strip()
            words, probs = _word_probs(toks, sc.log_probs[: len(toks)], self.tokenizer)
            mean = sum(sc.log_probs) / max(1, len(sc.log_probs))
            out.append(Rewrite(text=text, words=tuple(words), word_probs=tuple(probs), score=mean))
        return out


def _word_probs(tokens: list[str], log_probs: list[float], tokenizer) -> tuple[list[str], list[float]]:
    """Group byte-level BPE tokens into whitespace words; a word's probability is the product of its tokens'."""
    words: list[str] = []
    probs: list[float] = []
    cur: list[str] = []
    lp = 0.0
    for tok, p in zip(tokens, log_probs):
        if tok.startswith("Ġ") and cur:
            words.append(tokenizer.decode([tokenizer.token_to_id(t) for t in cur]).strip())
            probs.append(math.exp(lp))
            cur, lp = [], 0.0
        cur.append(tok)
        lp += p
    if cur:
        words.append(tokenizer.decode([tokenizer.token_to_id(t) for t in cur]).strip())
        probs.append(math.exp(lp))
    keep = [(w, p) for w, p in zip(words, probs) if w]
    return [w for w, _ in keep], [p for _, p in keep]
