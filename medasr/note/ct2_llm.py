"""``local`` backend on CTranslate2 (int8): the bundled Qwen2.5-Coder converted once.

Measured here against llama.cpp (``benchmarks/llm_runtime.py``, results in
``benchmarks/results/notes-runtime/``), CTranslate2 read the prompt about five times faster
(1.5B: 96-127 tokens/s against 11-23) and generated at a similar speed, and a consultation's
prompt (2,500-3,400 tokens) is most of the work. It has no grammar for JSON: the answer is
validated and repaired by ``LLMBackend``. The system prompt and the worked example are the
same for every consultation and are cached by the generator (``static_prompt``). Each model
is loaded once per process (``load_generator``).
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from medasr.config import Settings
from medasr.errors import BackendError

log = logging.getLogger("medasr.note")
_GENERATORS: dict[tuple[str, int], tuple[Any, Any]] = {}
_LOCK = threading.Lock()
END_TOKENS = ["<|im_end|>", "<|endoftext|>"]


def load_generator(folder: Path, threads: int) -> tuple[Any, Any]:
    """(generator, tokenizer) for a CTranslate2 folder, loaded once per process."""
    key = (str(folder), threads)
    with _LOCK:
        if key not in _GENERATORS:
            import ctranslate2
            from transformers import AutoTokenizer

            t0 = time.perf_counter()
            gen = ctranslate2.Generator(str(folder), device="cpu", compute_type="int8", intra_threads=threads)
            tok = AutoTokenizer.from_pretrained(str(folder))
            log.info("loaded %s in %.1f s (%d threads)", folder.name, time.perf_counter() - t0, threads)
            _GENERATORS[key] = (gen, tok)
        return _GENERATORS[key]


class CT2Chat:
    name = "local"

    def __init__(self, folder: Path, label: str, *, threads: int = 1, max_tokens: int = 600) -> None:
        self.folder = folder
        self.model = label
        self.threads = threads
        self.max_tokens = max_tokens
        self.usage: dict[str, float] = {}
        self._cached: set[int] = set()  # static prefixes the generator has already read

    @classmethod
    def for_settings(cls, settings: Settings) -> CT2Chat:
        from medasr.store.llm import local_model

        folder, label = local_model(settings, "ct2")
        # one thread: with two, generation fell to 1.5 tokens/s whenever the cores were busy
        return cls(folder, label, threads=settings.llm_threads)

    def _tokens(self, tok: Any, messages: list[dict[str, str]]) -> tuple[list[str], list[str]]:
        """(static prefix, rest) of the prompt's tokens: the prefix is every message before the
        last user turn when it renders as a prefix of the whole (it does for Qwen's template)."""
        def ids(msgs: list[dict[str, str]], gen: bool) -> list[int]:
            out = tok.apply_chat_template(msgs, add_generation_prompt=gen, tokenize=True)
            return list(out["input_ids"] if hasattr(out, "keys") else out)

        full = ids(messages, True)
        head = ids(messages[:-1], False) if len(messages) > 2 else []
        if head and full[: len(head)] == head:
            return tok.convert_ids_to_tokens(head), tok.convert_ids_to_tokens(full[len(head) :])
        return [], tok.convert_ids_to_tokens(full)

    def chat(self, messages: list[dict[str, str]], schema: dict[str, Any]) -> str:
        gen, tok = load_generator(self.folder, self.threads)
        static, rest = self._tokens(tok, messages)
        kw: dict[str, Any] = {"static_prompt": static} if static else {}
        t0 = time.perf_counter()
        first = None
        out: list[int] = []
        try:
            for step in gen.generate_tokens(rest, max_length=self.max_tokens, sampling_topk=1, end_token=END_TOKENS, **kw):
                if first is None:
                    first = time.perf_counter()
                out.append(step.token_id)
        except (RuntimeError, ValueError) as e:
            raise BackendError(f"CTranslate2 could not generate with {self.model}: {e}") from None
        end = time.perf_counter()
        first = first or end
        read = len(rest) + (0 if hash(tuple(static)) in self._cached else len(static))
        self._cached.add(hash(tuple(static)))
        self.usage = {"prompt_tokens": read, "completion_tokens": len(out),
                      "prompt_s": first - t0, "gen_s": end - first}
        return tok.decode(out, skip_special_tokens=True)
