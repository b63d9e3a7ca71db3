"""Ordinary written English for a regularising fine-tune (issue 24): sentences from Debian's
``fortunes`` / ``fortunes-min`` (quotations, proverbs, jokes: varied everyday English, unlike the
template sentences of ``medasr.train.whisper.corpus``), spoken by the synth engines' training
voices, written as a synth manifest that ``medasr train asr --data`` reads.

Any sentence that shares four consecutive words with a bench set's reference text (general,
prompts, the synth splits, PriMock) is left out, so nothing trained on is scored.

    apt-get install -y fortunes fortunes-min   # the texts (not part of the project's setup)
    MEDASR_HOME=... python general_corpus.py OUT_DIR N [--exclude-set SET ...]
"""
from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

import numpy as np
from tqdm import tqdm

FORTUNES = Path("/usr/share/games/fortunes")
_WORD = re.compile(r"[a-z']+")
_OK = re.compile(r"[A-Za-z ,.;:'?!-]+")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def grams(text: str, n: int = 4) -> set[tuple[str, ...]]:
    w = words(text)
    return {tuple(w[i:i + n]) for i in range(len(w) - n + 1)}


def fortune_sentences() -> list[str]:
    """Single-paragraph prose fortunes split into sentences of 4-22 words."""
    out: set[str] = set()
    for f in sorted(FORTUNES.iterdir()):
        if f.suffix or not f.is_file() or f.name in ("art", "ascii-art", "perl", "linux", "linuxcookie", "computers", "debian", "translate-me"):
            continue
        for entry in f.read_text(encoding="utf-8", errors="replace").split("\n%\n"):
            lines = [ln.strip() for ln in entry.strip().splitlines()]
            if not lines or any(ln.startswith(("--", "-- ", "\t")) for ln in lines[:-1]):
                continue
            body = " ".join(ln for ln in lines if ln and not ln.startswith("--"))
            for s in re.split(r"(?<=[.?!])\s+", body):
                s = s.strip().strip('"')
                n = len(s.split())
                if 4 <= n <= 22 and _OK.fullmatch(s) and s[0].isupper() and s[-1] in ".?!" and not s.endswith("..") and not s.isupper():
                    out.add(s)
    return sorted(out)


def build(out: Path, n: int, exclude_texts: list[str], seed: int = 0) -> Path:
    from medasr.audio import resample, write_wav
    from medasr.errors import BackendError
    from medasr.manifest import manifest_line
    from medasr.synth.engines.base import VoiceParams, get_engine
    from medasr.vocab.normalize import to_spoken

    banned: set[tuple[str, ...]] = set()
    for t in exclude_texts:
        banned |= grams(t)
    pool = [s for s in fortune_sentences() if not (grams(s) & banned)]
    rng = random.Random(seed)
    rng.shuffle(pool)
    pool = pool[:n]
    print(f"{len(pool)} sentences (of the filtered pool)")
    (out / "audio").mkdir(parents=True, exist_ok=True)
    voices = []  # per engine: an engine is drawn first, so espeak-ng's ~100 variants do not crowd out the others
    for name in ("espeak-ng", "flite", "festival", "piper"):
        try:
            eng = get_engine(name, out)
            voices.append([(eng, v) for v in eng.voices() if not v.heldout])
        except BackendError as e:
            print(f"skip {name}: {e}")
    voices = [v for v in voices if v]
    nrng = np.random.default_rng(seed)
    manifest = out / "manifest.jsonl"
    with open(manifest, "w", encoding="utf-8") as fh:
        for i, text in enumerate(tqdm(pool, desc="general corpus", mininterval=30)):
            pool_e = voices[int(nrng.integers(len(voices)))]
            eng, voice = pool_e[int(nrng.integers(len(pool_e)))]
            params = VoiceParams(rate=float(nrng.uniform(0.85, 1.15)), pitch=float(nrng.uniform(0.8, 1.2)))
            spoken = to_spoken(text)
            rel = f"audio/fortune-{i:05d}.wav"
            if not (out / rel).is_file():
                try:
                    audio, sr = eng.synthesize(spoken, voice, params)
                except BackendError:
                    continue
                write_wav(out / rel, resample(audio, sr))
            split = "dev" if i % 25 == 0 else "train"
            fh.write(manifest_line({"id": f"fortune-{i:05d}", "audio": rel, "text": text, "spoken": spoken, "terms": [], "engine": eng.name,
                                    "voice": voice.id, "augmentation": [], "split": split, "kind": "general", "params": params.to_dict()}) + "\n")
    return manifest


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("n", type=int)
    ap.add_argument("--exclude-set", action="append", default=[], help="a bench set whose reference texts must not be trained on")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    from medasr.bench.datasets import resolve_set
    from medasr.config import Settings

    s = Settings.resolve({})
    texts = [u.text for spec in a.exclude_set for u in resolve_set(spec, s).utterances]
    print(f"excluding the 4-grams of {len(texts)} reference texts")
    build(a.out, a.n, texts, a.seed)


if __name__ == "__main__":
    main()
