"""Pick the device and compute type: CUDA float16 where CTranslate2 sees a GPU, int8 on CPU."""

from __future__ import annotations

from medasr.errors import ConfigError


def cuda_device_count() -> int:
    import ctranslate2

    try:
        return int(ctranslate2.get_cuda_device_count())
    except Exception:  # a broken CUDA install reports as "no GPU", not a crash
        return 0


def resolve_device(device: str, compute_type: str, *, cuda_count: int | None = None) -> tuple[str, str]:
    """Return (device, compute_type) with ``auto`` resolved."""
    if device not in ("auto", "cpu", "cuda"):
        raise ConfigError(f"device must be auto, cpu or cuda, not {device!r}")
    n = cuda_device_count() if cuda_count is None and device != "cpu" else (cuda_count or 0)
    if device == "auto":
        device = "cuda" if n > 0 else "cpu"
    elif device == "cuda" and n == 0:
        raise ConfigError("--device cuda was asked for, but CTranslate2 sees no CUDA device (install the gpu extra: pip install 'medasr[gpu]')")
    if compute_type == "auto":
        compute_type = "float16" if device == "cuda" else "int8"
    return device, compute_type
