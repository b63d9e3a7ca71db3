"""One call that makes a corpus: voices (health, gate), plan, audio, manifest, card."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medasr.config import Settings
from medasr.errors import ConfigError, InputError
from medasr.synth import card
from medasr.manifest import read_rows
from medasr.synth.corpus import BuildResult, build, discover, voices_of
from medasr.synth.engines.base import engine_names
from medasr.synth.gate import GateReport, run_gate
from medasr.synth.plan import Plan, PlanConfig, make_plan
from medasr.synth.replay import PLAN, write_plan
from medasr.synth.text import VocabularyLike

log = logging.getLogger("medasr.synth")


def load_vocab(settings: Settings) -> VocabularyLike:
    """The real vocabulary (issue 3); a clear error when it is not there yet."""
    try:
        from medasr.vocab import load_vocabulary  # type: ignore[attr-defined]
    except ImportError:
        raise ConfigError("the medical vocabulary is not available (medasr.vocab.load_vocabulary); build it with `medasr vocab build`") from None
    return load_vocabulary(settings)


@dataclass(frozen=True)
class CorpusResult:
    build: BuildResult
    stats: dict[str, Any]
    gate: GateReport | None


def gate_report(
    settings: Settings, vocab: VocabularyLike, mode: str, out: Path, engines: Sequence[str] | None, per_voice: int, threshold: float, jobs: int, progress: bool
) -> GateReport | None:
    """``mode``: "off", "run" (gate every working voice into ``out/gate``) or a gate.json path."""
    if mode == "off":
        return None
    if mode != "run":
        return GateReport.load(Path(mode))
    from medasr.asr.loader import load_transcriber

    voices = voices_of(discover(settings.home, engines))
    asr_settings = settings.with_overrides(device="cpu", compute_type="int8")
    transcriber = load_transcriber(asr_settings)
    return run_gate(voices, vocab, out / "gate", settings.home, transcriber, settings.model, per_voice, threshold, seed=0, jobs=jobs, progress=progress)


def plan_corpus(
    settings: Settings,
    cfg: PlanConfig,
    out: Path,
    *,
    vocab: VocabularyLike | None = None,
    engines: Sequence[str] | None = None,
    drop_voices: Sequence[str] = (),
    gate: str = "off",
    gate_per_voice: int = 4,
    gate_threshold: float = 0.6,
    jobs: int = 0,
    progress: bool = True,
) -> tuple[Plan, dict[str, Any], GateReport | None]:
    """Voices (health, gate) and the plan; returns it with the card's extra facts."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out} exists and is not a folder")
    unknown = sorted(set(engines or ()) - set(engine_names()))
    if unknown:
        raise ConfigError(f"unknown TTS engine {unknown[0]!r}; known: {', '.join(engine_names())}")
    vocab = vocab if vocab is not None else load_vocab(settings)
    healths = discover(settings.home, engines)
    for h in healths:
        log.info("engine %s: %s %s", h.engine, "ok" if h.ok else "NOT WORKING", h.detail)
    report = gate_report(settings, vocab, gate, out, engines, gate_per_voice, gate_threshold, jobs, progress)
    drop = set(drop_voices) | set(report.dropped if report else ())
    plan = make_plan(cfg, vocab, voices_of(healths, drop))
    extra: dict[str, Any] = {
        "seed": cfg.seed,
        "heldout_fraction": cfg.heldout_fraction,
        "vocabulary": type(vocab).__name__,
        "term_pools": plan.pool_sizes,
        "engines_not_working": {h.engine: h.detail for h in healths if not h.ok},
        "voices_dropped": sorted(drop),
    }
    if report is not None:
        extra["gate"] = report.to_dict()
    return plan, extra, report


def make_corpus(settings: Settings, cfg: PlanConfig, out: Path, *, plan_only: bool = False, **kw: Any) -> CorpusResult | None:
    """Plan and render a corpus under ``out`` (or, with ``plan_only``, write ``plan.jsonl`` and
    ``plan.meta.json`` for ``render_plan`` elsewhere and return None)."""
    out = Path(out)
    plan, extra, report = plan_corpus(settings, cfg, out, **kw)
    meta = {**extra, "heldout_voices": [v.id for v in plan.voices.heldout], "heldout_keys": sorted(plan.heldout_keys)}
    if plan_only:
        out.mkdir(parents=True, exist_ok=True)
        write_plan(out / PLAN, plan.utterances)
        (out / "plan.meta.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        return None
    return _render(settings, plan.utterances, out, meta, report, kw.get("jobs", 0), kw.get("progress", True))


def render_plan(settings: Settings, plan_path: Path, out: Path, jobs: int = 0, progress: bool = True) -> CorpusResult:
    """Render a ``plan.jsonl`` written by ``--plan-only`` (its ``plan.meta.json`` beside it)."""
    from medasr.synth.replay import utterance_from_row

    plan_path = Path(plan_path)
    meta_path = plan_path.with_name("plan.meta.json")
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
    rows = read_rows(plan_path)
    if not rows:
        raise InputError(f"{plan_path}: the plan is empty")
    utterances = [utterance_from_row(r, meta.get("heldout_voices", ())) for r in rows]
    return _render(settings, utterances, Path(out), meta, None, jobs, progress)


def _render(settings: Settings, utterances: Sequence[Any], out: Path, meta: dict[str, Any], report: GateReport | None, jobs: int, progress: bool) -> CorpusResult:
    res = build(utterances, out, settings.home, jobs=jobs, progress=progress)
    rows = read_rows(out / "manifest.jsonl")
    extra = {k: v for k, v in meta.items() if k not in ("heldout_voices", "heldout_keys")} | {"failures": len(res.failures)}
    st = card.stats(rows, out, extra, frozenset(meta.get("heldout_keys", ())), meta.get("heldout_voices", ()))
    card.write(out, st)
    return CorpusResult(res, st, report)
