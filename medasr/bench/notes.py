"""``medasr bench notes``: every note backend on the PriMock57-dev consultations, scored
against the clinicians' own notes (``notes_metrics``), with time and tokens/s.

The 25 consultations are split once, deterministically: in name order, the 1st, 3rd, 5th,
... (13) are the tuning split, the 2nd, 4th, ... (12) the held-out split. Prompts and
thresholds are chosen on the tuning split only; results are reported on the held-out split
(``all`` for reference). Partial results are written after every consultation.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from medasr.bench.notes_metrics import case_metrics
from medasr.config import Settings

SPLITS = ("tuning", "heldout", "all")


def split_names(split: str, names: list[str]) -> list[str]:
    """The consultations of a split (``names`` in any order; the split is over sorted names)."""
    ordered = sorted(names)
    if split == "tuning":
        return ordered[0::2]
    if split == "heldout":
        return ordered[1::2]
    if split == "all":
        return ordered
    raise ValueError(f"split must be one of {', '.join(SPLITS)}")


@dataclass(frozen=True)
class NoteCase:
    id: str
    seconds: float
    metrics: dict[str, Any] = field(default_factory=dict)
    grounding: dict[str, int] = field(default_factory=dict)
    usage: dict[str, float] = field(default_factory=dict)
    final_items: int = 0
    ungrounded: int = 0
    error: str = ""
    warnings: tuple[str, ...] = ()  # the note's own warnings (repairs, cited lines that were not there)


@dataclass(frozen=True)
class NoteRun:
    backend: str
    model: str
    split: str
    cases: tuple[NoteCase, ...]
    summary: dict[str, Any]
    machine: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    v = sorted(values)
    k = (len(v) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return round(v[lo] + (v[hi] - v[lo]) * (k - lo), 2)


def summarize(cases: list[NoteCase]) -> dict[str, Any]:
    ok = [c for c in cases if not c.error]
    m = lambda k: [c.metrics[k] for c in ok if c.metrics.get(k) is not None]  # noqa: E731
    tot = lambda k: sum(c.metrics.get(k, 0) for c in ok)  # noqa: E731
    g = lambda k: sum(c.grounding.get(k, 0) for c in ok)  # noqa: E731
    u = lambda k: sum(c.usage.get(k, 0) for c in ok)  # noqa: E731
    med = lambda k: round(statistics.median(m(k)), 4) if m(k) else None  # noqa: E731
    secs = [c.seconds for c in cases]
    items = sum(c.final_items for c in ok)
    return {
        "consultations": len(cases), "failed": len(cases) - len(ok),
        "rougeL": med("rougeL"), "rouge1": med("rouge1"), "length_ratio": med("length_ratio"),
        "verbatim_share": round(tot("verbatim_items") / tot("items"), 4) if tot("items") else None,
        "highlight_recall": round(tot("highlights_recalled") / tot("highlights"), 4) if tot("highlights") else None,
        "items": items, "items_grounded": items - sum(c.ungrounded for c in ok),
        "proposed": g("proposed"), "dropped_by_checks": g("dropped"), "negation_errors": g("negation_errors"),
        "asked_only": g("asked_only"), "hypotheses": g("hypotheses"), "family": g("family"), "numbers": g("numbers"),
        "seconds_p50": _pct(secs, 0.5), "seconds_p95": _pct(secs, 0.95),
        "prompt_tokens": int(u("prompt_tokens")), "completion_tokens": int(u("completion_tokens")),
        "prompt_tok_s": round(u("prompt_tokens") / u("prompt_s"), 1) if u("prompt_s") else None,
        "gen_tok_s": round(u("completion_tokens") / u("gen_s"), 2) if u("gen_s") else None,
    }


def machine_facts() -> dict[str, Any]:
    from medasr.bench.machine import cpu_isa

    return {"cpus": os.cpu_count(), "load_1min": round(os.getloadavg()[0], 2), "cpu_isa": cpu_isa()}


def run_notes(settings: Settings, backend_name: str, names: list[str], *, split: str = "heldout", progress: bool = True,
              on_case: Callable[[NoteRun], None] | None = None, backend: Any = None) -> NoteRun:
    """Structure each consultation with the backend and score it."""
    from medasr.errors import MedasrError
    from medasr.note import get_backend, structure
    from medasr.note.grounding import ungrounded_items
    from medasr.bench.primock import load_consultation

    backend = backend or get_backend(backend_name, settings)
    start = machine_facts()
    cases: list[NoteCase] = []
    it: Any = names
    if progress:
        from tqdm import tqdm

        it = tqdm(names, desc=f"notes ({backend_name})", unit="consultation")
    options = {"template": settings.note_template, "llm_model": settings.llm_model, "llm_style": settings.llm_style, "llm_runtime": settings.llm_runtime,
               "llm_threads": settings.llm_threads, "llm_batch_threads": settings.llm_batch_threads}

    def partial() -> NoteRun:
        return NoteRun(backend.name, backend.model, split, tuple(cases), summarize(cases), {"start": start, "end": machine_facts()}, options)

    for cid in it:
        c = load_consultation(cid)
        t0 = time.perf_counter()
        try:
            note = structure(c.transcript, settings, mode="conversation", backend=backend)
        except MedasrError as e:
            cases.append(NoteCase(cid, round(time.perf_counter() - t0, 2), error=str(e)))
        else:
            secs = round(time.perf_counter() - t0, 2)
            metrics = case_metrics(note, c.transcript, c.note, c.highlights)
            usage = {k: round(v, 3) for k, v in (getattr(backend, "last_usage", None) or {}).items()}
            cases.append(NoteCase(cid, secs, metrics, dict(note.grounding), usage, len(note.all_items()),
                                  len(ungrounded_items(note, c.transcript)), warnings=note.warnings))
        if on_case is not None:
            on_case(partial())
    return partial()


def combine(runs: list[NoteRun]) -> list[NoteRun]:
    """Runs of one backend and model on different splits as one run over all their
    consultations (split ``all``): the tuning and held-out runs together give the 25."""
    groups: dict[tuple[str, str], list[NoteRun]] = {}
    for r in runs:
        groups.setdefault((r.backend, r.model), []).append(r)
    out = []
    for (backend, model), rs in groups.items():
        cases = [c for r in rs for c in r.cases]
        ids = [c.id for c in cases]
        if len(set(ids)) != len(ids):
            raise ValueError(f"{backend} {model}: the runs to combine share consultations")
        machine = {"runs": [r.machine for r in rs], "start": rs[0].machine.get("start", {}), "end": rs[-1].machine.get("end", {})}
        out.append(NoteRun(backend, model, "all" if len(cases) == 25 else "+".join(r.split for r in rs), tuple(cases),
                           summarize(cases), machine, rs[0].options))
    return out
