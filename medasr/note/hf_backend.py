"""``transformers`` backend: a local model folder or GGUF file, offline.

Default: the bundled Qwen2.5-Coder-0.5B-Instruct (``medasr.store.llm``), converted once to a
safetensors folder under ``$MEDASR_HOME``. A ``.gguf`` path is loaded with ``gguf_file=``.
Greedy decoding; the model is loaded once per process and reused.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from medasr.config import Settings
from medasr.errors import ModelNotFoundError

log = logging.getLogger("medasr.note")
_LOADED: dict[str, tuple[Any, Any]] = {}


class TransformersChat:
    name = "transformers"

    def __init__(self, settings: Settings, max_new_tokens: int = 768) -> None:
        self.settings = settings
        from medasr.store.llm import resolve_llm

        found = resolve_llm(settings)
        self.path, self.model = found.path, found.name
        self.max_new_tokens = max_new_tokens

    def _load(self) -> tuple[Any, Any]:
        key = str(self.path)
        if key not in _LOADED:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer

            t0 = time.perf_counter()
            if self.settings.threads:
                torch.set_num_threads(self.settings.threads)
            kw: dict[str, Any] = {}
            folder = self.path
            if self.path.suffix == ".gguf":
                from transformers import GgufConfig

                folder, kw = self.path.parent, {"gguf_file": self.path.name}
                model = AutoModelForCausalLM.from_pretrained(str(folder), quantization_config=GgufConfig(dequantize=True), **kw)
            else:
                try:
                    model = AutoModelForCausalLM.from_pretrained(str(folder))
                except OSError as e:
                    raise ModelNotFoundError(f"cannot load LLM {self.model} ({e.__class__.__name__}); offline, use a local folder or .gguf, or the bundled model") from None
            tok = AutoTokenizer.from_pretrained(str(folder), **kw)
            model.eval()
            _LOADED[key] = (tok, model)
            log.info("loaded %s in %.1f s", self.model, time.perf_counter() - t0)
        return _LOADED[key]

    def chat(self, messages: list[dict[str, str]], schema: dict[str, Any]) -> str:
        import torch

        tok, model = self._load()
        ids = tok.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt", return_dict=True)
        t0 = time.perf_counter()
        with torch.inference_mode():
            out = model.generate(
                **ids, max_new_tokens=self.max_new_tokens, do_sample=False, pad_token_id=tok.eos_token_id,
                repetition_penalty=1.05,
            )
        new = out[0, ids["input_ids"].shape[1] :]
        log.info("generated %d tokens in %.1f s", len(new), time.perf_counter() - t0)
        return tok.decode(new, skip_special_tokens=True)
