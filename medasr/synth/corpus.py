"""Making the audio of a plan: parallel worker processes, a progress bar, resumable (an
utterance whose FLAC exists and reads as 16 kHz mono is not made again), and a manifest that
depends only on the plan (sorted, relative paths, no timestamps)."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from medasr.audio import SAMPLE_RATE, resample
from medasr.errors import MedasrError
from medasr.manifest import manifest_line, write_rows
from medasr.synth.engines.base import Health, TTSEngine, Voice, engine_names, get_engine, synthesize_many
from medasr.synth.plan import PlannedUtterance

log = logging.getLogger("medasr.synth")
MANIFEST = "manifest.jsonl"
COST = {"kokoro": 4.0, "piper": 2.0, "festival": 1.0, "flite": 0.2, "espeak-ng": 0.1}  # relative time per utterance


@dataclass(frozen=True)
class Outcome:
    id: str
    engine: str
    ok: bool
    seconds: float  # wall time spent making it (0 when resumed)
    duration: float  # audio seconds
    resumed: bool = False
    error: str = ""


@dataclass(frozen=True)
class BuildResult:
    out: Path
    outcomes: tuple[Outcome, ...]
    wall_seconds: float
    jobs: int
    failures: tuple[Outcome, ...] = field(default_factory=tuple)

    @property
    def made(self) -> int:
        return sum(1 for o in self.outcomes if o.ok and not o.resumed)

    @property
    def resumed(self) -> int:
        return sum(1 for o in self.outcomes if o.resumed)


def discover(home: Path, engines: Iterable[str] | None = None) -> list[Health]:
    """Health of each engine (a real synthesis each); ``engines`` None means all known."""
    names = list(engines) if engines is not None else engine_names()
    return [get_engine(n, home).health() for n in names]


def flac_ok(path: Path) -> float | None:
    """Duration in seconds when ``path`` is a readable 16 kHz mono FLAC with samples, else None."""
    import soundfile as sf

    try:
        info = sf.info(str(path))
    except Exception:  # any unreadable or truncated file is simply made again
        return None
    if info.format != "FLAC" or info.samplerate != SAMPLE_RATE or info.channels != 1 or info.frames <= 0:
        return None
    return info.frames / SAMPLE_RATE


_ENGINES: dict[str, TTSEngine] = {}


def _engine(name: str, home: str) -> TTSEngine:
    if name not in _ENGINES:
        _ENGINES[name] = get_engine(name, Path(home), threads=1)
    return _ENGINES[name]


def make_batch(batch: Sequence[PlannedUtterance], out: Path, home: Path) -> list[Outcome]:
    """Synthesize, resample to 16 kHz, augment and write utterances of one engine (atomically)."""
    import soundfile as sf

    from medasr.synth import augment

    done: dict[str, Outcome] = {}
    todo = []
    for u in batch:
        dur = flac_ok(out / u.audio)
        if dur is not None:
            done[u.id] = Outcome(u.id, u.voice.engine, True, 0.0, dur, resumed=True)
        else:
            todo.append(u)
    by_engine: dict[str, list[PlannedUtterance]] = {}
    for u in todo:
        by_engine.setdefault(u.voice.engine, []).append(u)
    for name, us in by_engine.items():
        t0 = time.perf_counter()
        try:
            results = synthesize_many(_engine(name, str(home)), [(u.sentence.spoken, u.voice, u.params) for u in us])
        except MedasrError as e:
            results = [e for _ in us]
        share = (time.perf_counter() - t0) / len(us)
        for u, res in zip(us, results, strict=True):
            t1 = time.perf_counter()
            try:
                if isinstance(res, Exception):
                    raise res
                audio = augment.apply(resample(res[0], res[1]), list(u.augmentation))
                path = out / u.audio
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(path.name + ".part")
                sf.write(str(tmp), audio, SAMPLE_RATE, format="FLAC", subtype="PCM_16")
                os.replace(tmp, path)
            except MedasrError as e:
                log.warning("%s (%s): %s", u.id, u.voice.id, e)
                done[u.id] = Outcome(u.id, name, False, share, 0.0, error=str(e))
                continue
            done[u.id] = Outcome(u.id, name, True, share + time.perf_counter() - t1, len(audio) / SAMPLE_RATE)
    return [done[u.id] for u in batch]


def _work(batch: list[PlannedUtterance], out: str, home: str) -> list[Outcome]:
    return make_batch(batch, Path(out), Path(home))


def _init_worker() -> None:
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"


def build(plan: Sequence[PlannedUtterance], out: Path, home: Path, jobs: int = 0, progress: bool = True, chunk: int = 8) -> BuildResult:
    """Make every utterance of ``plan`` under ``out`` and write the manifest of those that worked."""
    from tqdm import tqdm

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    jobs = jobs or (os.cpu_count() or 1)
    _forget_changed(out, plan)
    # one engine per batch (festival starts once per batch); slow engines in small batches,
    # submitted first, so the last minutes are not one worker alone on a long kokoro batch
    by_engine: dict[str, list[PlannedUtterance]] = {}
    for u in sorted(plan, key=lambda u: u.id):
        by_engine.setdefault(u.voice.engine, []).append(u)
    batches: list[list[PlannedUtterance]] = []
    for name in sorted(by_engine, key=lambda e: (-COST.get(e, 1.0), e)):
        us, size = by_engine[name], max(1, int(chunk / COST.get(name, 1.0))) if COST.get(name, 1.0) > 1 else chunk
        batches += [us[i : i + size] for i in range(0, len(us), size)]
    outcomes: list[Outcome] = []
    t0 = time.perf_counter()
    bar = tqdm(total=len(plan), unit="utt", desc="synth", disable=not progress)
    if jobs == 1:
        for b in batches:
            res = _work(b, str(out), str(home))
            outcomes += res
            bar.update(len(res))
    else:
        ctx = multiprocessing.get_context("spawn")  # engines hold onnxruntime sessions: no fork
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker) as ex:
            futures = [ex.submit(_work, b, str(out), str(home)) for b in batches]
            for f in as_completed(futures):
                res = f.result()
                outcomes += res
                bar.update(len(res))
    bar.close()
    wall = time.perf_counter() - t0
    outcomes.sort(key=lambda o: o.id)
    ok = {o.id for o in outcomes if o.ok}
    write_rows(out / MANIFEST, [u.manifest_row() for u in plan if u.id in ok])
    failures = tuple(o for o in outcomes if not o.ok)
    return BuildResult(out, tuple(outcomes), wall, jobs, failures)


def _forget_changed(out: Path, plan: Sequence[PlannedUtterance]) -> None:
    """Resuming is only safe for audio made from the same row: ``.plan-state.jsonl`` remembers
    the row each FLAC was made from, and a FLAC whose row changed (other engines, say) is remade."""
    state = out / ".plan-state.jsonl"
    known: dict[str, str] = {}
    if state.is_file():
        for line in state.read_text(encoding="utf-8").splitlines():
            if line.strip():
                known[json.loads(line)["id"]] = line
    for u in plan:
        line = manifest_line(u.manifest_row())
        if known.get(u.id, line) != line:
            (out / u.audio).unlink(missing_ok=True)
            log.info("%s: plan changed since its audio was made; making it again", u.id)
        known[u.id] = line
    tmp = state.with_name(state.name + ".part")
    tmp.write_text("".join(known[k] + "\n" for k in sorted(known)), encoding="utf-8")
    os.replace(tmp, state)


def voices_of(healths: Sequence[Health], drop: Iterable[str] = ()) -> list[Voice]:
    dropped = set(drop)
    return [v for h in healths if h.ok for v in h.voices if v.id not in dropped]
