"""``--speakers channels`` scored four ways on the speaker set's cached per-channel transcripts
(the recognizer's output of ``benchmarks/speakers_bench.py run``, so no recognition here):

- before: the scorer as it was (a word where two speakers' reference turns overlap counts for
  neither) and Whisper's word times;
- scorer: such a word counts for the turn whose voice is audible there (``RefTurn.speech``);
- snap: the old scorer, word times moved onto their channel's speech (``medasr.speakers.snap``);
- scorer+snap: both (what `results/speakers/` now measures).

    python benchmarks/experiments/channels-snap/score.py --set DIR --split dev|test [--out F.json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import medasr.bench.diarization as D
from medasr.audio import load_channels
from medasr.bench.consultations import read_reference
from medasr.schema import Transcript
from medasr.speakers.channels import merge_channels
from medasr.speakers.roles import label_roles
from medasr.speakers.snap import snap_words
from medasr.speakers.spec import RoleSpec
from medasr.speakers.vad import speech_regions

NEW_OWNER = D._owner


def old_owner(mid, refs):
    hits = [i for i, r in enumerate(refs) if r.start <= mid < r.end]
    if not hits or len({refs[i].speaker for i in hits}) > 1:
        return None
    return hits[0] if len(hits) == 1 else min(hits, key=lambda i: refs[i].end - refs[i].start)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", type=Path, required=True)
    ap.add_argument("--split", default="dev")
    ap.add_argument("--model", default="tiny.en-medical")
    ap.add_argument("--out", type=Path)
    a = ap.parse_args()
    rows = [json.loads(x) for x in (a.set / "manifest.jsonl").read_text().splitlines() if x.strip()]
    rows = [r for r in rows if r["split"] == a.split]
    cache = a.set / "asr-cache" / a.model
    tot = {k: {"turns": 0, "turns_right": 0, "turns_with_words": 0, "words": 0, "words_right": 0} for k in ("before", "snap", "scorer", "scorer+snap")}
    files = []
    for r in rows:
        refs = read_reference(a.set / r["reference"])
        chans = [Transcript.from_dict(json.loads((cache / f"{r['id']}.ch{k}.json").read_text())["transcript"]) for k in (1, 2)]
        st = load_channels(a.set / r["stereo"])
        snapped = [snap_words(t, speech_regions(ch)) for t, ch in zip(chans, st)]
        row = {"id": r["id"]}
        for name, ts, owner in (("before", chans, old_owner), ("snap", snapped, old_owner), ("scorer", chans, NEW_OWNER),
                                ("scorer+snap", snapped, NEW_OWNER)):
            D._owner = owner
            s = D.role_scores(refs, label_roles(merge_channels(ts), RoleSpec("auto")))
            row[name] = f"{s['turns_right']}/{s['turns']}"
            for k in tot[name]:
                tot[name][k] += s[k]
        D._owner = NEW_OWNER
        files.append(row)
        print(row, flush=True)
    for name, t in tot.items():
        print(f"{a.split} {name:<12} turns {t['turns_right']}/{t['turns']} = {t['turns_right'] / t['turns']:.2%} "
              f"(with words {t['turns_with_words']}), words {t['words_right']}/{t['words']} = {t['words_right'] / t['words']:.2%}")
    if a.out:
        a.out.write_text(json.dumps({"split": a.split, "set": str(a.set), "model": a.model, "totals": tot, "files": files}, indent=1) + "\n")


if __name__ == "__main__":
    main()
