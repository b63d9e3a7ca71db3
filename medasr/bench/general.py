"""Real general (non-medical) speech, split once into a dev part for choosing and a test part
for reporting: ``--set general-dev`` and ``--set general-test``.

Sources (none is committed; they are read where they lie):
  ``jfk``       ``<shared>/real-speech/jfk`` (one 11 s clip)
  ``ljspeech``  ``<shared>/real-speech/ljspeech`` (8) and ``ljspeech-more`` (16): one reader
  ``librivox``  Debian ``pocketsphinx-testdata``'s five LibriVox clips (one reader)
  ``cards``     the same package's five "cards" clips ("ten of clubs")
  ``digits``    ``<shared>/real-speech/fsdd``: 300 isolated digits, 6 speakers, 8 kHz

The split is one fixed rule, decided before anything was scored: within each source the
utterances are sorted by id and alternate, the first (index 0, 2, 4, ...) to *test* and the
others to *dev*; the digits alternate by *speaker* (sorted by name), so no digit speaker is in
both parts; JFK, alone in its source, is in test. LJ Speech and LibriVox are one reader each,
so their parts share the voice but no utterance. A source that is not installed is left out
of both parts (the manifest says which sources it holds).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from medasr.errors import InputError
from medasr.manifest import read_rows, write_rows

PARTS = ("dev", "test")
POCKETSPHINX_DATA = Path("/usr/share/pocketsphinx/test/data")
_DIGIT_ID = re.compile(r"fsdd-\d-(?P<speaker>[a-z]+)-\d+")


def _row(uid: str, audio: Path, text: str, group: str) -> dict:
    return {"id": uid, "audio": str(audio), "text": text, "group": group}


def _manifest_rows(path: Path) -> list[dict]:
    return read_rows(path) if path.is_file() else []


def sphinx_rows(folder: Path, transcription: str, group: str, prefix: str = "") -> list[dict]:
    trans = folder / transcription
    if not trans.is_file():
        return []
    rows = []
    for line in trans.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\s*<s>(.*)</s>\s*\((\S+)\)", line)
        if m and (folder / f"{m.group(2)}.wav").is_file():
            rows.append(_row(prefix + m.group(2), folder / f"{m.group(2)}.wav", " ".join(m.group(1).split()), group))
    return rows


def sources(real_speech: Path, sphinx: Path = POCKETSPHINX_DATA) -> dict[str, list[dict]]:
    """Every utterance of every source that is present, by source (group) name."""
    top = _manifest_rows(real_speech / "manifest.jsonl")
    more = _manifest_rows(real_speech / "ljspeech-more" / "manifest.jsonl")
    out = {
        "jfk": [_row(r["id"], real_speech / r["audio"], r["text"], "jfk") for r in top if r["id"] == "jfk"],
        "ljspeech": [_row(r["id"], real_speech / r["audio"], r["text"], "ljspeech") for r in top if r["id"].startswith("LJ")]
        + [_row(r["id"], real_speech / "ljspeech-more" / r["audio"], r["text"], "ljspeech") for r in more],
        "librivox": sphinx_rows(sphinx / "librivox", "transcription", "librivox"),
        "cards": sphinx_rows(sphinx / "cards", "cards.transcription", "cards", prefix="cards-"),
        "digits": [_row(r["id"], real_speech / r["audio"], r["text"], "digits") for r in top if _DIGIT_ID.fullmatch(r["id"])],
    }
    return {k: sorted(v, key=lambda r: r["id"]) for k, v in out.items() if v}


def _alternate(items: list, part: str) -> list:
    return items[0::2] if part == "test" else items[1::2]


def split(rows_by_source: dict[str, list[dict]], part: str) -> Iterator[dict]:
    """The rows of ``part`` ("dev" or "test"), by the rule in the module docstring."""
    if part not in PARTS:
        raise InputError(f"general speech part must be dev or test, not {part!r}")
    for group, rows in rows_by_source.items():
        if group == "digits":
            speakers = sorted({_DIGIT_ID.fullmatch(r["id"]).group("speaker") for r in rows})
            keep = set(_alternate(speakers, part))
            yield from (r for r in rows if _DIGIT_ID.fullmatch(r["id"]).group("speaker") in keep)
        else:
            yield from _alternate(rows, part)


def general_manifest(part: str, real_speech: Path, out_dir: Path, sphinx: Path = POCKETSPHINX_DATA) -> Path:
    """Write ``out_dir/general-<part>.jsonl`` (absolute audio paths) and return it."""
    by_source = sources(real_speech, sphinx)
    if not by_source:
        raise InputError(f"no general speech found: {real_speech} (../shared/data/real-speech) and {sphinx} "
                         "(apt-get install pocketsphinx-testdata) are both missing")
    rows = list(split(by_source, part))
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"general-{part}.jsonl"
    write_rows(out, rows, sort=False)
    return out
