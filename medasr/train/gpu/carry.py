"""What travels to the lent GPU machine for ``medasr.train.gpu.finetune`` (see ``scripts/gpu_train.sh``).

A device call carries at most 64 MiB, so audio that the machine can make itself (espeak-ng,
flite: their .debs are 18 MB) travels as plan rows, text only; audio it cannot make (festival,
piper) travels as Ogg Opus at about 19 kbit/s (2.4 KB/s, an eighth of FLAC), in bundles under
a size limit. Held-out voices and test rows never travel.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from medasr.manifest import manifest_line, read_rows

RENDERABLE = ("espeak-ng", "flite")
HELDOUT_VOICES = ("awb", "en-gb-x-gbcwmd+m3", "en-gb-x-gbcwmd+f2")


def _voice(v: str) -> str:
    return v.split(":", 1)[1] if ":" in v else v


def _prosody(row: dict[str, Any]) -> tuple[float, float]:
    p = row.get("params") or next((s for s in row.get("augmentation") or [] if s.get("type") == "prosody"), {})
    return float(p.get("rate", 1.0)), float(p.get("pitch", 1.0))


def manifest_rows(manifest: Path, splits: Iterable[str] = ("train", "dev")) -> Iterator[dict[str, Any]]:
    """The rows of ``splits`` that may train: held-out voices never travel."""
    keep = set(splits)
    for r in read_rows(manifest):
        if r.get("split", "train") in keep and _voice(str(r.get("voice", ""))) not in HELDOUT_VOICES:
            yield r


def plan_row(r: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A manifest row of a renderable engine as a row the device renders again (no augmentation:
    the device augments on the GPU)."""
    rate, pitch = _prosody(r)
    return {"id": prefix + str(r["id"]), "text": r["text"], "spoken": r.get("spoken") or r["text"], "engine": r["engine"],
            "voice": _voice(str(r["voice"])), "rate": rate, "pitch": pitch, "split": r.get("split", "train"), "kind": r.get("kind") or "medical"}


def write_plan(rows: Iterable[dict[str, Any]], path: Path) -> int:
    n = 0
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for r in rows:
            if r["engine"] not in RENDERABLE:
                raise ValueError(f"{r['id']}: engine {r['engine']} cannot be rendered on the device")
            if r["voice"] in HELDOUT_VOICES:
                raise ValueError(f"{r['id']}: held-out voice {r['voice']} must not train")
            fh.write(json.dumps(r) + "\n")
            n += 1
    return n


def opus_bundles(manifest: Path, out: Path, *, engines: Iterable[str], limit_bytes: int, name: str, compression: float = 0.95) -> list[Path]:
    """The rows of ``engines`` (train and dev) re-encoded as Ogg Opus into folders
    ``out/<name>-<k>/`` (manifest.jsonl + audio/), each under ``limit_bytes``."""
    import soundfile as sf

    want = set(engines)
    folders: list[Path] = []
    cur: Path | None = None
    size = 0
    fh = None
    for r in manifest_rows(manifest):
        if r.get("engine") not in want:
            continue
        src = manifest.parent / r["audio"]
        if not src.is_file():
            continue
        x, sr = sf.read(str(src), dtype="float32")
        buf = io.BytesIO()
        sf.write(buf, x, sr, format="OGG", subtype="OPUS", compression_level=compression)
        data = buf.getvalue()
        if cur is None or size + len(data) > limit_bytes:
            if fh is not None:
                fh.close()
            cur = out / f"{name}-{len(folders)}"
            (cur / "audio").mkdir(parents=True, exist_ok=True)
            folders.append(cur)
            fh = open(cur / "manifest.jsonl", "w", encoding="utf-8")
            size = 0
        rel = f"audio/{Path(r['audio']).stem}.ogg"
        (cur / rel).write_bytes(data)
        size += len(data)
        fh.write(manifest_line({"id": r["id"], "audio": rel, "text": r["text"], "engine": r["engine"], "voice": r["voice"],
                                "split": r.get("split", "train"), "kind": r.get("kind") or "medical"}) + "\n")
    if fh is not None:
        fh.close()
    return folders
