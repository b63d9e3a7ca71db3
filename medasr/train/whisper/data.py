"""Training data for Whisper fine-tuning: synth manifests (``medasr.manifest``: ``text`` in written
form is the target, ``split`` train | dev | test), splits, packing, targets, SpecAugment.
Several manifests may be mixed; ids are prefixed to stay unique.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from medasr.errors import InputError
from medasr.manifest import ManifestRow, read_manifest


def training_rows(path: str | Path) -> list[ManifestRow]:
    """The rows of a synth manifest (or its folder) with text, ids prefixed by the manifest's folder
    name so that several manifests mix without clashes."""
    folder = Path(path) if Path(path).is_dir() else Path(path).parent
    rows = [replace(r, id=f"{folder.name}/{r.id}", text=r.text.strip()) for r in read_manifest(path) if r.text.strip()]
    if not rows:
        raise InputError(f"{path}: manifest holds no utterances")
    return rows


@dataclass(frozen=True)
class Splits:
    train: list[ManifestRow] = field(default_factory=list)
    dev: list[ManifestRow] = field(default_factory=list)


def make_splits(utts: list[ManifestRow], *, seed: int = 0, dev_frac: float = 0.05, max_train: int | None = None, max_dev: int = 200) -> Splits:
    """Train on ``split == train``, early-stop on ``split == dev`` (or ``dev_frac`` of train
    when the manifest has no dev split). Test-split items are never used."""
    rng = random.Random(seed)
    train = [u for u in utts if u.split == "train"]
    dev = [u for u in utts if u.split == "dev"]
    rng.shuffle(train)
    if not dev:
        k = max(1, int(len(train) * dev_frac)) if len(train) > 1 else 0
        dev, train = train[:k], train[k:]
    if max_train is not None:
        train = train[:max_train]
    if not train:
        raise InputError("no training utterances (split == 'train') in the given manifests")
    return Splits(train=train, dev=dev[:max_dev])


def pack(utts: list[ManifestRow], max_seconds: float = 24.0, seed: int = 0, *, single_share: float = 0.0) -> list[ManifestRow]:
    """Join utterances of the same split into clips of at most ``max_seconds`` (texts joined by
    a space). Whisper hears 30 s windows, so a 4 s clip wastes most of an encoder pass: packing
    cuts the encoder's cost per sentence several times and looks more like real dictation.

    Utterances of kind ``short`` (single words, numbers) and a random ``single_share`` of the
    others stay alone: a model that only ever heard full 24 s clips learns that speech fills
    the window and invents words after a short one ("three" -> "history")."""
    import soundfile as sf

    rng = random.Random(seed)
    by_split: dict[str, list[ManifestRow]] = {}
    out: list[ManifestRow] = []
    for u in utts:
        if u.kind == "short" or (single_share > 0 and rng.random() < single_share):
            out.append(u)
        else:
            by_split.setdefault(u.split, []).append(u)
    for split, items in by_split.items():
        items = list(items)
        rng.shuffle(items)
        cur: list[ManifestRow] = []
        dur = 0.0
        for u in items + [None]:  # type: ignore[list-item]
            d = 0.0 if u is None else sf.info(str(u.audio)).duration + 0.3
            if cur and (u is None or dur + d > max_seconds):
                out.append(ManifestRow(id="+".join(c.id for c in cur), audio=cur[0].audio, text=" ".join(c.text for c in cur), split=split,
                                     voice=",".join(sorted({c.voice for c in cur})), engine=",".join(sorted({c.engine for c in cur})),
                                     terms=tuple(t for c in cur for t in c.terms), kind=",".join(sorted({c.kind for c in cur})),
                                     parts=tuple(c.audio for c in cur)))
                cur, dur = [], 0.0
            if u is not None:
                cur.append(u)
                dur += d
    return out


class TargetEncoder:
    """Written-form text -> decoder input ids and labels, with the model's prompt.

    input  = <|sot|> [<|en|> <|transcribe|>] <|notimestamps|> t1 .. tn
    labels =   -100  [  -100      -100     ]       t1         t2 .. <|eot|>
    (the leading start-of-transcript is never a label: it is the decoder start token).
    """

    def __init__(self, tokenizer_json: str | Path, language: str = "en", max_tokens: int = 200) -> None:
        from tokenizers import Tokenizer

        from medasr.train.convert.hf_decode import prompt_ids

        self.tok = Tokenizer.from_file(str(tokenizer_json))
        self.prompt = prompt_ids(tokenizer_json, language)
        data = json.loads(Path(tokenizer_json).read_text(encoding="utf-8"))
        self.eot = next(int(t["id"]) for t in data["added_tokens"] if t["content"] == "<|endoftext|>")
        self.max_tokens = max_tokens

    def encode(self, text: str) -> tuple[list[int], list[int]]:
        ids = self.tok.encode(" " + text.strip(), add_special_tokens=False).ids[: self.max_tokens]
        inp = self.prompt + ids
        labels = [-100] * (len(self.prompt) - 1) + ids + [self.eot]
        return inp, labels

    def decode(self, ids: list[int]) -> str:
        return self.tok.decode(ids).strip()


def pad_batch(pairs: list[tuple[list[int], list[int]]], pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    n = max(len(i) for i, _ in pairs)
    inp = np.full((len(pairs), n), pad_id, dtype=np.int64)
    lab = np.full((len(pairs), n), -100, dtype=np.int64)
    for r, (i, lb) in enumerate(pairs):
        inp[r, : len(i)] = i
        lab[r, : len(lb)] = lb
    return inp, lab


def spec_augment(feats: np.ndarray, rng: np.random.Generator, *, n_freq: int = 2, f_width: int = 10, n_time: int = 2, t_width: int = 40, valid_frames: int | None = None) -> np.ndarray:
    """SpecAugment (frequency and time masks) on (n_mels, frames) log-mel features; masked
    bins take the features' minimum (Whisper's padding value), not zero."""
    out = feats.copy()
    n_mels, frames = out.shape
    frames = min(frames, valid_frames or frames)
    fill = float(out.min())
    for _ in range(n_freq):
        w = int(rng.integers(0, f_width + 1))
        f0 = int(rng.integers(0, max(1, n_mels - w)))
        out[f0 : f0 + w, :] = fill
    for _ in range(n_time):
        w = int(rng.integers(0, min(t_width, max(1, frames // 10)) + 1))
        t0 = int(rng.integers(0, max(1, frames - w)))
        out[:, t0 : t0 + w] = fill
    return out


def augment_audio(audio: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Light waveform augmentation for corpora that carry none: gain and additive noise at
    15-35 dB SNR (white or brown), on about half the clips."""
    if rng.random() < 0.5:
        return audio
    gain = 10 ** (rng.uniform(-6, 3) / 20)
    a = audio * gain
    noise = rng.standard_normal(a.size).astype(np.float32)
    if rng.random() < 0.5:
        noise = np.cumsum(noise)
        noise -= np.convolve(noise, np.ones(400) / 400, mode="same")
    p_sig = float(np.mean(a**2)) + 1e-12
    p_noise = float(np.mean(noise**2)) + 1e-12
    snr = rng.uniform(15, 35)
    a = a + noise * np.sqrt(p_sig / (p_noise * 10 ** (snr / 10)))
    return np.clip(a, -1, 1).astype(np.float32)
