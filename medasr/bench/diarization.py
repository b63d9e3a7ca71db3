"""Scores for who-said-what: DER, speaker count, and the share of turns and words with the right role.

``der``: frame-based (10 ms) diarization error rate as NIST scores it: (missed speech + false
alarm + speaker confusion) / reference speech (``reference_spans``: where each voice is
audible, not the pauses inside a turn), overlapped speech counted per speaker, the
best one-to-one mapping of hypothesis to reference speakers (Hungarian), no scoring within
``collar`` seconds of a reference turn boundary.

``role_scores``: a reference turn's role is the role of most recognised words timed inside it
(a word belongs to a turn when its midpoint lies in that turn and in no turn of another
speaker); a turn with no such word counts as wrong. Backchannels (short turns laid over the
other speaker's) are left out of the turn score (their words cannot be told apart by time) and
counted on their own. The word score is over every word whose midpoint lies in exactly one
reference turn.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from medasr.bench.consultations import RefTurn
from medasr.schema import SpeakerTurn, Transcript

FRAME = 0.01


def _grid(turns: Sequence[tuple[float, float, str]], n: int) -> tuple[list[str], np.ndarray]:
    names = sorted({s for _, _, s in turns})
    grid = np.zeros((len(names), n), dtype=bool)
    for a, b, s in turns:
        grid[names.index(s), max(0, int(round(a / FRAME))): max(0, int(round(b / FRAME)))] = True
    return names, grid


def der(reference: Sequence[tuple[float, float, str]], hypothesis: Sequence[SpeakerTurn] | Sequence[tuple[float, float, str]],
        *, collar: float = 0.25) -> dict[str, float]:
    from scipy.optimize import linear_sum_assignment

    hyp = [(t.start, t.end, t.speaker) if isinstance(t, SpeakerTurn) else t for t in hypothesis]
    end = max([b for _, b, _ in reference] + [b for _, b, _ in hyp] + [0.0])
    n = int(round(end / FRAME)) + 1
    _, ref_g = _grid(reference, n)
    _, hyp_g = _grid(hyp, n)
    keep = np.ones(n, dtype=bool)
    c = int(round(collar / FRAME))
    if c:
        for a, b, _ in reference:
            for t in (a, b):
                i = int(round(t / FRAME))
                keep[max(0, i - c): i + c] = False
    ref_g, hyp_g = ref_g[:, keep], hyp_g[:, keep]
    n_ref, n_hyp = ref_g.sum(axis=0), hyp_g.sum(axis=0)
    correct = np.zeros(ref_g.shape[1], dtype=int)
    if len(ref_g) and len(hyp_g):
        co = ref_g.astype(np.int64) @ hyp_g.T.astype(np.int64)
        rows, cols = linear_sum_assignment(-co)
        for r, h in zip(rows, cols):
            correct += (ref_g[r] & hyp_g[h]).astype(int)
    total = float(n_ref.sum())
    miss = float(np.maximum(n_ref - n_hyp, 0).sum())
    fa = float(np.maximum(n_hyp - n_ref, 0).sum())
    conf = float((np.minimum(n_ref, n_hyp) - correct).sum())
    rate = (miss + fa + conf) / total if total else 0.0
    return {"der": round(rate, 4), "miss": round(miss / total, 4) if total else 0.0, "false_alarm": round(fa / total, 4) if total else 0.0,
            "confusion": round(conf / total, 4) if total else 0.0, "scored_seconds": round(total * FRAME, 2)}


def _owner(mid: float, refs: Sequence[RefTurn]) -> int | None:
    """Index of the one reference turn holding ``mid``; None in a gap. Where two speakers'
    turns overlap (the next turn starts 0.2 s before the last ends), the turn whose voice is
    audible at ``mid`` (its ``speech`` stretches) holds it; None when both or neither are."""
    hits = [i for i, r in enumerate(refs) if r.start <= mid < r.end]
    if not hits:
        return None
    if len({refs[i].speaker for i in hits}) > 1:
        heard = [i for i in hits if any(a <= mid < b for a, b in refs[i].speech)]
        if len({refs[i].speaker for i in heard}) != 1:
            return None
        hits = heard
    return hits[0] if len(hits) == 1 else min(hits, key=lambda i: refs[i].end - refs[i].start)


def role_scores(refs: Sequence[RefTurn], transcript: Transcript) -> dict[str, Any]:
    per_turn: dict[int, Counter] = {}
    words_right = words_total = 0
    for w in transcript.words:
        k = _owner((w.start + w.end) / 2, refs)
        if k is None:
            continue
        per_turn.setdefault(k, Counter())[w.role] += 1
        words_total += 1
        words_right += int(w.role == refs[k].role)
    scored = [i for i, r in enumerate(refs) if not r.backchannel]
    right = sum(1 for i in scored if per_turn.get(i) and per_turn[i].most_common(1)[0][0] == refs[i].role)
    with_words = sum(1 for i in scored if per_turn.get(i))
    backs = [i for i, r in enumerate(refs) if r.backchannel]
    return {
        "turns": len(scored), "turns_right": right, "turns_with_words": with_words,
        "turn_accuracy": round(right / len(scored), 4) if scored else 0.0,
        "turn_accuracy_with_words": round(right / with_words, 4) if with_words else 0.0,
        "words": words_total, "words_right": words_right,
        "word_accuracy": round(words_right / words_total, 4) if words_total else 0.0,
        "backchannels": len(backs), "backchannels_right": sum(1 for i in backs if per_turn.get(i) and per_turn[i].most_common(1)[0][0] == refs[i].role),
    }


def reference_spans(refs: Sequence[RefTurn]) -> list[tuple[float, float, str]]:
    """Where each reference speaker is audible (a turn's ``speech`` stretches, else the whole turn)."""
    return [(a, b, r.speaker) for r in refs for a, b in (r.speech or ((r.start, r.end),))]


def speaker_count(hyp: Sequence[SpeakerTurn]) -> int:
    return len({t.speaker for t in hyp})
