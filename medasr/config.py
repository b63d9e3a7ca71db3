"""One settings object, resolved once at the edge: CLI flag > MEDASR_* env > config file > default.

The config file is TOML: ``$MEDASR_CONFIG`` if set, else ``$MEDASR_HOME/config.toml``. Keys are
the field names below (``model = "base"``). Unknown keys are rejected.
"""

from __future__ import annotations

import functools
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from medasr.correction.modes import MODES
from medasr.errors import ConfigError

ENV_PREFIX = "MEDASR_"


def default_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "medasr"


@dataclass(frozen=True)
class Settings:
    home: Path = default_home()
    # asr
    # the released medical model (models/) decoded beside stock Whisper, whose reading of ordinary
    # words is kept (medasr.asr.hybrid); stock alone: --model tiny.en; the medical model alone: --model tiny.en-medical
    model: str = "tiny.en-medical+tiny.en"
    device: str = "auto"  # auto | cpu | cuda
    compute_type: str = "auto"  # auto -> float16 on cuda, int8 on cpu
    threads: int = 0  # 0: CTranslate2 decides
    beam_size: int = 5
    language: str | None = None
    vad: bool = True
    word_timestamps: bool = True
    batch_size: int = 0  # 0: sequential; >0: faster-whisper's batched pipeline
    max_audio_seconds: float = 4 * 3600.0
    # correction / vocabulary
    correct: str = "both"  # a mode of medasr.correction.modes: none | lexicon | bart | both (lexicon then BART); no correction: --correct none
    vocab: str | None = None  # path to a built vocabulary artifact; default under home
    corrector_model: str | None = None  # BART corrector (CTranslate2 folder); default: released under models/
    # speakers (medasr.speakers)
    speakers: str = "none"  # none | auto | N | channels
    roles: str = "auto"  # auto | clinician-first | none | S1=clinician,S2=patient
    diarizer: str = "senko"  # senko | pyannote
    pyannote_pipeline: str | None = None  # a local pyannote pipeline folder (diarizer pyannote)
    # note structuring
    note_backend: str = "auto"  # auto (the local model if installed, else rules) | rules | local | openai | transformers
    note_template: str = "soap"  # soap | history_physical | a .toml template path
    llm_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout: float = 60.0
    llm_runtime: str = "llamacpp"  # llamacpp (JSON-schema constrained) | ct2: the local backend's engine (benchmarks/results/notes-runtime)
    llm_threads: int = 1  # generation threads of the local model (2 collapsed on busy cores: benchmarks/results/notes-runtime)
    llm_batch_threads: int = 2  # threads reading the prompt
    llm_style: str = "augment"  # augment | candidates | questions | rewrite: how the model is asked (medasr.note.prompts)
    # serving
    host: str = "127.0.0.1"
    port: int = 8000
    api_key: str | None = None
    max_sessions: int = 0  # live sessions at once; 0: as many as the measured decode capacity allows
    allowed_hosts: str | None = None  # without an API key: Host/Origin names served besides loopback ("*": any)
    log_level: str = "WARNING"

    def __post_init__(self) -> None:
        if self.device not in ("auto", "cpu", "cuda"):
            raise ConfigError(f"device must be auto, cpu or cuda, not {self.device!r}")
        if self.correct not in MODES:
            raise ConfigError(f"correct must be {', '.join(MODES[:-1])} or {MODES[-1]}, not {self.correct!r}")
        if self.beam_size < 1:
            raise ConfigError(f"beam_size must be >= 1, not {self.beam_size}")
        if self.batch_size < 0:
            raise ConfigError(f"batch_size must be >= 0, not {self.batch_size}")
        if self.llm_style not in ("augment", "candidates", "questions", "rewrite"):
            raise ConfigError(f"llm_style must be augment, candidates, questions or rewrite, not {self.llm_style!r}")
        if self.llm_runtime not in ("ct2", "llamacpp"):
            raise ConfigError(f"llm_runtime must be ct2 or llamacpp, not {self.llm_runtime!r}")
        if self.llm_threads < 1 or self.llm_batch_threads < 1:
            raise ConfigError("llm_threads and llm_batch_threads must be at least 1")
        from medasr.speakers.spec import parse_roles, parse_speakers

        parse_speakers(self.speakers)
        parse_roles(self.roles)

    @property
    def models_dir(self) -> Path:
        return Path(self.home) / "models"

    @property
    def cache_dir(self) -> Path:
        return Path(self.home) / "cache"

    def with_overrides(self, **kw: Any) -> Settings:
        return replace(self, **{k: v for k, v in kw.items() if v is not None})

    @classmethod
    def resolve(
        cls,
        overrides: Mapping[str, Any] | None = None,
        env: Mapping[str, str] | None = None,
        config_file: str | Path | None = None,
    ) -> Settings:
        """Resolve settings. ``overrides`` (CLI flags) whose value is None are ignored."""
        env = os.environ if env is None else env
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}

        # MEDASR_HOME decides where the config file is, so read it first.
        home = (overrides or {}).get("home") or env.get(ENV_PREFIX + "HOME") or default_home()
        path = config_file or env.get(ENV_PREFIX + "CONFIG") or Path(home) / "config.toml"
        path = Path(path)
        if path.is_file():
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
                raise ConfigError(f"config file {path} is not valid TOML: {e}") from e
            for k, v in data.items():
                if k not in known:
                    raise ConfigError(f"config file {path}: unknown setting {k!r}")
                values[k] = _coerce(k, known[k].type, v)
        elif config_file:
            raise ConfigError(f"config file {path} does not exist")

        for k in known:
            ev = env.get(ENV_PREFIX + k.upper())
            if ev is not None and ev != "":
                values[k] = _coerce(k, known[k].type, ev)
        for k, v in (overrides or {}).items():
            if k not in known:
                raise ConfigError(f"unknown setting {k!r}")
            if v is not None:
                values[k] = _coerce(k, known[k].type, v)
        return cls(**values)


@functools.lru_cache(maxsize=1)
def _hints() -> dict[str, Any]:
    return typing.get_type_hints(Settings)


def _coerce(name: str, typ: Any, value: Any) -> Any:
    t = _hints().get(name, typ)
    args = typing.get_args(t)
    if typing.get_origin(t) in (typing.Union, types.UnionType):
        if value is None or (isinstance(value, str) and value.lower() in ("none", "null")):
            return None
        t = next(a for a in args if a is not type(None))
    try:
        if t is bool:
            if isinstance(value, bool):
                return value
            s = str(value).strip().lower()
            if s in ("1", "true", "yes", "on"):
                return True
            if s in ("0", "false", "no", "off"):
                return False
            raise ValueError(value)
        if t is Path:
            return Path(str(value)).expanduser()
        if t in (int, float, str):
            return t(value)
    except (TypeError, ValueError):
        raise ConfigError(f"setting {name!r}: cannot use {value!r} as {getattr(t, '__name__', t)}") from None
    return value

