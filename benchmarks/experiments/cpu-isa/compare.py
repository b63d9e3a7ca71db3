"""Count the utterances whose hypothesis differs between two `medasr bench` runs of the same sets.

python benchmarks/experiments/cpu-isa/compare.py A/results.json.gz B/results.json.gz [...]
(every pair of runs; systems and utterances that both runs hold)
"""

from __future__ import annotations

import gzip
import itertools
import json
import sys


def hypotheses(path: str) -> tuple[str, dict[tuple[str, str, str], str]]:
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        d = json.load(fh)
    isa = d["machine"].get("cpu_isa", "not recorded")
    return isa, {(u["set"], u["system"], u["id"]): u["hyp"] for u in d["utterances"]}


def main(paths: list[str]) -> None:
    runs = {p: hypotheses(p) for p in paths}
    for a, b in itertools.combinations(paths, 2):
        (isa_a, x), (isa_b, y) = runs[a], runs[b]
        common = set(x) & set(y)
        print(f"{a} ({isa_a}) vs {b} ({isa_b})")
        for system in sorted({k[1] for k in common}):
            keys = sorted(k for k in common if k[1] == system)
            diff = [k for k in keys if x[k] != y[k]]
            print(f"  {system}: {len(diff)} of {len(keys)} hypotheses differ")
            for k in diff:
                print(f"    {k[0]}/{k[2]}: {x[k]!r} | {y[k]!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
