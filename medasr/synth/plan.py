"""The corpus plan: for each utterance its split, sentence, engine, voice, prosody and
augmentation, all drawn from one seeded generator. Audio is made later, in any order, from
the plan alone, so a seed gives the same manifest however the work is scheduled.

Splits. ``test`` holds out (a) voices: each engine's catalogue names voices that never speak
train or dev (and ``holdout_engine`` keeps a whole engine out), and (b) terms: a stable
fraction of content terms (``medasr.synth.text.is_heldout``) that appear only in test.
Every test utterance contains at least one held-out term; half of them use a held-out voice.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from medasr.errors import ConfigError
from medasr.synth import augment
from medasr.synth.engines.base import Voice, VoiceParams
from medasr.synth.text import TERM_SLOTS, Sentence, SentenceGenerator, TermPools, VocabularyLike

SPLITS = ("train", "dev", "test")
STYLE_WEIGHTS = {"dictation": 0.22, "prescription": 0.22, "lab": 0.1, "procedure": 0.1, "referral": 0.12, "conversation": 0.24}
# share of utterances per engine (before held-out voices); slow neural engines get less
ENGINE_WEIGHTS = {"espeak-ng": 0.25, "flite": 0.22, "festival": 0.2, "piper": 0.25, "kokoro": 0.08}


@dataclass(frozen=True)
class PlanConfig:
    n: int
    seed: int = 0
    split_weights: tuple[float, float, float] = (0.8, 0.1, 0.1)
    heldout_fraction: float = 0.05
    holdout_engine: str | None = None
    p_clean: float = 0.25
    augment: bool = True
    engine_weights: dict[str, float] = field(default_factory=lambda: dict(ENGINE_WEIGHTS))

    def __post_init__(self) -> None:
        if self.n < 1:
            raise ConfigError(f"--n must be at least 1, not {self.n}")
        if len(self.split_weights) != 3 or any(w < 0 for w in self.split_weights) or sum(self.split_weights) <= 0:
            raise ConfigError(f"split weights must be three non-negative numbers, not {self.split_weights}")


@dataclass(frozen=True)
class PlannedUtterance:
    id: str
    split: str
    sentence: Sentence
    voice: Voice
    params: VoiceParams
    augmentation: tuple[dict[str, Any], ...]

    @property
    def audio(self) -> str:
        return f"audio/{self.split}/{self.id}.flac"

    def manifest_row(self) -> dict[str, Any]:
        steps = [{"type": "prosody", **self.params.to_dict()}, *self.augmentation]
        return {
            "id": self.id,
            "audio": self.audio,
            "text": self.sentence.text,
            "spoken": self.sentence.spoken,
            "terms": [t.to_dict() for t in self.sentence.terms],
            "engine": self.voice.engine,
            "voice": self.voice.name,
            "augmentation": steps,
            "split": self.split,
        }


@dataclass(frozen=True)
class VoiceSplit:
    train: tuple[Voice, ...]
    heldout: tuple[Voice, ...]


def split_voices(voices: Sequence[Voice], holdout_engine: str | None = None) -> VoiceSplit:
    """Held-out voices: the catalogue's choices (kept only where the engine has a train voice
    left) plus every voice of ``holdout_engine``."""
    engines = {v.engine for v in voices}
    if holdout_engine is not None and holdout_engine not in engines:
        raise ConfigError(f"--holdout-engine {holdout_engine!r} has no working voices here; working: {', '.join(sorted(engines))}")
    train, held = [], []
    for v in sorted(voices, key=lambda v: v.id):
        others = [w for w in voices if w.engine == v.engine and not w.heldout]
        if v.engine == holdout_engine or (v.heldout and others):
            held.append(v)
        else:
            train.append(v)
    if not held:
        raise ConfigError("no voice can be held out for test: need an engine with two or more working voices, or --holdout-engine")
    if not train:
        raise ConfigError("every working voice is held out; nothing is left to train on")
    return VoiceSplit(tuple(train), tuple(held))


def _pick_voice(rng: random.Random, pool: Sequence[Voice], weights: dict[str, float]) -> Voice:
    engines = sorted({v.engine for v in pool})
    w = [weights.get(e, 0.1) for e in engines]
    engine = rng.choices(engines, weights=w)[0]
    return rng.choice([v for v in pool if v.engine == engine])


@dataclass(frozen=True)
class Plan:
    utterances: tuple[PlannedUtterance, ...]
    voices: VoiceSplit
    pool_sizes: dict[str, dict[str, int]]  # slot kinds -> {"train": n, "heldout": n}
    heldout_keys: frozenset[str]  # normalized written forms of the held-out terms


def make_plan(cfg: PlanConfig, vocab: VocabularyLike, voices: Sequence[Voice]) -> Plan:
    if not voices:
        raise ConfigError("no TTS voice works on this machine; run `medasr synth voices` to see why")
    vs = split_voices(voices, cfg.holdout_engine)
    pools = TermPools(vocab, cfg.seed, cfg.heldout_fraction)
    gen = SentenceGenerator(pools)
    rng = random.Random(cfg.seed)
    styles = sorted(STYLE_WEIGHTS)
    out = []
    for i in range(cfg.n):
        split = rng.choices(SPLITS, weights=cfg.split_weights)[0]
        style = rng.choices(styles, weights=[STYLE_WEIGHTS[s] for s in styles])[0]
        test = split == "test"
        sentence = gen.utterance(rng, style, heldout=test)
        pool = vs.heldout if test and rng.random() < 0.5 else vs.train
        voice = _pick_voice(rng, pool, cfg.engine_weights)
        rate = round(rng.uniform(0.85, 1.15), 3)
        pitch = round(rng.uniform(0.85, 1.15), 3)
        rate, pitch = (rate if voice.rate else 1.0), (pitch if voice.pitch else 1.0)
        steps = augment.plan(rng, cfg.p_clean) if cfg.augment else []
        out.append(PlannedUtterance(f"s{cfg.seed}-{i:06d}", split, sentence, voice, VoiceParams(rate, pitch), tuple(steps)))
    sizes = {"+".join(k): {"train": pools.size(k), "heldout": pools.size(k, True)} for k in sorted(set(TERM_SLOTS.values()))}
    return Plan(tuple(out), vs, sizes, frozenset(pools.heldout_keys))
