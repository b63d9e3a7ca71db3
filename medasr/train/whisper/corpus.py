"""A small training corpus made here, for when no ``medasr synth`` corpus is at hand (tests,
quick CPU runs): clinical sentences plus general conversational English (the guard against
forgetting), spoken by the synth engines' training voices, written as a synth manifest.

The full corpus (more engines, rooms, held-out voices and terms) is ``medasr synth``'s job.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from medasr.errors import BackendError

log = logging.getLogger("medasr.train")

_OPEN = ("How are you feeling today", "What brings you in this morning", "When did this first start", "Have you noticed anything that makes it better or worse",
         "Is there anything else you wanted to talk about", "Do you have any questions for me", "Can you tell me a little more about that", "How have you been sleeping",
         "Has anyone else at home been unwell", "Are you able to carry on with your normal day")
_SUBJ = ("my daughter", "my husband", "the neighbour", "my brother", "a friend from work", "my mother", "the children", "my partner")
_VERB = ("went to the shops", "walked the dog", "drove to the station", "cooked dinner", "watched the football", "cleaned the house", "visited the library", "caught the early train")
_WHEN = ("yesterday", "last weekend", "on Tuesday", "this morning", "a few weeks ago", "over the holidays", "after lunch", "before the storm")
_FEEL = ("tired", "much better", "a bit worried", "quite busy", "really hungry", "fine", "cold all the time", "out of breath on the stairs")
_THING = ("the weather", "the garden", "the new job", "the car", "the holiday", "the meeting", "the school run", "the flat")
_ADJ = ("lovely", "terrible", "a nightmare", "much easier than I thought", "very expensive", "quite nice", "a bit of a struggle", "better than last year")
# what a clinician says during an examination: everyday words ("take a deep breath") that a model
# trained mostly on prescriptions would otherwise hear as drug names after "take"
_ASK = ("Please", "Now", "Okay,", "Could you", "I'd like you to", "Just", "Right, can you", "When you're ready,")
_DO = ("take a deep breath", "breathe in and out slowly", "take a seat", "lie back on the couch", "take your time", "take off your shoes",
       "roll up your sleeve", "open your mouth and say ah", "follow my finger with your eyes", "squeeze my hand", "take a big breath in",
       "hold your breath", "look straight ahead", "stand up", "take a sip of water", "take your coat off", "tell me if this hurts", "cough for me",
       "relax your arm", "point to where it hurts", "take it easy this week", "take a few steps", "push against my hand", "bend your knee")
_AFTER = ("", " for me", " please", " again", " once more", " for a moment")


def general_sentences(n: int, seed: int = 0) -> list[str]:
    """Everyday conversational English of the kind heard around a consultation."""
    rng = random.Random(seed + 1009)
    out: set[str] = set()
    tries = 0
    while len(out) < n and tries < n * 50:
        tries += 1
        t = rng.randrange(8)
        if t == 0:
            s = rng.choice(_OPEN) + "?"
        elif t == 1:
            s = f"{rng.choice(_SUBJ).capitalize()} {rng.choice(_VERB)} {rng.choice(_WHEN)}."
        elif t == 2:
            s = f"I have been feeling {rng.choice(_FEEL)} since {rng.choice(_WHEN)}."
        elif t == 3:
            s = f"Honestly, {rng.choice(_THING)} has been {rng.choice(_ADJ)}."
        elif t == 4:
            s = f"{rng.choice(_SUBJ).capitalize()} said {rng.choice(_THING)} was {rng.choice(_ADJ)}."
        elif t == 5:
            s = f"{rng.choice(_OPEN)}, and {rng.choice(_SUBJ)} {rng.choice(_VERB)} {rng.choice(_WHEN)}?"
        else:
            s = f"{rng.choice(_ASK)} {rng.choice(_DO)}{rng.choice(_AFTER)}."
        out.add(s)
    return sorted(out)


_ONES = ("Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine")
_SHORT_WORDS = ("Yes.", "No.", "Okay.", "Thank you.", "Next.", "Sorry?", "Right.", "Go on.", "Fine.", "Hello.", "Stop.", "Please.",
                "Pardon?", "Maybe.", "Not really.", "All right.", "Good morning.", "Goodbye.", "A little.", "Sometimes.")


def short_sentences(n: int, seed: int = 0) -> list[str]:
    """Short speech: a number said alone ("Three.", "42."), a word or two ("Yes.", "Go on.").
    Trained unpacked, so a fine-tuned model still writes one word for one word."""
    rng = random.Random(seed + 2027)
    out: list[str] = []
    for _ in range(n):
        r = rng.random()
        if r < 0.45:
            out.append(_ONES[rng.randrange(10)] + ".")
        elif r < 0.65:
            out.append(f"{rng.randrange(10, 200)}.")
        else:
            out.append(rng.choice(_SHORT_WORDS))
    return out


@dataclass(frozen=True)
class CorpusItem:
    id: str
    text: str
    kind: str  # medical | general
    split: str


def corpus_texts(n: int, *, general_frac: float = 0.25, seed: int = 0, test: bool = False,
                 exclude: frozenset[str] = frozenset(), short_frac: float = 0.0) -> list[CorpusItem]:
    """``n`` sentences: clinical (train/dev splits of the shared generator; with ``test`` its
    test split only), general conversational English and (``short_frac``) short speech."""
    from medasr.train.corrector.sentences import clinical_sentences

    n_short = int(round(n * short_frac))
    shorts = short_sentences(n_short, seed)
    n -= n_short
    n_gen = int(round(n * general_frac))
    keep = (lambda s: s.split == "test") if test else (lambda s: s.split != "test")
    med = [s for s in clinical_sentences(int((n - n_gen) * (8 if test else 1.4)) + 10, seed=seed) if keep(s) and s.text not in exclude][: n - n_gen]
    rng = random.Random(seed)
    items = [CorpusItem(s.id, s.text, "medical", s.split) for s in med]

    def split() -> str:
        return "test" if test else "dev" if rng.random() < 0.08 else "train"

    for i, s in enumerate([g for g in general_sentences(n_gen + len(exclude), seed) if g not in exclude][:n_gen]):
        items.append(CorpusItem(f"gen-en-{seed}-{i:05d}", s, "general", split()))
    for i, s in enumerate(shorts):
        items.append(CorpusItem(f"short-{seed}-{i:05d}", s, "short", split()))
    rng.shuffle(items)
    return items


def build_corpus(out_dir: str | Path, n: int, *, seed: int = 0, engines: tuple[str, ...] = ("espeak-ng", "flite"), general_frac: float = 0.25,
                 home: Path | None = None, progress: Callable[[int, int], None] | None = None, test: bool = False,
                 exclude: frozenset[str] = frozenset(), short_frac: float = 0.0) -> Path:
    """Synthesize ``n`` sentences into ``out_dir`` (WAVs + manifest.jsonl); returns the manifest.
    Only the engines' training voices are used; ``test`` builds a test set instead: test-split
    sentences spoken by the held-out voices only."""
    from medasr.audio import resample, write_wav
    from medasr.manifest import manifest_line
    from medasr.synth.engines.base import VoiceParams, get_engine
    from medasr.vocab.normalize import to_spoken

    out = Path(out_dir)
    (out / "audio").mkdir(parents=True, exist_ok=True)
    voices = []
    for name in engines:
        eng = get_engine(name, home or out)
        voices += [(eng, v) for v in eng.voices() if v.heldout == test]
    if not voices:
        raise BackendError(f"no TTS voices available from {', '.join(engines)}; install espeak-ng or flite")
    rng = np.random.default_rng(seed)
    items = corpus_texts(n, general_frac=general_frac, seed=seed, test=test, exclude=exclude, short_frac=short_frac)
    manifest = out / "manifest.jsonl"
    fh = open(manifest, "w", encoding="utf-8")  # written as it goes: a stopped run leaves a usable manifest
    n_ok = 0
    for k, it in enumerate(items):
        eng, voice = voices[int(rng.integers(len(voices)))]
        params = VoiceParams(rate=float(rng.uniform(0.85, 1.15)), pitch=float(rng.uniform(0.8, 1.2)))
        spoken = to_spoken(it.text)
        rel = f"audio/{it.id}.wav"
        if not (out / rel).is_file():  # a resumed build keeps its WAVs: the same seed draws the same voices
            try:
                audio, sr = eng.synthesize(spoken, voice, params)
            except BackendError as e:
                log.warning("skipping %s: %s", it.id, e)
                continue
            write_wav(out / rel, resample(audio, sr))
        n_ok += 1
        fh.write(manifest_line({"id": it.id, "audio": rel, "text": it.text, "spoken": spoken, "terms": [], "engine": eng.name, "voice": voice.id,
                                "augmentation": [], "split": it.split, "kind": it.kind, "params": params.to_dict()}) + "\n")
        fh.flush()
        if progress:
            progress(k + 1, len(items))
    fh.close()
    if n_ok == 0:
        raise BackendError(f"no sentence could be synthesized into {out}")
    return manifest
