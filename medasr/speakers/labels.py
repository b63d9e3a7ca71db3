"""How a speaker is named in outputs: its role (``Clinician``, ``Patient``) or its id (``S3``).

A role shared by several speakers, and the role ``other``, keep the id beside it (``Other S3``)
so two voices never read as one.
"""

from __future__ import annotations

from medasr.schema import Segment, Transcript


def speaker_labels(transcript: Transcript) -> dict[str, str]:
    roles: dict[str, str | None] = {}
    for s in transcript.segments:
        if s.speaker and s.speaker not in roles:
            roles[s.speaker] = s.role
    taken: dict[str, int] = {}
    for r in roles.values():
        if r:
            taken[r] = taken.get(r, 0) + 1
    out = {}
    for spk, role in roles.items():
        if role in ("clinician", "patient") and taken[role] == 1:
            out[spk] = role.capitalize()
        elif role:
            out[spk] = f"{role.capitalize()} {spk}"
        else:
            out[spk] = spk
    return out


def has_speakers(transcript: Transcript) -> bool:
    return any(s.speaker for s in transcript.segments)


def label_of(seg: Segment, labels: dict[str, str]) -> str | None:
    return labels.get(seg.speaker) if seg.speaker else None
