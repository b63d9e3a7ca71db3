"""Fresh real read English for issue 24: the Asterisk telephone prompts, one professional
voice (Allison Smith), 8 kHz, each with its text (``--set prompts-dev`` / ``--set prompts-test``).

Source: Debian ``asterisk-core-sounds-en-wav`` and ``asterisk-core-sounds-en`` (the audio and the texts:
``apt-get install asterisk-core-sounds-en asterisk-core-sounds-en-wav``;
CC BY-SA 3.0, Digium), audio under ``/usr/share/asterisk/sounds/en_US_f_Allison`` and the texts
in ``/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz`` ("name: text" lines).
Kept: the prompts at the top level and in ``dictate/`` and ``followme/`` whose text is plain words
(no "[tone]" descriptions, no "*", "#" or other symbols a reader says in words); the
``digits/`` and ``letters/`` folders are left out (isolated numbers and letter names, which the
``digits`` source of ``general-*`` already covers).

The split, fixed before anything was scored: the kept prompts sorted by name alternate, the
first (index 0, 2, ...) to *test* and the others to *dev*. Missing package: an error that says
how to install it.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

from medasr.errors import InputError
from medasr.manifest import write_rows

SOUNDS = Path("/usr/share/asterisk/sounds/en_US_f_Allison")
INDEX = Path("/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz")
FOLDERS = ("", "dictate/", "followme/")
_LINE = re.compile(r"^(?P<name>[\w./-]+):\s*(?P<text>.+?)\s*$")
_PLAIN = re.compile(r"^[A-Za-z][A-Za-z ,.'?!-]*$")


def prompt_rows(sounds: Path = SOUNDS, index: Path = INDEX) -> list[dict]:
    """Every kept prompt (id, audio, text, group "prompts"), sorted by id."""
    if not index.is_file() or not sounds.is_dir():
        raise InputError(f"the Asterisk prompts are not installed ({index} or {sounds} missing): "
                         "apt-get install asterisk-core-sounds-en asterisk-core-sounds-en-wav (the texts and the audio)")
    rows = []
    with gzip.open(index, "rt", encoding="utf-8", errors="replace") as f:
        for line in f:
            m = _LINE.match(line)
            if not m or line.startswith(";"):
                continue
            name, text = m.group("name"), " ".join(m.group("text").replace("...", " ").split())
            folder = name.rsplit("/", 1)[0] + "/" if "/" in name else ""
            audio = sounds / f"{name}.wav"
            if folder not in FOLDERS or not _PLAIN.match(text) or not audio.is_file():
                continue
            rows.append({"id": f"prompt-{name.replace('/', '-')}", "audio": str(audio), "text": text, "group": "prompts"})
    return sorted(rows, key=lambda r: r["id"])


def prompts_manifest(part: str, out_dir: Path, sounds: Path = SOUNDS, index: Path = INDEX) -> Path:
    """Write ``out_dir/prompts-<part>.jsonl`` and return it."""
    if part not in ("dev", "test"):
        raise InputError(f"prompts part must be dev or test, not {part!r}")
    rows = prompt_rows(sounds, index)
    keep = rows[0::2] if part == "test" else rows[1::2]
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"prompts-{part}.jsonl"
    write_rows(out, keep, sort=False)
    return out
