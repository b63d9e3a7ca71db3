"""Plans as files: write a corpus plan without audio (``plan.jsonl``, manifest rows), and turn
such rows back into utterances to render elsewhere (the lent GPU machine, with many cores and
no vocabulary) or to re-render a corpus. Rendering a plan gives the same manifest as
``medasr synth`` with the same seed would."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from medasr.errors import InputError
from medasr.manifest import write_rows
from medasr.synth.engines.base import Voice, VoiceParams
from medasr.synth.plan import SPLITS, PlannedUtterance
from medasr.synth.text import Sentence, Term

PLAN = "plan.jsonl"


def write_plan(path: Path, utterances: Sequence[PlannedUtterance]) -> None:
    write_rows(path, [u.manifest_row() for u in utterances])


def utterance_from_row(row: Mapping[str, Any], heldout_voices: Iterable[str] = ()) -> PlannedUtterance:
    try:
        steps = list(row["augmentation"])
        prosody = next((s for s in steps if s.get("type") == "prosody"), {"rate": 1.0, "pitch": 1.0})
        params = VoiceParams(float(prosody["rate"]), float(prosody["pitch"]))
        terms = tuple(Term(t["written"], t["kind"], tuple(t["codes"]), int(t["start"]), int(t["end"])) for t in row["terms"])
        vid = f"{row['engine']}:{row['voice']}"
        voice = Voice(row["engine"], row["voice"], heldout=vid in set(heldout_voices), rate=params.rate != 1.0, pitch=params.pitch != 1.0)
        split = row["split"]
        if split not in SPLITS and split != "gate":
            raise ValueError(f"unknown split {split!r}")
        u = PlannedUtterance(row["id"], split, Sentence(row["text"], row["spoken"], "", terms), voice, params, tuple(s for s in steps if s.get("type") != "prosody"))
    except (KeyError, TypeError, ValueError) as e:
        raise InputError(f"plan row {row.get('id', '?') if isinstance(row, Mapping) else '?'}: not a synth plan/manifest row ({e})") from None
    if u.audio != row.get("audio"):
        raise InputError(f"plan row {u.id}: audio path {row.get('audio')!r} is not {u.audio!r}")
    return u
