"""Note evaluation on PriMock57-dev (``medasr bench notes``).

For each consultation, from the human transcript (doctor and patient tracks):
- highlight recall: a clinician highlight counts as recalled when one note item contains at
  least 2/3 of its content words (fuzzy, after expanding common clinical abbreviations);
- medication precision: share of the note's drugs (vocabulary ids) that the clinician's note
  also names (linked through the same vocabulary);
- diagnosis precision: share of the note's problems whose ICD-10-CM category (3 characters)
  is among the codes linked in the clinician's note, or whose text the clinician's note contains;
- ungrounded rate: items the backend proposed without supporting evidence (dropped by the
  safety net) over all items proposed; and, as an independent check, items left in the final
  note without valid evidence (must be 0).
"""

from __future__ import annotations

import json
import logging
import re
import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from collections.abc import Callable
from typing import Any

from rapidfuzz import fuzz

from medasr.config import Settings
from medasr.note.grounding import ungrounded_items
from medasr.note.linking import STOP, Linker
from medasr.bench.primock import consultation_names, load_consultation
from medasr.note.text import tokens
from medasr.schema import Medication, Note, Problem

log = logging.getLogger("medasr.note")

ABBREVIATIONS = {
    "hx": "history", "sob": "short breath", "abdo": "abdominal tummy", "abx": "antibiotics",
    "otc": "over counter", "urti": "upper respiratory infection", "lrti": "chest infection", "fh": "family",
    "pmhx": "medical history", "ihd": "heart disease", "cva": "stroke", "las": "ambulance", "ca": "cancer",
    "temp": "temperature", "odema": "swelling", "uti": "urine infection", "nsaids": "ibuprofen",
    "puo": "fever", "llq": "left lower tummy",
}


@dataclass(frozen=True)
class CaseResult:
    id: str
    highlights: int
    recalled: int
    missed: tuple[str, ...]
    meds: int
    meds_correct: int
    problems: int
    problems_correct: int
    proposed: int
    dropped: int
    final_items: int
    final_ungrounded: int
    seconds: float
    error: str = ""


@dataclass(frozen=True)
class EvalResult:
    backend: str
    model: str
    cases: tuple[CaseResult, ...]
    summary: dict[str, Any] = field(default_factory=dict)


def _words(text: str) -> list[str]:
    text = re.sub(r"\d+/\d+", " ", text)
    out: list[str] = []
    for t in tokens(text):
        out += ABBREVIATIONS.get(t, t).split()
    return [t for t in out if t not in STOP and len(t) > 1]


def _has(word: str, bag: set[str]) -> bool:
    return word in bag or any(len(word) > 3 and len(b) > 3 and fuzz.ratio(word, b) >= 85 for b in bag)


def highlight_recalled(highlight: str, item_texts: list[str]) -> bool:
    want = _words(highlight)
    if not want:
        return False
    need = max(1, round(len(want) * 2 / 3))
    return any(sum(_has(w, set(_words(t))) for w in want) >= need for t in item_texts)


def _texts(note: Note) -> list[str]:
    out = []
    for it in note.all_items():
        if isinstance(it, Medication):
            out.append(" ".join(x for x in (it.name, it.dose, it.unit, it.frequency, it.indication) if x))
        elif isinstance(it, Problem):
            out.append(f"{it.text} {it.icd10_display}")
        else:
            out.append(it.text)
    return out


def score_case(cid: str, note: Note, clinician_note: str, highlights: tuple[str, ...], linker: Linker, transcript) -> CaseResult:  # type: ignore[no-untyped-def]
    texts = _texts(note)
    missed = tuple(h for h in highlights if not highlight_recalled(h, texts))
    ref_drugs = {m.code for m in linker.find("drug", clinician_note)}
    ref_dx = {m.code[:3] for m in linker.find("diagnosis", clinician_note)}
    low = clinician_note.lower()
    meds_ok = sum(1 for m in note.medications if m.drug_id in ref_drugs or m.name.lower() in low)
    probs_ok = sum(1 for p in note.problems if (p.icd10 and p.icd10[:3] in ref_dx) or p.text.lower() in low)
    bad = ungrounded_items(note, transcript)
    g = note.grounding
    return CaseResult(
        cid, len(highlights), len(highlights) - len(missed), missed, len(note.medications), meds_ok,
        len(note.problems), probs_ok, g.get("proposed", 0), g.get("dropped", 0), len(note.all_items()), len(bad), 0.0,
    )


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 3) if b else None


def summarize(cases: list[CaseResult]) -> dict[str, Any]:
    ok = [c for c in cases if not c.error]
    tot = lambda f: sum(getattr(c, f) for c in ok)  # noqa: E731
    return {
        "consultations": len(cases),
        "failed": len(cases) - len(ok),
        "highlight_recall": _ratio(tot("recalled"), tot("highlights")),
        "medication_precision": _ratio(tot("meds_correct"), tot("meds")),
        "medications": tot("meds"),
        "diagnosis_precision": _ratio(tot("problems_correct"), tot("problems")),
        "diagnoses": tot("problems"),
        "ungrounded_proposed_rate": _ratio(tot("dropped"), tot("proposed")),
        "ungrounded_final": tot("final_ungrounded"),
        "items_final": tot("final_items"),
        "items_per_note": round(tot("final_items") / len(ok), 1) if ok else None,
        "median_seconds": round(statistics.median(c.seconds for c in cases), 2) if cases else None,
    }


def run(settings: Settings, backend_name: str = "rules", *, limit: int | None = None, names: list[str] | None = None,
        progress: bool = True, on_case: Callable[[EvalResult], None] | None = None) -> EvalResult:
    """Structure each consultation with ``backend_name`` and score it. ``on_case`` gets the
    partial result after each consultation (the local LLM takes minutes per consultation)."""
    from medasr.errors import MedasrError
    from medasr.note import get_backend, structure
    from medasr.note.linking import load_linker

    linker = load_linker(settings)
    backend = get_backend(backend_name, settings, linker=linker)
    names = names or consultation_names()
    names = names[:limit] if limit else names
    cases: list[CaseResult] = []
    it = names
    if progress:
        from tqdm import tqdm

        it = tqdm(names, desc=f"notes ({backend_name})", unit="consultation")
    for cid in it:
        c = load_consultation(cid)
        t0 = time.perf_counter()
        try:
            note = structure(c.transcript, settings, mode="conversation", backend=backend)
        except MedasrError as e:
            cases.append(CaseResult(cid, len(c.highlights), 0, c.highlights, 0, 0, 0, 0, 0, 0, 0, 0,
                                    round(time.perf_counter() - t0, 2), error=str(e)))
            if on_case is not None:
                on_case(EvalResult(backend.name, backend.model, tuple(cases), summarize(cases)))
            continue
        r = score_case(cid, note, c.note, c.highlights, linker, c.transcript)
        cases.append(CaseResult(**{**asdict(r), "seconds": round(time.perf_counter() - t0, 2)}))
        if on_case is not None:
            on_case(EvalResult(backend.name, backend.model, tuple(cases), summarize(cases)))
    return EvalResult(backend.name, backend.model, tuple(cases), summarize(cases))


def write_results(results: list[EvalResult], out_dir: Path, stem: str = "notes") -> tuple[Path, Path]:
    """``<stem>.json`` (every case) and ``<stem>.md`` (the table) in ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    js = out_dir / f"{stem}.json"
    js.write_text(json.dumps([{"backend": r.backend, "model": r.model, "summary": r.summary,
                               "cases": [asdict(c) for c in r.cases]} for r in results], indent=2) + "\n")
    md = out_dir / f"{stem}.md"
    md.write_text(table(results))
    plot(results, out_dir / f"{stem}.png")
    return js, md


def plot(results: list[EvalResult], path: Path) -> Path | None:
    """Bar chart of the four rates per backend (skipped without matplotlib)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    keys = ["highlight_recall", "medication_precision", "diagnosis_precision", "ungrounded_proposed_rate"]
    fig, ax = plt.subplots(figsize=(7, 3.5))
    width = 0.8 / max(1, len(results))
    for i, r in enumerate(results):
        vals = [r.summary.get(k) or 0.0 for k in keys]
        n = r.summary["consultations"] - r.summary["failed"]
        ax.bar([x + i * width for x in range(len(keys))], vals, width, label=f"{r.backend} ({n} consultations)")
    ax.set_xticks([x + width * (len(results) - 1) / 2 for x in range(len(keys))])
    ax.set_xticklabels(["highlight recall", "medication precision", "diagnosis precision", "ungrounded proposed"], fontsize=8)
    ax.set_ylim(0, 1)
    ax.set_title("Note structuring on PriMock57-dev (human transcripts)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def load_results(path: Path) -> list[EvalResult]:
    data = json.loads(Path(path).read_text())
    return [EvalResult(d["backend"], d["model"], tuple(CaseResult(**{**c, "missed": tuple(c["missed"])}) for c in d["cases"]), d["summary"]) for d in data]


def table(results: list[EvalResult]) -> str:
    rows = ["| backend | model | consultations | highlight recall | medication precision (n) | diagnosis precision (n) "
            "| ungrounded proposed | ungrounded in final note | items/note | median s/consultation |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        s = r.summary
        f = lambda v: "n/a" if v is None else f"{v:.3f}"  # noqa: E731
        rows.append(
            f"| {r.backend} | {r.model} | {s['consultations'] - s['failed']}/{s['consultations']} | {f(s['highlight_recall'])} "
            f"| {f(s['medication_precision'])} ({s['medications']}) | {f(s['diagnosis_precision'])} ({s['diagnoses']}) "
            f"| {f(s['ungrounded_proposed_rate'])} | {s['ungrounded_final']}/{s['items_final']} | {s['items_per_note']} | {s['median_seconds']} |"
        )
    return "\n".join(rows) + "\n"
