"""(hypothesis, reference) pairs for the BART corrector.

Real pairs come from running an ASR model over synthetic clinical speech: the synth corpus
(a ``manifest.jsonl`` with ``text`` in written form, ``audio`` and ``split``) or, when there
is none, sentences from :mod:`medasr.train.corrector.sentences` (and consultation turns from
:mod:`medasr.train.corrector.consultation`) spoken by espeak-ng and flite training voices. The test
split is never used for training pairs. Pairs are stored as JSON lines.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from medasr.errors import InputError
from medasr.manifest import read_manifest
from medasr.synth.engines.base import Voice, VoiceParams
from medasr.synth.engines.cli_engines import FliteEngine, espeak_command, run_to_wav

log = logging.getLogger("medasr.correction")

ESPEAK_VOICES = ("en-us", "en-us+m3", "en-us+f2", "en", "en-gb-x-rp+f3", "en-us+m7")


@dataclass(frozen=True)
class Pair:
    hyp: str
    ref: str
    source: str  # asr:<model> | noise | identity
    split: str = "train"
    id: str = ""


@dataclass(frozen=True)
class SpeechItem:
    id: str
    text: str
    split: str
    audio: Path | None = None  # None: synthesize with espeak-ng


def write_pairs(path: Path, pairs: Iterable[Pair]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as f:
        for p in pairs:
            f.write(json.dumps(asdict(p), ensure_ascii=False) + "\n")
            n += 1
    return n


def read_pairs(path: Path) -> list[Pair]:
    if not Path(path).is_file():
        raise InputError(f"pairs file {path} does not exist; build it with `medasr train corrector --build-pairs`")
    out = []
    with Path(path).open(encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
                out.append(Pair(hyp=str(d["hyp"]), ref=str(d["ref"]), source=str(d.get("source", "")),
                                split=str(d.get("split", "train")), id=str(d.get("id", ""))))
            except (json.JSONDecodeError, KeyError) as e:
                raise InputError(f"{path}:{i}: not a pair ({e})") from None
    return out


def speech_items(manifest: Path) -> list[SpeechItem]:
    """The items of a synth-corpus manifest (``medasr.manifest``): text, audio and split."""
    return [SpeechItem(id=r.id, text=r.text, split=r.split, audio=r.audio) for r in read_manifest(manifest)]


def espeak_wav(text: str, out: Path, voice: str = "en-us", speed: int = 160) -> Path:
    """``text`` spoken by espeak-ng (the synth engines' command line) at ``speed`` words a minute, as a WAV file."""
    from medasr.audio import write_wav

    audio, sr = run_to_wav(espeak_command(text, voice, rate=speed / 175), f"espeak-ng voice {voice}")
    write_wav(out, audio, sr)
    return out


FLITE_VOICES = tuple(n for n in FliteEngine.NAMES if n not in FliteEngine.HELDOUT)


def flite_wav(text: str, out: Path, voice: str = "slt", stretch: float = 1.0) -> Path:
    """``text`` spoken by the synth corpus's flite engine (``stretch`` > 1 is slower) into a WAV file."""
    from medasr.audio import write_wav

    audio, sr = FliteEngine().synthesize(text, Voice("flite", voice), VoiceParams(rate=1.0 / stretch))
    write_wav(out, audio, sr)
    return out


def speak_wav(text: str, out: Path, rng) -> Path:
    """``text`` spoken by a training voice: espeak-ng mostly, flite (when installed) a third of the time."""
    if shutil.which("flite") and rng.random() < 1 / 3:
        return flite_wav(text, out, voice=rng.choice(FLITE_VOICES), stretch=rng.choice((0.9, 1.0, 1.1)))
    return espeak_wav(text, out, voice=rng.choice(ESPEAK_VOICES), speed=rng.choice((140, 155, 170, 185)))


def asr_pairs(items: Iterable[SpeechItem], transcriber, *, model_name: str, seed: int = 0,
              progress: bool = True, skip_splits: tuple[str, ...] = ("test",)) -> Iterator[Pair]:
    """Transcribe each item (synthesizing it first when it has no audio) and yield pairs.

    Items of ``skip_splits`` (the test split by default: it is for evaluation only) are skipped.
    """
    import random

    from medasr.asr.base import TranscribeOptions
    from medasr.audio import load_audio

    rng = random.Random(seed)
    opts = TranscribeOptions(language="en", beam_size=5, vad=False, word_timestamps=False)
    todo = [it for it in items if it.split not in skip_splits]
    try:
        from tqdm import tqdm

        it_iter = tqdm(todo, desc=f"asr pairs ({model_name})", disable=not progress)
    except ImportError:  # pragma: no cover
        it_iter = todo
    with tempfile.TemporaryDirectory(prefix="medasr-pairs-") as tmp:
        for it in it_iter:
            path = it.audio
            if path is None:
                path = speak_wav(it.text, Path(tmp) / "u.wav", rng)
            hyp = transcriber.transcribe(load_audio(path), opts).text.strip()
            yield Pair(hyp=hyp, ref=it.text, source=f"asr:{model_name}", split=it.split, id=it.id)
