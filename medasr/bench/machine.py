"""What the benchmark ran on: CPU, memory, accelerator, library versions, load; and RSS."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import resource
import sys


def rss_mb(*, peak: bool = False) -> float:
    """Resident memory of this process in MiB (``peak``: the high-water mark, Linux)."""
    if peak:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _cpuinfo(*keys: str) -> str | None:
    """The value of the first ``/proc/cpuinfo`` line that starts with one of ``keys`` (Linux)."""
    try:
        with open("/proc/cpuinfo") as fh:
            return next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith(keys)), None)
    except OSError:
        return None


def _cpu_model() -> str:
    return _cpuinfo("model name") or platform.processor() or platform.machine()


def cpu_isa() -> str:
    """The SIMD level CTranslate2 dispatches to (``CT2_FORCE_CPU_ISA`` when set): int8 results
    differ slightly between levels (benchmarks/results/cpu-isa), so benchmark figures name it."""
    forced = os.environ.get("CT2_FORCE_CPU_ISA")
    if forced:
        return f"{forced} (forced)"
    flags = (_cpuinfo("flags", "Features") or "").split()
    for flag, name in (("avx512f", "AVX512"), ("avx2", "AVX2"), ("avx", "AVX"), ("sse4_1", "SSE4.1"), ("asimd", "NEON")):
        if flag in flags:
            return name + (" VNNI" if flag == "avx512f" and "avx512_vnni" in flags else "")
    return platform.machine()


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _gpus() -> list[str]:
    try:
        import ctranslate2

        n = ctranslate2.get_cuda_device_count()
    except Exception:  # a broken CUDA install must not stop a CPU benchmark
        return []
    if not n:
        return []
    try:
        import torch

        return [torch.cuda.get_device_name(i) for i in range(n)]
    except Exception:
        return [f"cuda:{i}" for i in range(n)]


def machine_info() -> dict:
    try:
        mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        mem_gib = None
    return {
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "cpu": _cpu_model(),
        "cpu_isa": cpu_isa(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "memory_gib": round(mem_gib, 1) if mem_gib else None,
        "gpus": _gpus(),
        "loadavg": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        "versions": {d: _version(d) for d in ("medasr", "faster-whisper", "ctranslate2", "torch", "transformers", "whisper-normalizer", "medwer")},
    }
