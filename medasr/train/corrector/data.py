"""Training examples for the corrector: real ASR pairs, learned noise, and identity pairs.

The mix (``DataMix``) is: every real (hypothesis, reference) pair from the ASR models, several
times; clean references rewritten by the confusion model learned from those pairs; and a
large share of identity pairs (clinical sentences, ICD-10-CM descriptions, random sequences of
common words) so the model learns that correct text stays as it is. Each example carries a
few words of neighbouring text as context, laid out by :func:`make_source`. The target is the
corrected segment, or (``DataMix.target == "edits"``) the edit list that turns the hypothesis
into it (:mod:`medasr.correction.bart.edits`).
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from medasr.train.corrector.consultation import consultation_sentences
from medasr.train.corrector.targets import edit_target
from medasr.correction.bart.format import make_source, make_target
from medasr.train.corrector.noise import ConfusionModel
from medasr.train.corrector.pairs import Pair
from medasr.train.corrector.sentences import clinical_sentences


@dataclass(frozen=True)
class Example:
    source: str
    target: str
    kind: str  # asr | noise | identity


@dataclass(frozen=True)
class DataMix:
    asr_repeats: int = 3
    n_generated: int = 4000  # extra clinical sentences (text only) to noise
    n_icd: int = 2500
    n_random: int = 2000
    n_consultation: int = 0  # generated consultation turns (text only) to noise and keep as identity
    identity_share: float = 0.35
    context_prob: float = 0.6
    seed: int = 0
    target: str = "text"  # text: the corrected segment | edits: an edit list (bart_edits)


def common_words(tokenizer_json: dict, limit: int = 6000) -> list[str]:
    """Whole-word tokens of the (pruned) Whisper BPE: the commonest English words."""
    words = []
    for tok, i in sorted(tokenizer_json["model"]["vocab"].items(), key=lambda kv: kv[1]):
        if tok.startswith("Ġ") and re.fullmatch(r"[A-Za-z][a-z]{2,}", tok[1:]):
            words.append(tok[1:])
    return words[:limit]


def icd_descriptions(n: int, rng: random.Random) -> list[str]:
    import simple_icd_10_cm as icd

    codes = icd.get_all_codes(True)
    return [icd.get_description(c) for c in rng.sample(codes, min(n, len(codes)))]


def _random_sentence(words: Sequence[str], rng: random.Random) -> str:
    ws = [rng.choice(words) for _ in range(rng.randint(3, 14))]
    s = " ".join(ws)
    if rng.random() < 0.6:
        s = s[0].upper() + s[1:] + rng.choice((".", ".", "?", ","))
    return s


def build_examples(pairs: Sequence[Pair], words: Sequence[str], mix: DataMix = DataMix(),
                   exclude: set[str] | None = None) -> tuple[list[Example], list[Example], ConfusionModel]:
    """(train examples, dev examples, the fitted confusion model). ``exclude``: texts never to train on."""
    rng = random.Random(mix.seed)
    exclude = exclude or set()
    train_pairs = [p for p in pairs if p.split == "train" and p.ref not in exclude]
    dev_pairs = [p for p in pairs if p.split == "dev"]
    exclude = exclude | {p.ref for p in dev_pairs}
    conf = ConfusionModel().fit((p.hyp, p.ref) for p in train_pairs)

    clinical = [p.ref for p in train_pairs]
    clinical += [s.text for s in clinical_sentences(mix.n_generated, seed=mix.seed + 1000) if s.text not in exclude]
    clinical += [s.text for s in consultation_sentences(mix.n_consultation, seed=mix.seed + 2000) if s.text not in exclude]
    icd = icd_descriptions(mix.n_icd, rng)
    rand = [_random_sentence(words, rng) for _ in range(mix.n_random)]
    pool = clinical + icd + rand

    def ctx(noisy: bool) -> tuple[str, str]:
        if rng.random() >= mix.context_prob:
            return "", ""
        left, right = rng.choice(pool), rng.choice(pool)
        if noisy:
            left, right = conf.noisy(left, rng), conf.noisy(right, rng)
        return left, right

    def ex(hyp: str, ref: str, kind: str) -> Example:
        left, right = ctx(kind != "identity" or rng.random() < 0.5)
        target = edit_target(hyp, ref) if mix.target == "edits" else make_target(ref)
        return Example(make_source(hyp, left, right), target, kind)

    train: list[Example] = []
    for _ in range(mix.asr_repeats):
        train += [ex(p.hyp, p.ref, "asr") for p in train_pairs]
    for ref in clinical + icd[: len(icd) // 2]:
        noisy = conf.noisy(ref, rng)
        if noisy != ref:
            train.append(ex(noisy, ref, "noise"))
    n_identity = int(len(train) * mix.identity_share / (1 - mix.identity_share))
    for k in range(n_identity):
        # half the identity pairs are random word sequences: the decoder cannot guess them, so it
        # must learn to copy from the encoder instead of reciting clinical templates
        ref = rng.choice(rand) if k % 2 == 0 and rand else rng.choice(pool)
        train.append(ex(ref, ref, "identity"))
    rng.shuffle(train)

    dev = [ex(p.hyp, p.ref, "asr") for p in dev_pairs]
    dev += [ex(p.ref, p.ref, "identity") for p in dev_pairs[: max(1, len(dev_pairs) // 2)]]
    return train, dev, conf
