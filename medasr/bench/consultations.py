"""Two-voice consultations for the speaker benchmark, spoken from PriMock57's transcripts.

``build`` reads each consultation's doctor and patient TextGrids (``bench.primock.parse_textgrid``),
keeps the turns in time order up to ``cap_seconds`` of generated audio, and speaks the
doctor's turns with one TTS voice and the patient's with another (a different engine, and
mostly a different sex; ``PAIRS`` rotates over consultations). Each clip is levelled and trimmed
of the silence the engine adds; its audible stretches (``speech``: pauses of 0.3 s or more cut
out) are the reference for DER. Turns follow each other after pauses of 0.25-0.8 s; where the real consultation overlapped, the next turn starts 0.2 s before
the last one ends; a backchannel (up to three words said inside the other speaker's turn, such as
"Yep.") is laid over that turn at the same relative place. Each consultation gives a mono mix,
a stereo file (doctor left, patient right) and a reference of its turns (speaker, role, start,
end, text); and a three-voice mix where a companion (role ``other``, a third voice) says every
third patient turn, for the speaker count. The first ``DEV`` consultations (in name order) are the dev part (for choosing
thresholds); the rest are the test part (for reporting only).
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from medasr.audio import SAMPLE_RATE, write_wav
from medasr.errors import BackendError, InputError

log = logging.getLogger("medasr.bench")

DEV = 8
CAP_SECONDS = 150.0
ROLE = {"doctor": "clinician", "patient": "patient"}
# (doctor voice, patient voice): engine:name ids of medasr.synth.engines
PAIRS: tuple[tuple[str, str], ...] = (
    ("espeak-ng:en-gb-x-rp+m3", "flite:slt"),
    ("festival:slt-hts", "flite:awb"),
    ("piper:joe", "kokoro:jf_alpha"),
    ("flite:rms", "espeak-ng:en-us+f2"),
    ("kokoro:jm_kumo", "festival:kal"),
    ("flite:kal16", "piper:joe"),
    ("espeak-ng:en-us+m1", "kokoro:jf_nezumi"),
    ("flite:slt", "espeak-ng:en-gb-scotland+m7"),
)
# the third voice of the three-voice mixes (a companion who answers every third patient turn)
COMPANIONS = ("flite:awb", "festival:kal", "espeak-ng:en-us+f4", "kokoro:jf_gongitsune", "piper:joe")
BACKCHANNEL_WORDS = 3
OVERLAP = 0.2
LEVEL_RMS = 0.08


@dataclass(frozen=True)
class RefTurn:
    speaker: str  # doctor | patient
    role: str  # clinician | patient
    start: float
    end: float
    text: str
    voice: str
    backchannel: bool = False
    speech: tuple[tuple[float, float], ...] = ()  # where the voice is audible (pauses of 0.3 s or more cut out)


@dataclass(frozen=True)
class Said:
    """One interval of a PriMock TextGrid: who, when (in the real consultation), what."""

    speaker: str
    start: float
    end: float
    text: str


def consultation_turns(primock_dir: Path, name: str) -> list[Said]:
    """Both speakers' turns in time order (markup removed, empty intervals dropped)."""
    from medasr.bench.primock import parse_textgrid

    rows = []
    for spk in ("doctor", "patient"):
        path = primock_dir / "transcripts" / f"{name}_{spk}.TextGrid"
        if not path.is_file():
            raise InputError(f"{path}: not found (is the PriMock57 data in {primock_dir}?)")
        rows += [Said(spk, t.start, t.end, t.text) for t in parse_textgrid(path)]
    return sorted(rows, key=lambda r: (r.start, r.end))


def is_backchannel(turn: Said, others: Sequence[Said]) -> bool:
    """A short turn said wholly inside another speaker's turn."""
    if len(turn.text.split()) > BACKCHANNEL_WORDS:
        return False
    return any(o.speaker != turn.speaker and o.start < turn.start and turn.end < o.end for o in others)


SILENCE_DB = -45.0
MIN_PAUSE = 0.3


def _frames_on(audio: np.ndarray) -> np.ndarray:
    n = len(audio) // 160
    rms = np.sqrt(np.mean(audio[: n * 160].reshape(n, 160) ** 2, axis=1)) if n else np.zeros(0)
    return rms > 10 ** (SILENCE_DB / 20)


def trim(audio: np.ndarray) -> np.ndarray:
    """The clip without the silence an engine puts before and after the words."""
    on = np.nonzero(_frames_on(audio))[0]
    if len(on) == 0:
        return audio
    return audio[max(0, on[0] - 2) * 160: min(len(audio), (on[-1] + 3) * 160)]


def speech_spans(audio: np.ndarray, offset: float) -> tuple[tuple[float, float], ...]:
    """Audible stretches of a clip (10 ms frames above SILENCE_DB, pauses under MIN_PAUSE bridged)."""
    on = _frames_on(audio)
    spans: list[list[float]] = []
    for i in np.nonzero(on)[0]:
        t = i / 100
        if spans and t - spans[-1][1] < MIN_PAUSE:
            spans[-1][1] = t + 0.01
        else:
            spans.append([t, t + 0.01])
    return tuple((round(offset + a, 3), round(offset + b, 3)) for a, b in spans)


def _level(audio: np.ndarray) -> np.ndarray:
    rms = float(np.sqrt(np.mean(audio**2))) or 1.0
    out = audio * (LEVEL_RMS / rms)
    peak = float(np.max(np.abs(out)))
    return out / peak * 0.95 if peak > 0.95 else out


class Voices:
    """Engines and voices by id, loaded once; ``speak`` gives 16 kHz float32 (kept, so a second
    rendering of the same turns speaks only what changed)."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self._engines: dict[str, object] = {}
        self._said: dict[tuple[str, str], np.ndarray] = {}

    def speak(self, voice_id: str, text: str) -> np.ndarray:
        if (voice_id, text) in self._said:
            return self._said[voice_id, text]
        from medasr.audio import resample
        from medasr.synth.engines.base import Voice, VoiceParams, check_audio, get_engine

        engine_name, _, name = voice_id.partition(":")
        if engine_name not in self._engines:
            self._engines[engine_name] = get_engine(engine_name, self.home)
        engine = self._engines[engine_name]
        voices = {v.name: v for v in engine.voices()}  # type: ignore[attr-defined]
        if name not in voices:
            raise BackendError(f"TTS voice {voice_id} is not available here (engine voices: {', '.join(voices) or 'none'})")
        voice: Voice = voices[name]
        audio, sr = check_audio(*engine.synthesize(text, voice, VoiceParams()), voice_id)  # type: ignore[attr-defined]
        self._said[voice_id, text] = out = trim(_level(resample(audio, sr)))
        return out


def cast_pair(pair: tuple[str, str]) -> Callable[[int, Said], tuple[str, str]]:
    return lambda i, t: (t.speaker, pair[0] if t.speaker == "doctor" else pair[1])


def cast_trio(pair: tuple[str, str], companion: str) -> Callable[[int, Said], tuple[str, str]]:
    """Every third turn of the patient (``i`` counts them) is said by a companion (role other)."""
    return lambda i, t: ("companion", companion) if t.speaker == "patient" and i % 3 == 2 else cast_pair(pair)(i, t)


def render(turns: list[Said], cast: Callable[[int, Said], tuple[str, str]], voices: Voices, cap_seconds: float, rng: random.Random
           ) -> tuple[dict[str, np.ndarray], list[RefTurn]]:
    """(one track per speaker, reference turns) on one timeline; ``cast(k, turn)`` names who says
    the turn and with which voice (``k``: the turn's index among its PriMock speaker's turns)."""
    placed: dict[str, list[tuple[int, np.ndarray]]] = {}
    refs: list[RefTurn] = []
    cursor = 0.3
    last: dict[str, RefTurn] = {}
    seen: dict[str, int] = {}
    prev_end_orig = 0.0
    for i, t in enumerate(turns):
        if cursor >= cap_seconds:
            break
        speaker, voice = cast(seen.get(t.speaker, 0), t)
        seen[t.speaker] = seen.get(t.speaker, 0) + 1
        audio = voices.speak(voice, t.text)
        dur = len(audio) / SAMPLE_RATE
        other = last.get("patient" if t.speaker == "doctor" else "doctor")
        back = is_backchannel(t, turns[max(0, i - 3): i]) and other is not None and other.end - other.start > dur + 0.6
        if back:
            assert other is not None
            start = min(other.start + 0.3 + rng.random() * (other.end - other.start - dur - 0.6), other.end - dur - 0.3)
        elif t.start < prev_end_orig and refs:
            start = max(refs[-1].start + 0.5, cursor - OVERLAP)
        else:
            start = cursor + rng.uniform(0.25, 0.8)
        ref = RefTurn(speaker, ROLE.get(speaker, "other"), round(start, 3), round(start + dur, 3), t.text, voice, back,
                      speech_spans(audio, start))
        placed.setdefault(speaker, []).append((int(round(start * SAMPLE_RATE)), audio))
        refs.append(ref)
        last[t.speaker] = ref
        if not back:
            cursor = max(cursor, start + dur)
            prev_end_orig = max(prev_end_orig, t.end)
    total = int(round((max(r.end for r in refs) + 0.5) * SAMPLE_RATE)) if refs else 0
    tracks = {}
    for spk in ("doctor", "patient", *sorted(set(placed) - {"doctor", "patient"})):
        track = np.zeros(total, np.float32)
        for at, audio in placed.get(spk, []):
            track[at: at + len(audio)] += audio
        tracks[spk] = track
    refs.sort(key=lambda r: (r.start, r.end))
    return tracks, refs


def _scale(mix: np.ndarray) -> float:
    peak = float(np.max(np.abs(mix))) if mix.size else 0.0
    return 0.95 / peak if peak > 0.95 else 1.0


def _write_refs(path: Path, refs: list[RefTurn]) -> None:
    path.write_text(json.dumps([asdict(r) for r in refs], indent=1) + "\n", encoding="utf-8")


def build(primock_dir: Path, out_dir: Path, *, home: Path, cap_seconds: float = CAP_SECONDS, names: Sequence[str] | None = None,
          seed: int = 23, progress: Callable[[int, int], None] | None = None) -> Path:
    """Write ``<id>.mono.wav``, ``<id>.stereo.wav``, ``<id>.turns.json``, the three-voice
    ``<id>.trio.wav`` with ``<id>.trio.turns.json``, and ``manifest.jsonl``; returns the manifest."""
    all_names = sorted(p.name.rsplit("_", 1)[0] for p in (primock_dir / "transcripts").glob("*_doctor.TextGrid"))
    if not all_names:
        raise InputError(f"{primock_dir}/transcripts holds no *_doctor.TextGrid: is the PriMock57 data there?")
    chosen = list(names) if names else all_names
    voices = Voices(home)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for k, name in enumerate(chosen):
        idx = all_names.index(name)
        pair = PAIRS[idx % len(PAIRS)]
        companion = next(c for c in COMPANIONS[idx % len(COMPANIONS):] + COMPANIONS if c not in pair)
        turns = consultation_turns(primock_dir, name)
        tracks, refs = render(turns, cast_pair(pair), voices, cap_seconds, random.Random(f"{seed}:{name}"))
        mono = tracks["doctor"] + tracks["patient"]
        scale = _scale(mono)
        write_wav(out_dir / f"{name}.mono.wav", mono * scale)
        write_wav(out_dir / f"{name}.stereo.wav", np.stack([tracks["doctor"], tracks["patient"]]) * scale)
        _write_refs(out_dir / f"{name}.turns.json", refs)
        trio_tracks, trio_refs = render(turns, cast_trio(pair, companion), voices, cap_seconds, random.Random(f"{seed}:{name}"))
        trio = sum(trio_tracks.values())
        write_wav(out_dir / f"{name}.trio.wav", trio * _scale(trio))
        _write_refs(out_dir / f"{name}.trio.turns.json", trio_refs)
        rows.append({"id": name, "split": "dev" if idx < DEV else "test", "doctor_voice": pair[0], "patient_voice": pair[1],
                     "companion_voice": companion, "duration": round(len(mono) / SAMPLE_RATE, 2), "turns": len(refs),
                     "backchannels": sum(r.backchannel for r in refs), "mono": f"{name}.mono.wav", "stereo": f"{name}.stereo.wav",
                     "reference": f"{name}.turns.json", "trio": f"{name}.trio.wav", "trio_reference": f"{name}.trio.turns.json",
                     "trio_duration": round(len(trio) / SAMPLE_RATE, 2)})
        if progress:
            progress(k + 1, len(chosen))
    manifest = out_dir / "manifest.jsonl"
    manifest.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return manifest


def read_reference(path: Path) -> list[RefTurn]:
    rows = json.loads(Path(path).read_text(encoding="utf-8"))
    return [RefTurn(**{**d, "speech": tuple(tuple(x) for x in d.get("speech") or ())}) for d in rows]
