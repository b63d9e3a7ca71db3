"""Re-score a ``medasr bench`` results.json per data source.

The bench names a manifest set by its file stem, so two sets both called ``manifest.jsonl``
merge into one row; this splits them again by a prefix of the utterance id and prints WER and
medical-term WER (medwer list) per source and system, with bootstrap intervals.

    python -m medasr.bench.rescore results.json [more.json ...] --source gen=synth-heldout --source day=primock-tts
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def rescore(paths: list[Path], sources: dict[str, str], n_boot: int = 300) -> dict[str, dict]:
    from medasr.bench.metrics import corpus_score, score_utterance
    from medasr.bench.terms import medwer_terms

    terms = [t for t in (medwer_terms(),) if t is not None]
    groups: dict[tuple[str, str], list] = {}
    for path in paths:
        for u in json.loads(Path(path).read_text(encoding="utf-8"))["utterances"]:
            src = next((name for prefix, name in sources.items() if u["id"].startswith(prefix)), u["set"])
            groups.setdefault((src, u["system"]), []).append(score_utterance(u["id"], u["ref"], u["hyp"], terms))
    return {f"{s} | {system}": {"n": len(sc), **corpus_score(sc, n_boot=n_boot, seed=0).to_dict()} for (s, system), sc in sorted(groups.items())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", nargs="+", type=Path)
    ap.add_argument("--source", action="append", default=[], help="PREFIX=NAME: utterance ids starting with PREFIX form source NAME")
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args()
    out = rescore(a.results, dict(s.split("=", 1) for s in a.source))
    for key, d in out.items():
        med = (d.get("terms") or {}).get("medwer") or {}
        wer = d["wer"]["value"] if isinstance(d.get("wer"), dict) else d.get("wer")
        mw = med.get("wer", {}).get("value") if isinstance(med.get("wer"), dict) else med.get("wer")
        print(f"{key:50s} n={d['n']:4d} WER={wer if wer is None else round(100 * wer, 1)} med-WER={mw if mw is None else round(100 * mw, 1)}")
    if a.out:
        a.out.write_text(json.dumps(out, indent=1, default=str) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
