"""CTranslate2 inference for the corrector: batched generation plus per-word confidence.

``CorrectorModel(path)`` loads a converted BART folder (``model.bin``, ``tokenizer.json``);
``rewrite(sources)`` returns, for each source, the generated text and the probability the model
gives each of its output words (the product of the word's token probabilities, re-scored with
``score_batch``), so the edit gate can judge each change on its own.

A model whose card (``corrector.json``) says ``"target": "edits"`` writes an edit list instead
of the whole segment (:mod:`medasr.correction.bart.edits`); ``rewrite`` then anchors each item
on the input words and returns the rewritten words, each written word carrying its item's
probability, so the gate sees the same kind of ``Rewrite`` either way.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
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

        from medasr.correction.bart.format import load_tokenizer

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
        self.target = model_target(self.path)

    def rewrite(self, sources: list[str], words: Sequence[Sequence[str]] | None = None) -> list[Rewrite]:
        """One ``Rewrite`` per source. An edit-list model needs ``words``: each source's input words."""
        if not sources:
            return []
        if self.target == "edits" and words is None:
            raise ValueError("an edit-list corrector needs the input words of each source")
        encs = [self.tokenizer.encode(s) for s in sources]
        src_tokens = [e.tokens for e in encs]
        max_len = max(len(t) for t in src_tokens)
        res = self.translator.translate_batch(
            src_tokens, beam_size=self.beam_size, max_batch_size=self.max_batch,
            max_decoding_length=min(256, int(max_len * 1.5) + 8), return_scores=True,
        )
        hyps = [r.hypotheses[0] for r in res]
        nonempty = [i for i, h in enumerate(hyps) if h]
        scored_ne = self.translator.score_batch([src_tokens[i] for i in nonempty], [hyps[i] for i in nonempty],
                                                max_batch_size=self.max_batch) if nonempty else []
        scored: list = [None] * len(hyps)
        for i, sc in zip(nonempty, scored_ne):
            scored[i] = sc
        if self.target == "edits":
            return [self._from_edits(h, sc, ws) for h, sc, ws in zip(hyps, scored, words)]
        out = []
        for toks, sc in zip(hyps, scored):
            if sc is None:
                out.append(Rewrite(text="", words=(), word_probs=(), score=0.0))
                continue
            ids = [self.tokenizer.token_to_id(t) for t in toks]
            text = self.tokenizer.decode([i for i in ids if i is not None]).strip()
            words, probs = _word_probs(toks, sc.log_probs[: len(toks)], self.tokenizer)
            mean = sum(sc.log_probs) / max(1, len(sc.log_probs))
            out.append(Rewrite(text=text, words=tuple(words), word_probs=tuple(probs), score=mean))
        return out

    def score(self, sources: Sequence[str], targets: Sequence[str]) -> list[float]:
        """log P(target | source) for each pair (summed over the target's tokens and its end).

        ``targets`` are written as the model writes them: the segment (text models) or an edit
        list, empty for "no change" (edit-list models); see :func:`medasr.correction.bart.verify.target_text`."""
        if not sources:
            return []
        src = [self.tokenizer.encode(s).tokens for s in sources]
        tgt = [self.tokenizer.encode(t).tokens[1:-1] if t else [] for t in targets]
        res = self.translator.score_batch(src, tgt, max_batch_size=self.max_batch)
        return [float(sum(r.log_probs)) for r in res]

    def _from_edits(self, toks: list[str], sc, words: Sequence[str]) -> Rewrite:
        from medasr.correction.bart.edits import apply_items, item_logprobs, parse_items

        if not toks or sc is None:
            return Rewrite(text=" ".join(words), words=tuple(words), word_probs=(1.0,) * len(words), score=0.0)
        ids = [self.tokenizer.token_to_id(t) for t in toks]
        pieces = [self.tokenizer.decode([i]) if i is not None else "" for i in ids]
        text = "".join(pieces)
        items = parse_items(text, item_logprobs(pieces, sc.log_probs[: len(toks)]))
        new_words, probs, dropped = apply_items(list(words), items)
        if dropped:
            log.debug("bart: %d edit item(s) not anchored on the input, dropped", dropped)
        score = min((it.logprob for it in items), default=0.0)
        return Rewrite(text=" ".join(new_words), words=tuple(new_words), word_probs=tuple(probs), score=score)


def model_target(path: Path) -> str:
    """``"text"`` (the model rewrites the segment) or ``"edits"`` (it writes an edit list), from the card."""
    card = Path(path) / "corrector.json"
    if card.is_file():
        try:
            t = json.loads(card.read_text(encoding="utf-8")).get("target", "text")
        except (OSError, ValueError):
            t = "text"
        return t if t in ("text", "edits") else "text"
    return "text"


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
