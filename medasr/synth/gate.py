"""Quality gate: a few clean sentences per voice, transcribed by the bundled Whisper; WER per
voice and engine; voices above the threshold are dropped from the corpus.

The rule (recorded in the report and the card): a voice is dropped when its word error rate,
over ``per_voice`` clean sentences at rate 1.0 against the spoken form (both sides through
Whisper's English normalizer), is above ``threshold``. A voice that failed to synthesize any
sentence is dropped too. The audio is kept under ``<dir>/audio`` so a rerun only transcribes.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from medasr.errors import InputError
from medasr.synth.engines.base import Voice, VoiceParams
from medasr.synth.plan import PlannedUtterance
from medasr.synth.text import SentenceGenerator, TermPools, VocabularyLike

GATE_STYLES = ("dictation", "prescription", "conversation")


@dataclass(frozen=True)
class VoiceScore:
    voice: str
    engine: str
    sentences: int
    words: int
    errors: int

    @property
    def wer(self) -> float:
        return self.errors / self.words if self.words else 1.0


@dataclass(frozen=True)
class GateReport:
    model: str
    threshold: float
    per_voice: int
    seed: int
    scores: tuple[VoiceScore, ...]

    @property
    def dropped(self) -> list[str]:
        return sorted(s.voice for s in self.scores if s.sentences == 0 or s.wer > self.threshold)

    @property
    def rule(self) -> str:
        return (
            f"Quality gate: {self.per_voice} clean sentences per voice transcribed by {self.model} (beam 1, int8, CPU); "
            f"a voice whose WER against the spoken form (Whisper English normalizer on both sides) is above "
            f"{self.threshold:.2f} is dropped."
        )

    def by_engine(self) -> dict[str, float]:
        acc: dict[str, list[int]] = {}
        for s in self.scores:
            e = acc.setdefault(s.engine, [0, 0])
            e[0] += s.errors
            e[1] += s.words
        return {k: round(v[0] / v[1], 4) if v[1] else 1.0 for k, v in sorted(acc.items())}

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "threshold": self.threshold,
            "per_voice": self.per_voice,
            "seed": self.seed,
            "rule": self.rule,
            "dropped": self.dropped,
            "wer_by_engine": self.by_engine(),
            "voices": [{**asdict(s), "wer": round(s.wer, 4)} for s in self.scores],
        }

    @classmethod
    def load(cls, path: Path) -> GateReport:
        try:
            d = json.loads(Path(path).read_text(encoding="utf-8"))
            scores = tuple(VoiceScore(v["voice"], v["engine"], v["sentences"], v["words"], v["errors"]) for v in d["voices"])
            return cls(d["model"], float(d["threshold"]), int(d["per_voice"]), int(d["seed"]), scores)
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise InputError(f"{path}: not a quality-gate report ({e})") from None


def gate_plan(voices: Sequence[Voice], vocab: VocabularyLike, per_voice: int, seed: int) -> list[PlannedUtterance]:
    """The same ``per_voice`` sentences for every voice: clean, rate 1.0, from train terms."""
    gen = SentenceGenerator(TermPools(vocab, seed))
    rng = random.Random(seed)
    sentences = [gen.sentence(rng, GATE_STYLES[i % len(GATE_STYLES)]) for i in range(per_voice)]
    out = []
    for v in sorted(voices, key=lambda v: v.id):
        safe = v.id.replace(":", "_").replace("+", "_")
        for i, s in enumerate(sentences):
            out.append(PlannedUtterance(f"gate-{safe}-{i:02d}", "gate", s, v, VoiceParams(), ()))
    return out


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(word edits, reference words) after Whisper's English normalizer on both."""
    from rapidfuzz.distance import Levenshtein
    from whisper_normalizer.english import EnglishTextNormalizer

    norm = EnglishTextNormalizer()
    ref, hyp = norm(reference).split(), norm(hypothesis).split()
    return Levenshtein.distance(ref, hyp), len(ref)


def run_gate(
    voices: Sequence[Voice],
    vocab: VocabularyLike,
    folder: Path,
    home: Path,
    transcriber: Any,
    model_name: str,
    per_voice: int = 4,
    threshold: float = 0.6,
    seed: int = 0,
    jobs: int = 0,
    progress: bool = True,
) -> GateReport:
    from medasr.asr.base import TranscribeOptions
    from medasr.audio import load_audio
    from medasr.synth.corpus import build

    plan = gate_plan(voices, vocab, per_voice, seed)
    res = build(plan, folder, home, jobs=jobs, progress=progress)
    ok = {o.id for o in res.outcomes if o.ok}
    opts = TranscribeOptions(language="en", beam_size=1, vad=False, word_timestamps=False, temperature=(0.0,), condition_on_previous_text=False)
    acc: dict[str, list[int]] = {v.id: [0, 0, 0] for v in voices}
    for u in plan:
        if u.id not in ok:
            continue
        audio: np.ndarray = load_audio(folder / u.audio)
        hyp = transcriber.transcribe(audio, opts).text
        e, n = word_errors(u.sentence.spoken, hyp)
        a = acc[u.voice.id]
        a[0] += 1
        a[1] += n
        a[2] += e
    scores = tuple(VoiceScore(v.id, v.engine, acc[v.id][0], acc[v.id][1], acc[v.id][2]) for v in sorted(voices, key=lambda v: v.id))
    report = GateReport(model_name, threshold, per_voice, seed, scores)
    (Path(folder) / "gate.json").write_text(json.dumps(report.to_dict(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return report
