"""Decode bench sets with models and keep every transcript (words, timings, probabilities), so
that ways of combining and correcting them can be scored on dev data without decoding again.

    MEDASR_HOME=... python dump.py OUT_DIR MODEL[,MODEL...] SET [SET ...]

One ``OUT_DIR/<model>__<set>.jsonl`` per model and set (``/`` in a model path becomes ``_``):
``{"id", "group", "ref", "wall", "dur", "tr": Transcript.to_dict()}`` a line. Beam 5, int8, CPU.
"""
import json
import sys
import time
from pathlib import Path

from medasr.asr.loader import load_transcriber, options_from_settings
from medasr.audio import SAMPLE_RATE, load_audio
from medasr.bench.datasets import resolve_set
from medasr.config import Settings


def main(out: Path, models: list[str], sets: list[str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    s = Settings.resolve({"device": "cpu", "compute_type": "int8"})
    opts = options_from_settings(s, batch_size=0)
    trs = {m: load_transcriber(s, model=m, cache=False) for m in models}
    for spec in sets:
        b = resolve_set(spec, s)
        files = {m: open(out / f"{m.replace('/', '_')}__{b.name}.jsonl", "w") for m in models}
        for i, u in enumerate(b.utterances):
            a = load_audio(u.audio)
            for m, t in trs.items():
                c0 = time.perf_counter()
                tr = t.transcribe(a, opts)
                row = {"id": u.id, "group": u.group, "ref": u.text, "wall": time.perf_counter() - c0, "dur": len(a) / SAMPLE_RATE, "tr": tr.to_dict()}
                files[m].write(json.dumps(row) + "\n")
            if i % 20 == 0:
                print(b.name, i, len(b.utterances), flush=True)
        for f in files.values():
            f.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2].split(","), sys.argv[3:])
