"""Speaker embeddings -> speaker labels: agglomerative clustering on cosine distance.

Average linkage (scipy). With a known count the tree is cut into that many clusters; otherwise
at ``threshold`` (cosine distance; it, ``min_seconds`` and ``min_window`` were chosen on the
benchmark's dev part: benchmarks/results/speakers/sweep.json). Clusters holding less
than ``min_seconds`` of speech are folded into the nearest larger one: a cough or an overlap
window is not a new speaker.
"""

from __future__ import annotations

import numpy as np

THRESHOLD = 0.5
MIN_SECONDS = 2.0
MIN_WINDOW = 1.0


def cluster(emb: np.ndarray, seconds: np.ndarray, num_speakers: int | None = None, *,
            threshold: float = THRESHOLD, min_seconds: float = MIN_SECONDS) -> np.ndarray:
    """One label 0..k-1 per embedding row; ``seconds`` is each row's speech duration."""
    n = len(emb)
    if n == 0:
        return np.zeros(0, dtype=int)
    if n == 1 or num_speakers == 1:
        return np.zeros(n, dtype=int)
    from scipy.cluster.hierarchy import fcluster, linkage

    emb = emb / np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-8)
    dist = np.clip(1.0 - emb @ emb.T, 0.0, 2.0)
    condensed = dist[np.triu_indices(n, 1)]
    tree = linkage(condensed, method="average")
    if num_speakers is not None:
        labels = fcluster(tree, t=min(num_speakers, n), criterion="maxclust") - 1
        return _relabel(labels)
    labels = fcluster(tree, t=threshold, criterion="distance") - 1
    return _relabel(_fold_small(labels, emb, seconds, min_seconds))


def cluster_windows(emb: np.ndarray, lengths: np.ndarray, seconds: np.ndarray, num_speakers: int | None = None, *,
                    threshold: float = THRESHOLD, min_seconds: float = MIN_SECONDS, min_window: float = MIN_WINDOW) -> np.ndarray:
    """``cluster`` over the windows of at least ``min_window`` seconds; shorter ones (a "Yes.",
    an "Um,": their embeddings are noisy and, clustered, gather into a speaker of their own)
    then join the cluster whose centroid is most like them. All short: all clustered.
    ``lengths``: each window's duration; ``seconds``: the speech each one stands for."""
    long = lengths >= min_window
    if long.sum() < 2 or long.all():
        return cluster(emb, seconds, num_speakers, threshold=threshold, min_seconds=min_seconds)
    labels = np.zeros(len(emb), dtype=int)
    labels[long] = cluster(emb[long], seconds[long], num_speakers, threshold=threshold, min_seconds=min_seconds)
    unit = emb / np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-8)
    ids = np.unique(labels[long])
    cent = np.stack([unit[long][labels[long] == k].mean(axis=0) for k in ids])
    labels[~long] = ids[np.argmax(unit[~long] @ cent.T, axis=1)]
    return _relabel(labels)


def _fold_small(labels: np.ndarray, emb: np.ndarray, seconds: np.ndarray, min_seconds: float) -> np.ndarray:
    labels = labels.copy()
    while True:
        ids = np.unique(labels)
        if len(ids) < 2:
            return labels
        dur = np.array([seconds[labels == c].sum() for c in ids])
        small = int(np.argmin(dur))
        if dur[small] >= min_seconds:
            return labels
        c = ids[small]
        centroids = {k: emb[labels == k].mean(axis=0) for k in ids if k != c}
        mine = emb[labels == c].mean(axis=0)
        nearest = max(centroids, key=lambda k: float(centroids[k] @ mine) / (np.linalg.norm(centroids[k]) * np.linalg.norm(mine) + 1e-8))
        labels[labels == c] = nearest


def _relabel(labels: np.ndarray) -> np.ndarray:
    """Labels renumbered 0..k-1 in order of first appearance."""
    order: dict[int, int] = {}
    for x in labels:
        order.setdefault(int(x), len(order))
    return np.array([order[int(x)] for x in labels], dtype=int)
