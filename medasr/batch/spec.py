"""What every worker of one ``medasr batch`` job runs with, and the hash that says "same settings".

``JobSpec`` travels to each process pool worker and Ray actor (it is small and picklable): the
resolved ``Settings`` (device and compute type for the workers: float16 CTranslate2 on GPU actors,
int8 on CPU), the decoding options (``Pipeline.options``, with ``--terms``/``--specialty`` hotwords,
made once in the driver), the output formats and whether a note is written.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, fields

from medasr.asr.base import TranscribeOptions
from medasr.config import Settings
from medasr.errors import ConfigError

# Settings for how fast a job runs or where things are, not what it asks for: every other field
# (including ones added later, such as a speakers stage) is part of the hash. (CTranslate2's int8
# results can differ in a rare word with another thread count; a rerun with other --threads still
# keeps what was done.)
NOT_HASHED = frozenset({"home", "threads", "host", "port", "api_key", "llm_api_key", "llm_timeout", "max_sessions", "log_level"})


@dataclass(frozen=True)
class JobSpec:
    settings: Settings  # as the workers run: device and compute type resolved
    options: TranscribeOptions
    formats: tuple[str, ...]
    note: bool = False
    note_formats: tuple[str, ...] = ("md", "json")
    model_id: str = ""  # the resolved model: name and checksum (or path)

    def settings_hash(self) -> str:
        """16 hex digits over everything that decides the outputs: a rerun with the same hash may
        skip a file done before, any other hash redoes it."""
        from medasr import __version__

        settings = {f.name: getattr(self.settings, f.name) for f in fields(self.settings) if f.name not in NOT_HASHED}
        d = {"medasr": __version__, "model_id": self.model_id, "settings": settings, "options": self.options.to_dict(),
             "formats": list(self.formats), "note": list(self.note_formats) if self.note else None}
        return hashlib.sha256(json.dumps(d, sort_keys=True, default=str).encode()).hexdigest()[:16]

    def describe(self) -> dict:
        """The spec as plain data, for the results table and logs (no secrets: those are not in it)."""
        return {"settings_hash": self.settings_hash(), "model_id": self.model_id, "device": self.settings.device,
                "compute_type": self.settings.compute_type, "options": self.options.to_dict(), "formats": list(self.formats),
                "note": self.note, "correct": self.settings.correct}


def placement(settings: Settings, num_gpus: float | None) -> tuple[Settings, float]:
    """(the workers' settings, GPUs per worker). GPU workers (``num_gpus > 0``, or ``--device cuda``,
    which means one GPU each) run CUDA, float16 unless a compute type is given; CPU workers run int8.
    ``--device auto`` with no ``--num-gpus`` is CPU: a cluster's GPUs are asked for, not guessed."""
    from medasr.asr.device import resolve_device

    if num_gpus is None:
        num_gpus = 1.0 if settings.device == "cuda" else 0.0
    if num_gpus < 0:
        raise ConfigError(f"--num-gpus must be 0 or more, not {num_gpus}")
    if num_gpus > 0 and settings.device == "cpu":
        raise ConfigError(f"--num-gpus {num_gpus:g} asks for GPU workers, but --device is cpu")
    device = "cuda" if num_gpus > 0 else "cpu"
    # the compute type the workers will resolve (no CUDA probe here: the GPUs are the workers')
    _, compute_type = resolve_device(device, settings.compute_type, cuda_count=1 if device == "cuda" else 0)
    return settings.with_overrides(device=device, compute_type=compute_type), num_gpus


def resolve_model_id(settings: Settings) -> str:
    """The model the workers will load, resolved here first so an unknown name fails before any work
    (for a DOMAIN+GENERAL pair, both: ``a@sum+b@sum``)."""
    from medasr.asr.hybrid import SEPARATOR
    from medasr.asr.loader import is_hybrid
    from medasr.store.whisper import resolve_model

    ids = []
    for name in settings.model.split(SEPARATOR) if is_hybrid(settings.model) else [settings.model]:
        resolved = resolve_model(name, settings)
        checksum = resolved.entry.files.get("model.bin", "") if resolved.entry else ""
        ids.append(f"{resolved.name}@{checksum[:16] or resolved.path}")
    return SEPARATOR.join(ids)
