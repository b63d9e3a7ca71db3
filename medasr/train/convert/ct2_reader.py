"""Read a CTranslate2 ``model.bin`` (binary version 6) into named numpy arrays.

Layout: ``u32 version; str spec; u32 revision; u32 n; n x {str name; u8 rank;
u32 dims[rank]; u8 dtype; u32 nbytes; bytes}; u32 n_aliases; n_aliases x {str alias; str target}``
where ``str`` is ``u16 length (with the NUL) + bytes``. dtype: 0=f32, 1=i8, 2=i16, 3=i32,
4=f16, 5=bf16. Only numpy is needed. An int8-quantized model (``compute_type`` int8: each
weight matrix ``W`` stored as ``round(W * s)`` in int8 with a per-row float ``W_scale`` = s) is
read back dequantized, ``W = int8 / s`` in float32, and its ``_scale`` variables dropped
(``CT2Model.dequantized`` says so): what int8 rounding lost stays lost (at most half a step,
``max|row| / 254``, per weight), but quantizing the result to int8 again gives the same file.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np

from medasr.errors import ModelNotFoundError

_DTYPES: dict[int, np.dtype] = {
    0: np.dtype("<f4"),
    1: np.dtype("i1"),
    2: np.dtype("<i2"),
    3: np.dtype("<i4"),
    4: np.dtype("<f2"),
}
_BF16 = 5


@dataclass(frozen=True)
class CT2Model:
    """The tensors of one CTranslate2 model file, aliases resolved."""

    spec: str
    version: int
    revision: int
    variables: dict[str, np.ndarray] = field(repr=False)
    aliases: dict[str, str] = field(default_factory=dict)
    dequantized: tuple[str, ...] = ()  # int8 weights read back as float32 (see the module docstring)

    def get(self, name: str) -> np.ndarray:
        if name in self.variables:
            return self.variables[name]
        if name in self.aliases:
            return self.get(self.aliases[name])
        raise KeyError(f"CTranslate2 model has no variable {name!r}")

    def __contains__(self, name: str) -> bool:
        return name in self.variables or name in self.aliases


def _u(fh: BinaryIO, fmt: str) -> int:
    size = struct.calcsize(fmt)
    data = fh.read(size)
    if len(data) != size:
        raise EOFError("truncated CTranslate2 model file")
    return struct.unpack(fmt, data)[0]


def _str(fh: BinaryIO) -> str:
    n = _u(fh, "<H")
    raw = fh.read(n)
    if len(raw) != n:
        raise EOFError("truncated CTranslate2 model file")
    return raw.rstrip(b"\0").decode("utf-8")


def _bf16_to_f32(raw: bytes, shape: tuple[int, ...]) -> np.ndarray:
    u16 = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
    return u16.view(np.float32).reshape(shape)


def read_ct2_model(path: str | Path) -> CT2Model:
    """Read ``path`` (a ``model.bin`` or the folder holding one)."""
    p = Path(path)
    if p.is_dir():
        p = p / "model.bin"
    if not p.is_file():
        raise ModelNotFoundError(f"{p}: no CTranslate2 model.bin there")
    variables: dict[str, np.ndarray] = {}
    aliases: dict[str, str] = {}
    try:
        with open(p, "rb") as fh:
            version = _u(fh, "<I")
            if version < 5 or version > 6:
                raise ModelNotFoundError(f"{p}: CTranslate2 binary version {version} is not supported (expected 5 or 6)")
            spec = _str(fh)
            revision = _u(fh, "<I")
            n = _u(fh, "<I")
            for _ in range(n):
                name = _str(fh)
                rank = _u(fh, "<B")
                shape = tuple(_u(fh, "<I") for _ in range(rank))
                dtype = _u(fh, "<B")
                nbytes = _u(fh, "<I")
                raw = fh.read(nbytes)
                if len(raw) != nbytes:
                    raise EOFError("truncated CTranslate2 model file")
                if dtype == _BF16:
                    arr = _bf16_to_f32(raw, shape)
                elif dtype in _DTYPES:
                    arr = np.frombuffer(raw, dtype=_DTYPES[dtype]).reshape(shape)
                else:
                    raise ModelNotFoundError(f"{p}: variable {name!r} has unknown dtype code {dtype}")
                variables[name] = arr
            n_alias = _u(fh, "<I")
            for _ in range(n_alias):
                alias = _str(fh)
                aliases[alias] = _str(fh)
    except EOFError as e:
        raise ModelNotFoundError(f"{p}: {e}") from None
    deq = _dequantize(variables)
    return CT2Model(spec=spec, version=version, revision=revision, variables=variables, aliases=aliases, dequantized=deq)


def _dequantize(variables: dict[str, np.ndarray]) -> tuple[str, ...]:
    """Replace every int8 ``W`` that has a ``W_scale`` by ``W / W_scale`` (per row), in place."""
    done = []
    for name in [n for n in variables if n.endswith("_scale")]:
        w = variables.get(name[: -len("_scale")])
        if w is None or w.dtype != np.int8 or w.ndim < 2:
            continue
        scale = variables.pop(name).astype(np.float32)
        variables[name[: -len("_scale")]] = w.astype(np.float32) / scale.reshape((-1,) + (1,) * (w.ndim - 1))
        done.append(name[: -len("_scale")])
    return tuple(done)
