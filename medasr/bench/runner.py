"""Run model x pipeline configurations (and the transformers peer) over benchmark sets.

All systems are loaded first, then every utterance is run through every system in turn,
so on a shared machine the speed of one system is measured under the same load as the
others' and the ratios are fair. Each model is one ``medasr.pipeline.Pipeline``: its ASR pass
(``Pipeline.recognize``) runs once per utterance and each ``--pipeline`` spec applies its
correctors to that same transcript (``Pipeline.correct``); a spec's wall time is the ASR time
plus its correction time, and its WER difference from ``asr`` is exactly what its correctors
did. One warm-up call per system is not timed.
"""

from __future__ import annotations

import gc
import logging
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from medasr.audio import SAMPLE_RATE
from medasr.bench.datasets import BenchSet, resolve_set
from medasr.bench.machine import machine_info, rss_mb
from medasr.bench.metrics import CorpusScore, EditStats, TermSet, corpus_score, edit_stats, score_utterance
from medasr.config import Settings
from medasr.errors import InputError
from medasr.schema import Edit

log = logging.getLogger("medasr.bench")
Echo = Callable[[str], None]


@dataclass(frozen=True)
class BenchConfig:
    sets: tuple[str, ...]
    models: tuple[str, ...]
    pipelines: tuple[str, ...] = ("asr",)
    peer: bool = False
    peer_limit: int | None = None  # run the peer on only the first N utterances of each set
    limit: int | None = None
    long_form_seconds: float = 60.0
    batch_size: int = 8
    n_boot: int = 1000


@dataclass(frozen=True)
class System:
    model: str
    pipeline: str  # "asr", "asr+lexicon", ... ; "peer" for the transformers peer
    engine: str  # faster-whisper | transformers

    @property
    def label(self) -> str:
        return f"{self.model} {self.pipeline}" if self.engine == "faster-whisper" else f"{self.model} transformers"


@dataclass(frozen=True)
class UttRun:
    set: str
    id: str
    system: str
    ref: str
    hyp: str
    audio_s: float
    wall_s: float
    ttfs_s: float | None
    edits: tuple[Edit, ...] = ()
    group: str = ""  # the utterance's group in its set (manifest "group" or "source")


@dataclass(frozen=True)
class LoadInfo:
    model: str
    engine: str
    load_s: float
    rss_delta_mb: float


@dataclass(frozen=True)
class LongFormRun:
    model: str
    mode: str  # sequential | batched
    batch_size: int
    audio_s: float
    wall_s: float
    ttfs_s: float | None

    @property
    def rtf(self) -> float:
        return self.wall_s / self.audio_s


@dataclass(frozen=True)
class SystemResult:
    set: str
    system: System
    n: int
    audio_s: float
    wall_s: float
    rtf_median: float
    ttfs_median: float | None
    score: CorpusScore
    edits: EditStats | None
    paired: dict | None = None  # peer only: ours ("<model> asr") on the very same utterances

    @property
    def rtf(self) -> float:
        return self.wall_s / self.audio_s if self.audio_s else float("nan")


@dataclass(frozen=True)
class BenchResult:
    config: BenchConfig
    machine: dict
    systems: tuple[System, ...]
    loads: tuple[LoadInfo, ...]
    results: tuple[SystemResult, ...]
    runs: tuple[UttRun, ...]
    long_form: tuple[LongFormRun, ...]
    termsets: dict[str, int]
    notes: tuple[str, ...] = field(default_factory=tuple)


class _FirstSegment:
    """A progress callback that records when the first segment arrived."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()
        self.first: float | None = None

    def __call__(self, done: float, total: float) -> None:
        if self.first is None:
            self.first = time.perf_counter() - self.t0


def _timed(fn: Callable[[], object]) -> tuple[object, float, float]:
    before = rss_mb()
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0, rss_mb() - before


def run_bench(config: BenchConfig, settings: Settings, *, termsets: list[TermSet] | None = None, echo: Echo = log.info) -> BenchResult:
    from medasr.asr.loader import load_transcriber
    from medasr.audio import load_audio
    from medasr.bench.terms import all_termsets
    from medasr.correction import modes
    from medasr.pipeline import build_pipeline

    notes: list[str] = []
    machine = machine_info()
    machine.update(device=settings.device, compute_type=settings.compute_type, beam_size=settings.beam_size, threads=settings.threads)
    sets: list[BenchSet] = [resolve_set(s, settings, limit=config.limit) for s in config.sets]
    names = [b.name for b in sets]
    if len(set(names)) < len(names):
        raise InputError(f"two benchmark sets are both named {next(n for n in names if names.count(n) > 1)!r}; "
                         "name them apart with LABEL=PATH (e.g. --set synth-a=runs/a/synth-test.jsonl)")
    termsets = all_termsets(settings) if termsets is None else termsets
    specs = {spec: modes.spec_of(modes.stages(spec)) for spec in config.pipelines}  # as given -> canonical

    pipelines, peers, loads, systems = {}, {}, [], []
    for model in config.models:
        t, secs, mb = _timed(lambda: load_transcriber(settings, model=model, cache=False))  # uncached: its own load time and memory
        pipelines[model] = build_pipeline(settings, model=model, transcriber=t)
        loads.append(LoadInfo(model, "faster-whisper", secs, mb))
        systems += [System(model, specs[spec], "faster-whisper") for spec in config.pipelines]
        if config.peer:
            from medasr.bench.peers import load_peer, peer_available

            reason = peer_available()
            if reason:
                if reason not in notes:
                    notes.append("peer skipped: " + reason)
                    echo("medasr bench: peer skipped: " + reason)
                continue
            p, secs, mb = _timed(lambda: load_peer(model, settings))
            peers[model] = p
            loads.append(LoadInfo(model, "transformers", secs, mb))
            systems.append(System(model, "peer", "transformers"))
        echo(f"loaded {model}")

    options = next(iter(pipelines.values())).options(batch_size=0)
    runs: list[UttRun] = []
    warm = sets[0].utterances[0]
    warm_audio = load_audio(warm.audio)
    for model, pipe in pipelines.items():
        warm_tr = pipe.recognize(warm_audio, options)
        for spec in config.pipelines:
            pipe.correct(warm_tr, spec)  # correctors build their indexes lazily
        if model in peers:
            peers[model].transcribe_text(warm_audio)

    total = sum(len(s.utterances) for s in sets)
    done = 0
    for bset in sets:
        for k, u in enumerate(bset.utterances):
            audio = load_audio(u.audio)
            dur = len(audio) / SAMPLE_RATE
            for model, pipe in pipelines.items():
                cb = _FirstSegment()
                tr = pipe.recognize(audio, options, progress=cb)
                asr_s = time.perf_counter() - cb.t0
                for spec in config.pipelines:
                    c0 = time.perf_counter()
                    out = pipe.correct(tr, spec)
                    wall = asr_s + (time.perf_counter() - c0 if modes.stages(spec) else 0.0)
                    runs.append(UttRun(bset.name, u.id, System(model, specs[spec], "faster-whisper").label, u.text, out.text, dur, wall, cb.first, tuple(out.edits), u.group))
                if model in peers and (config.peer_limit is None or k < config.peer_limit):
                    t0 = time.perf_counter()
                    text = peers[model].transcribe_text(audio)
                    runs.append(UttRun(bset.name, u.id, System(model, "peer", "transformers").label, u.text, text, dur, time.perf_counter() - t0, None, group=u.group))
            done += 1
            echo(f"[{done}/{total}] {bset.name} {u.id}")

    long_form = _long_form(sets, pipelines, options, config, echo) if config.long_form_seconds > 0 else []
    results = _summarise(sets, systems, runs, termsets, config.n_boot)
    machine["peak_rss_mb"] = round(rss_mb(peak=True), 1)
    machine["loadavg_end"] = machine_info()["loadavg"]
    del pipelines, peers
    gc.collect()
    return BenchResult(config, machine, tuple(systems), tuple(loads), tuple(results), tuple(runs), tuple(long_form), {t.name: len(t.entries) for t in termsets}, tuple(notes))


def _long_form(sets, pipelines, options, config: BenchConfig, echo: Echo) -> list[LongFormRun]:
    """Concatenate the sets' audio (0.3 s gaps) to ``long_form_seconds``; time sequential
    and batched decoding of it with each model, with the time to the first segment."""
    from dataclasses import replace

    from medasr.audio import load_audio

    pieces, n, gap = [], 0, np.zeros(int(0.3 * SAMPLE_RATE), dtype=np.float32)
    for u in (u for s in sets for u in s.utterances):
        if n >= config.long_form_seconds * SAMPLE_RATE:
            break
        a = load_audio(u.audio)
        pieces += [a, gap]
        n += len(a) + len(gap)
    audio = np.concatenate(pieces)[: int(config.long_form_seconds * SAMPLE_RATE)]
    out = []
    for model, pipe in pipelines.items():
        for mode, bs in (("sequential", 0), ("batched", config.batch_size)):
            cb = _FirstSegment()
            pipe.recognize(audio, replace(options, batch_size=bs), progress=cb)
            wall = time.perf_counter() - cb.t0
            out.append(LongFormRun(model, mode, bs, len(audio) / SAMPLE_RATE, wall, cb.first))
            echo(f"long-form {model} {mode}: {wall:.1f} s for {len(audio) / SAMPLE_RATE:.0f} s")
    return out


def _summarise(sets, systems, runs, termsets, n_boot) -> list[SystemResult]:
    out = []
    for bset in sets:
        for sysm in systems:
            rs = [r for r in runs if r.set == bset.name and r.system == sysm.label]
            if not rs:
                continue
            scores = [score_utterance(r.id, r.ref, r.hyp, termsets) for r in rs]
            ttfs = [r.ttfs_s for r in rs if r.ttfs_s is not None]
            edits = edit_stats((r.ref, r.edits) for r in rs) if "+" in sysm.pipeline else None
            paired = None
            if sysm.engine == "transformers":
                ids = {r.id for r in rs}
                ours = [r for r in runs if r.set == bset.name and r.system == f"{sysm.model} asr" and r.id in ids]
                if ours:
                    oc = corpus_score([score_utterance(r.id, r.ref, r.hyp, termsets) for r in ours], n_boot=n_boot)
                    paired = {"utts": len(ours), "wer": oc.wer.value, "wall_s": sum(r.wall_s for r in ours), "audio_s": sum(r.audio_s for r in ours)}
            out.append(SystemResult(
                bset.name, sysm, len(rs), sum(r.audio_s for r in rs), sum(r.wall_s for r in rs),
                statistics.median(r.wall_s / r.audio_s for r in rs), statistics.median(ttfs) if ttfs else None,
                corpus_score(scores, n_boot=n_boot), edits, paired,
            ))
    return out

