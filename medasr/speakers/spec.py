"""The user's choice, parsed once: ``--speakers auto|N|channels|none`` and ``--roles ...``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from medasr.errors import ConfigError
from medasr.schema import ROLES

MAX_SPEAKERS = 10
_SPEAKER_ID = re.compile(r"^S[1-9][0-9]?$")


@dataclass(frozen=True)
class SpeakerSpec:
    """``mode`` is none (off), auto (estimate the count), fixed (``num_speakers``) or channels."""

    mode: str = "none"
    num_speakers: int | None = None

    @property
    def enabled(self) -> bool:
        return self.mode != "none"

    def __str__(self) -> str:
        return str(self.num_speakers) if self.mode == "fixed" else self.mode


@dataclass(frozen=True)
class RoleSpec:
    """``mode`` is auto (content cues), clinician-first (the first to speak), map (``mapping``) or none."""

    mode: str = "auto"
    mapping: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        if self.mode == "map":
            return ",".join(f"{k}={v}" for k, v in self.mapping.items())
        return self.mode


def parse_speakers(value: str | int | None) -> SpeakerSpec:
    if value is None:
        return SpeakerSpec()
    v = str(value).strip().lower()
    if v in ("", "none", "off", "0"):
        return SpeakerSpec()
    if v in ("auto", "channels"):
        return SpeakerSpec(v)
    if v.isdigit():
        n = int(v)
        if not 1 <= n <= MAX_SPEAKERS:
            raise ConfigError(f"speakers: {n} is out of range; give 1 to {MAX_SPEAKERS}, auto, channels or none")
        return SpeakerSpec("fixed", n)
    raise ConfigError(f"speakers must be auto, a number of speakers (1-{MAX_SPEAKERS}), channels or none, not {value!r}")


def parse_roles(value: str | None) -> RoleSpec:
    """``auto``, ``clinician-first``, ``none``, or a map such as ``S1=clinician,S2=patient``."""
    v = (value or "auto").strip()
    if v.lower() in ("auto", "clinician-first", "none"):
        return RoleSpec(v.lower())
    mapping: dict[str, str] = {}
    for part in v.split(","):
        key, sep, role = part.partition("=")
        key, role = key.strip().upper(), role.strip().lower()
        if not sep or not _SPEAKER_ID.match(key) or role not in ROLES:
            raise ConfigError(
                f"roles: cannot read {part.strip()!r}; give auto, clinician-first, none, or a map like "
                f"S1=clinician,S2=patient (roles: {', '.join(ROLES)})"
            )
        if key in mapping:
            raise ConfigError(f"roles: {key} is given twice")
        mapping[key] = role
    return RoleSpec("map", mapping)
