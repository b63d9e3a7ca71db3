"""``openai`` backend: any OpenAI-compatible chat endpoint (vLLM, Ollama, llama.cpp, TGI).

POST ``<url>/chat/completions`` with a JSON-schema ``response_format``; servers that reject
it get one retry with ``{"type": "json_object"}``. Failures become ``BackendError`` with the
endpoint, the status and what to do.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from medasr.errors import BackendError, ConfigError

log = logging.getLogger("medasr.note")


def chat_url(base: str) -> str:
    b = base.rstrip("/")
    if b.endswith("/chat/completions"):
        return b
    if b.endswith("/v1"):
        return b + "/chat/completions"
    return b + "/v1/chat/completions"


class OpenAIChat:
    name = "openai"

    def __init__(self, url: str | None, model: str | None, api_key: str | None = None, timeout: float = 60.0,
                 max_tokens: int = 2048) -> None:
        if not url:
            raise ConfigError("the openai note backend needs --llm-url (e.g. http://127.0.0.1:8000/v1)")
        self.url = chat_url(url)
        self.model = model or "default"
        self.api_key = api_key
        self.timeout = timeout
        self.max_tokens = max_tokens
        self._json_schema = True
        self.usage: dict[str, float] = {}

    def _post(self, body: dict[str, Any]) -> Any:
        import httpx

        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        try:
            r = httpx.post(self.url, json=body, headers=headers, timeout=self.timeout)
        except httpx.TimeoutException:
            raise BackendError(f"LLM endpoint {self.url} did not answer within {self.timeout:g} s (raise --llm-timeout)") from None
        except httpx.HTTPError as e:
            raise BackendError(f"cannot reach LLM endpoint {self.url}: {e.__class__.__name__}: {e}") from None
        return r

    def chat(self, messages: list[dict[str, str]], schema: dict[str, Any]) -> str:
        body: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": 0, "max_tokens": self.max_tokens}
        if self._json_schema:
            body["response_format"] = {"type": "json_schema", "json_schema": {"name": "clinical_note", "schema": schema}}
        else:
            body["response_format"] = {"type": "json_object"}
        r = self._post(body)
        if r.status_code == 400 and self._json_schema and "response_format" in r.text:
            log.info("endpoint rejects json_schema response_format; retrying with json_object")
            self._json_schema = False
            return self.chat(messages, schema)
        if r.status_code in (401, 403):
            raise BackendError(f"LLM endpoint {self.url} refused the request (HTTP {r.status_code}); set MEDASR_LLM_API_KEY or OPENAI_API_KEY")
        if r.status_code >= 400:
            raise BackendError(f"LLM endpoint {self.url} answered HTTP {r.status_code}: {r.text[:200]}")
        try:
            data = r.json()
            content = data["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as e:
            raise BackendError(f"LLM endpoint {self.url} sent a response that is not an OpenAI chat completion: {r.text[:200]}") from e
        if not isinstance(content, str):
            content = json.dumps(content) if content is not None else ""
        u = data.get("usage") or {}
        t = data.get("timings") or {}  # llama.cpp's server adds its own timings
        self.usage = {"prompt_tokens": u.get("prompt_tokens", 0), "completion_tokens": u.get("completion_tokens", 0)}
        if t:
            self.usage.update(prompt_s=t.get("prompt_ms", 0.0) / 1000, gen_s=t.get("predicted_ms", 0.0) / 1000)
        return content
