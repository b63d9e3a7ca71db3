"""A telephone channel for training audio (issue 24, follow-up 4): a share of a synth manifest's
train rows is written again through 8 kHz narrowband (resampled to 8 kHz, band-passed 300-3400 Hz,
mu-law-like soft clipping left out) and back to 16 kHz; dev and test rows are untouched.

    python telephone.py IN_MANIFEST OUT_DIR SHARE
"""
import json
import sys
from pathlib import Path

import numpy as np
from scipy.signal import butter, resample_poly, sosfilt

from medasr.audio import load_audio, write_wav

_SOS = butter(4, [300, 3400], btype="bandpass", fs=8000, output="sos")


def telephone(a: np.ndarray) -> np.ndarray:
    """16 kHz float audio through a narrowband telephone channel, back at 16 kHz."""
    n8 = resample_poly(a, 1, 2)
    return resample_poly(sosfilt(_SOS, n8), 2, 1).astype(np.float32)[: len(a)]


def main(src: Path, out: Path, share: float) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "audio").mkdir(exist_ok=True)
    rows = [json.loads(x) for x in open(src)]
    step = max(1, round(1 / share))
    n = 0
    with open(out / "manifest.jsonl", "w") as fh:
        for i, r in enumerate(rows):
            r = dict(r)
            p = Path(r["audio"])
            p = p if p.is_absolute() else src.parent / p
            if r.get("split") == "train" and i % step == 0:
                rel = f"audio/tel-{p.name}"
                write_wav(out / rel, telephone(load_audio(str(p))))
                r["audio"], r["augmentation"] = rel, list(r.get("augmentation") or []) + ["telephone"]
                n += 1
            else:
                r["audio"] = str(p.resolve())
            fh.write(json.dumps(r) + "\n")
    print(f"{n} of {len(rows)} rows through the telephone channel -> {out / 'manifest.jsonl'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3]))
