"""Speaker ids -> roles (clinician, patient, other), from content cues or the user's map.

``auto``: the two speakers with the most words are scored by ``cues.clinician_score``; the
higher is the clinician, the other the patient, and any further speaker is ``other``. The
role score is ``sigmoid(2 x score gap x evidence)``, where evidence grows with the sentences
the less talkative of the two said (``min(1, sqrt(n / 10))``): a short exchange is never sure.
One speaker alone is the clinician (or patient) only when the cues lean clearly
(|score| >= ``SOLO_MARGIN``); otherwise the role stays unknown. ``clinician-first``: the first
speaker to talk is the clinician, the second the patient, others ``other``. A map
(``S1=clinician,S2=patient``) sets the named speakers and leaves the rest ``other``. User
choices get score 1.0.
"""

from __future__ import annotations

import math
from dataclasses import replace

from medasr.schema import Transcript
from medasr.speakers.cues import CueCounts, clinician_score, count
from medasr.speakers.spec import RoleSpec

SOLO_MARGIN = 0.5
MIN_WORDS = 3  # a speaker with fewer words (a cough, a stray window) is never the clinician or the patient


def speaker_counts(transcript: Transcript) -> dict[str, CueCounts]:
    out: dict[str, CueCounts] = {}
    for s in transcript.segments:
        if s.speaker:
            out[s.speaker] = out.get(s.speaker, CueCounts()) + count(s.text)
    return out


def infer_roles(counts: dict[str, CueCounts]) -> dict[str, tuple[str | None, float]]:
    """speaker -> (role, score) from content cues."""
    talkers = sorted((s for s in counts if counts[s].words >= MIN_WORDS), key=lambda s: -counts[s].words)
    roles: dict[str, tuple[str | None, float]] = {s: ("other", 0.5) for s in counts}
    if not talkers:
        return {s: (None, 0.0) for s in counts}
    if len(talkers) == 1:
        s = talkers[0]
        score = clinician_score(counts[s])
        evidence = min(1.0, math.sqrt(counts[s].sentences / 10))
        role = "clinician" if score >= SOLO_MARGIN else "patient" if score <= -SOLO_MARGIN else None
        roles[s] = (role, round(_sigmoid(2 * abs(score) * evidence), 3) if role else 0.0)
        return roles
    a, b = talkers[:2]
    sa, sb = clinician_score(counts[a]), clinician_score(counts[b])
    clin, pat = (a, b) if sa >= sb else (b, a)
    evidence = min(1.0, math.sqrt(min(counts[a].sentences, counts[b].sentences) / 10))
    conf = round(_sigmoid(2 * abs(sa - sb) * evidence), 3)
    roles[clin] = ("clinician", conf)
    roles[pat] = ("patient", conf)
    return roles


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def decide_roles(transcript: Transcript, spec: RoleSpec) -> dict[str, tuple[str | None, float]]:
    speakers = list(dict.fromkeys(s.speaker for s in transcript.segments if s.speaker))
    if spec.mode == "none":
        return {s: (None, 0.0) for s in speakers}
    if spec.mode == "map":
        return {s: (spec.mapping.get(s, "other"), 1.0) for s in speakers}
    if spec.mode == "clinician-first":
        order = ("clinician", "patient")
        return {s: (order[i] if i < len(order) else "other", 1.0) for i, s in enumerate(speakers)}
    return infer_roles(speaker_counts(transcript))


def label_roles(transcript: Transcript, spec: RoleSpec) -> Transcript:
    """Segments get ``role``/``role_score``; words get their segment's speaker and role."""
    roles = decide_roles(transcript, spec)
    segs = []
    for s in transcript.segments:
        role, score = roles.get(s.speaker, (None, 0.0)) if s.speaker else (None, 0.0)
        words = tuple(replace(w, speaker=s.speaker, role=role) for w in s.words)
        segs.append(replace(s, role=role, role_score=score if role else None, words=words))
    return transcript.with_changes(segments=tuple(segs))
