"""Note templates: which sections a note has, their titles and order, as data (TOML).

Backends write items in a fixed set of clinical ``CATEGORIES``; a template places each
category in one section. ``soap`` (the default) and ``history_physical`` (laid out like AWS
HealthScribe's clinical summary) ship in ``medasr/note/templates/``; ``--template PATH.toml``
loads another. A section may be limited to some ``modes`` (dictation, conversation).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from medasr.errors import ConfigError

# What a statement is about; the prompts and the rules extractor speak in these.
CATEGORIES: dict[str, str] = {
    "complaint": "the presenting complaint, in a few words",
    "hpi": "each symptom: onset, duration, site, character, severity, what makes it better or worse; denied symptoms as 'No X'",
    "ros": "other systems asked about, present or denied",
    "pmh": "the patient's own past illnesses, operations, long-term conditions",
    "medication": "medicines the patient takes now (name, dose, how often)",
    "allergy": "allergies, or no known allergies",
    "family": "illnesses in the patient's relatives",
    "social": "smoking, alcohol, drugs, work, who they live with, travel",
    "exam": "examination findings and vital signs actually measured",
    "investigation": "test results",
    "assessment": "the clinician's diagnosis or impression; hypotheses marked as possible",
    "plan": "what the clinician will do or advised: medicines prescribed, tests, referral, follow-up, safety-netting",
    "instruction": "what the patient should do, said to the patient",
}
BUILTIN = ("soap", "history_physical")
DEFAULT_TEMPLATE = "soap"


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    categories: tuple[str, ...]
    group: str = ""
    modes: tuple[str, ...] = ("dictation", "conversation")


@dataclass(frozen=True)
class Template:
    name: str
    title: str
    sections: tuple[Section, ...]

    def section_for(self, category: str, mode: str) -> str | None:
        """The key of the section that holds ``category`` in ``mode`` (None: not in this note)."""
        for s in self.sections:
            if category in s.categories:
                return s.key if mode in s.modes else None
        return None

    def title_of(self, key: str) -> str:
        return next((s.title for s in self.sections if s.key == key), key.replace("_", " ").capitalize())

    def keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.sections)


def parse_template(text: str, origin: str) -> Template:
    """A template from TOML text; every category must be placed exactly once."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"note template {origin} is not valid TOML: {e}") from None
    name = str(data.get("name") or Path(origin).stem)
    rows = data.get("sections")
    if not isinstance(rows, list) or not rows:
        raise ConfigError(f"note template {origin} has no [[sections]]")
    sections, seen = [], {}
    for i, row in enumerate(rows):
        if not isinstance(row, dict) or not row.get("key") or not isinstance(row.get("categories"), list):
            raise ConfigError(f"note template {origin}: section {i + 1} needs a key and a list of categories")
        unknown = set(row) - {"key", "title", "categories", "group", "modes"}
        if unknown:
            raise ConfigError(f"note template {origin}: section {row['key']!r} has unknown keys {sorted(unknown)}")
        for c in row["categories"]:
            if c not in CATEGORIES:
                raise ConfigError(f"note template {origin}: unknown category {c!r} (known: {', '.join(CATEGORIES)})")
            if c in seen:
                raise ConfigError(f"note template {origin}: category {c!r} is in both {seen[c]!r} and {row['key']!r}")
            seen[c] = row["key"]
        modes = tuple(row.get("modes") or ("dictation", "conversation"))
        if set(modes) - {"dictation", "conversation"}:
            raise ConfigError(f"note template {origin}: section {row['key']!r} modes must be dictation and/or conversation")
        sections.append(Section(str(row["key"]), str(row.get("title") or row["key"]), tuple(row["categories"]), str(row.get("group") or ""), modes))
    missing = [c for c in CATEGORIES if c not in seen]
    if missing:
        raise ConfigError(f"note template {origin} does not place the categories {', '.join(missing)}")
    return Template(name, str(data.get("title") or name), tuple(sections))


@lru_cache(maxsize=16)
def load_template(name_or_path: str | None = None) -> Template:
    """A built-in template by name, or a TOML file by path."""
    name = name_or_path or DEFAULT_TEMPLATE
    if name in BUILTIN:
        text = resources.files("medasr.note").joinpath("templates", f"{name}.toml").read_text(encoding="utf-8")
        return parse_template(text, f"{name}.toml")
    p = Path(name).expanduser()
    if not p.is_file():
        raise ConfigError(f"unknown note template {name!r}: use {' or '.join(BUILTIN)}, or a path to a .toml template")
    try:
        return parse_template(p.read_text(encoding="utf-8"), str(p))
    except UnicodeDecodeError:
        raise ConfigError(f"note template {p} is not UTF-8 text") from None


def layout(note_template: str, section_keys: list[str]) -> list[tuple[str, str]]:
    """(key, title) of a note's sections in reading order: its template's, or the classic SOAP
    headings for notes made before templates (``note_template`` empty)."""
    from medasr.schema import NOTE_SECTIONS, SECTION_TITLES

    if not note_template:
        return [(k, SECTION_TITLES.get(k, k)) for k in NOTE_SECTIONS]
    try:
        t = load_template(note_template)
    except ConfigError:
        return [(k, k.replace("_", " ").capitalize()) for k in section_keys]
    keys = list(t.keys()) + [k for k in section_keys if k not in t.keys()]
    return [(k, t.title_of(k)) for k in keys]


def groups(note_template: str) -> dict[str, str]:
    """Section key -> its group heading ("Subjective", ...) where the template names one."""
    try:
        t = load_template(note_template) if note_template else None
    except ConfigError:
        return {}
    return {s.key: s.group for s in t.sections if s.group} if t else {}
