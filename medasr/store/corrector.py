"""The BART corrector in the store: an explicit path > ``settings.corrector_model`` (both
``local``) > the newest released ``corrector-*`` under the models folder (``repo``: the
checkout's ``models/``, or its copy in the wheel) > ``$MEDASR_HOME/models/corrector`` (``user``:
what ``medasr train corrector`` exports there)."""

from __future__ import annotations

from pathlib import Path

from medasr.config import Settings
from medasr.errors import ModelNotFoundError
from medasr.store.manifest import ResolvedModel, models_root

CORRECTOR_FILES = ("model.bin", "tokenizer.json")


def _usable(p: Path) -> bool:
    return all((p / f).is_file() for f in CORRECTOR_FILES)


def resolve_corrector(model_path: str | Path | None = None, settings: Settings | None = None) -> ResolvedModel:
    explicit = model_path or (settings.corrector_model if settings else None)
    if explicit:
        p = Path(explicit).expanduser()
        if not (p / "model.bin").is_file():
            raise ModelNotFoundError(f"corrector model {p} not found (a CTranslate2 folder with model.bin and tokenizer.json)")
        return ResolvedModel(name=p.name, path=p, source="local")
    root = models_root()
    released = sorted((p for p in root.glob("corrector-*") if p.is_dir()), reverse=True) if root.is_dir() else []
    for p in released:
        if _usable(p):
            return ResolvedModel(name=p.name, path=p, source="repo")
    user = settings.models_dir / "corrector" if settings is not None else None
    if user is not None and _usable(user):
        return ResolvedModel(name=user.name, path=user, source="user")
    raise ModelNotFoundError(
        "no BART corrector model: none is released under models/corrector-* and none is at "
        f"{user or 'MEDASR_HOME/models/corrector'}; train one with `medasr train corrector` or use --correct lexicon"
    )
