"""Stock tiny.en interpolated with release 3 of tiny.en-medical (read back from its int8 file):
``theta = (1 - b) stock + b release3``. Release 3 is itself ``0.2 stock + 0.8 tuned``, so the
effective WiSE-FT alpha is ``0.8 b``; the un-merged tuned weights are not on this machine.

    MEDASR_HOME=... python interp.py OUT_DIR check        # release 3 -> transformers -> int8: same bytes?
    MEDASR_HOME=... python interp.py OUT_DIR 0.25 0.5 0.75  # OUT_DIR/b<b>/ct2-int8 for each b
"""
import sys
from pathlib import Path

from medasr.config import Settings
from medasr.store.whisper import resolve_model
from medasr.train.convert.ct2_to_hf import convert_ct2_to_hf
from medasr.train.convert.export import export_ct2
from medasr.train.whisper.merge import merge_models


def main(root: Path, args: list[str]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    s = Settings.resolve({"device": "cpu"})
    r3 = resolve_model("tiny.en-medical", s).path
    hf = root / "r3-hf"
    if not (hf / "config.json").is_file():
        convert_ct2_to_hf(r3, hf)
    if args == ["check"]:
        out = export_ct2(hf, root / "r3-back-int8", "int8")
        print("bytes equal:", (r3 / "model.bin").read_bytes() == (out / "model.bin").read_bytes())
        return
    for b in map(float, args):
        merge_models("tiny.en", hf, b, root / f"b{b:g}", s, ("int8",))
        print(f"b={b:g}: effective alpha {0.8 * b:.2f}", flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2:])
