"""``local`` backend: llama.cpp in this process (the ``xllamacpp`` wheel), offline.

The model is a GGUF file: a bundled Qwen2.5-Coder (``llm_store``; ``--llm-model 0.5b`` (the default) or
``1.5b``) or any local ``.gguf``. The answer is constrained to the note's JSON schema by
llama.cpp's grammar. Each model is loaded once per process and shared by every caller (CLI
batch, server, UI, bench): ``load_server`` keeps one server per (path, context, threads).
The server also listens on 127.0.0.1 with llama.cpp's OpenAI-compatible HTTP API
(``LlamaCppChat.url``), which the ``openai`` backend can be pointed at.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medasr.config import Settings
from medasr.errors import BackendError, ConfigError, ModelNotFoundError
from medasr.note.prompts import COMPACT

log = logging.getLogger("medasr.note")
MAX_TOKENS = 900


@dataclass(frozen=True)
class ServerKey:
    path: str
    n_ctx: int
    threads: int
    batch_threads: int


_SERVERS: dict[ServerKey, Any] = {}
_LOCK = threading.Lock()


def load_server(key: ServerKey) -> Any:
    """The llama.cpp server for ``key``, started once per process."""
    with _LOCK:
        if key in _SERVERS:
            return _SERVERS[key]
        try:
            import xllamacpp as xlc
        except ImportError:
            raise ModelNotFoundError("the local note backend needs xllamacpp (pip install 'medasr[llm]')") from None
        p = xlc.CommonParams()
        p.model.path = key.path
        p.n_ctx = key.n_ctx
        p.cpuparams.n_threads = key.threads
        p.cpuparams_batch.n_threads = key.batch_threads
        p.warmup = False
        p.verbosity = 3 if log.isEnabledFor(logging.DEBUG) else 0  # llama.cpp's own log: only with --log-level DEBUG
        p.n_parallel = 1
        t0 = time.perf_counter()
        try:
            server = xlc.Server(p)
        except Exception as e:  # noqa: BLE001 - the wheel raises plain RuntimeError/ValueError
            raise BackendError(f"llama.cpp could not load {key.path}: {e}") from None
        log.info("loaded %s in %.1f s (%d threads, %d prompt threads)", Path(key.path).name, time.perf_counter() - t0, key.threads, key.batch_threads)
        _SERVERS[key] = server
        return server


class LlamaCppChat:
    name = "local"

    def __init__(self, gguf: Path, label: str, *, n_ctx: int = 8192, threads: int = 1, batch_threads: int = 2,
                 max_tokens: int = MAX_TOKENS) -> None:
        if threads < 1 or batch_threads < 1:
            raise ConfigError("llm threads must be at least 1")
        self.key = ServerKey(str(gguf), n_ctx, threads, batch_threads)
        self.model = label
        self.max_tokens = max_tokens
        self.usage: dict[str, float] = {}

    @classmethod
    def for_settings(cls, settings: Settings) -> LlamaCppChat:
        from medasr.store.llm import local_model

        path, label = local_model(settings, "gguf")
        return cls(path, label, threads=settings.llm_threads, batch_threads=settings.llm_batch_threads)

    @property
    def url(self) -> str:
        """llama.cpp's OpenAI-compatible endpoint for this model (loads it if needed)."""
        return str(load_server(self.key).listening_address) + "/v1"

    def chat(self, messages: list[dict[str, str]], schema: dict[str, Any]) -> str:
        server = load_server(self.key)
        # llama.cpp's llguidance grammar for the schema, with compact whitespace (half the tokens)
        grammar = "%llguidance {}\nstart: %json " + json.dumps({"x-guidance": COMPACT, **schema})
        req = {"messages": messages, "max_tokens": self.max_tokens, "temperature": 0, "cache_prompt": True, "grammar": grammar}
        try:
            r = server.handle_chat_completions(req)
        except (ValueError, RuntimeError) as e:
            raise BackendError(f"llama.cpp rejected the request: {e}") from None
        if not isinstance(r, dict) or "choices" not in r:
            raise BackendError(f"llama.cpp answered without choices: {str(r)[:200]}")
        t = r.get("timings") or {}
        self.usage = {
            "prompt_tokens": t.get("prompt_n", 0), "completion_tokens": t.get("predicted_n", 0),
            "prompt_s": t.get("prompt_ms", 0.0) / 1000, "gen_s": t.get("predicted_ms", 0.0) / 1000,
        }
        return r["choices"][0]["message"].get("content") or ""
