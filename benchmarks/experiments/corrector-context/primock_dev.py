"""The PriMock utterances the benchmark's ``primock:40`` does not score: a conversation dev set.

    MEDASR_HOME=... python primock_dev.py OUT.jsonl

Writes a manifest of the built primock set's utterances outside ``primock:40`` (same held-out
voices, absolute audio paths). Run ``medasr bench run --set primock-dev=OUT.jsonl ...`` on it.
"""
import json
import sys
from pathlib import Path

from medasr.bench.datasets import bench_dir, load_manifest
from medasr.config import Settings
from medasr.manifest import read_rows


def main(out: str) -> None:
    path = bench_dir(Settings.resolve({})) / "primock" / "manifest.jsonl"
    scored = {u.id for u in load_manifest(path, "primock", limit=40).utterances}
    rows = read_rows(path)
    dev = [dict(r, audio=str((path.parent / r["audio"]).resolve())) for r in rows if r["id"] not in scored]
    Path(out).write_text("".join(json.dumps(r) + "\n" for r in dev), encoding="utf-8")
    print(f"{len(dev)} of {len(rows)} utterances (primock:40 scores {len(scored)}) -> {out}")


if __name__ == "__main__":
    main(sys.argv[1])
