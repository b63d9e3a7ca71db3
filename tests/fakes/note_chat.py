"""A scripted chat model: the fake ``medasr.note.llm.ChatClient`` for the note tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ScriptedChat:
    """A ``ChatClient`` that answers the given texts in order (the last one repeats) and
    records what it was asked."""

    replies: list[str]
    name: str = "openai"
    model: str = "scripted"
    asked: list[list[dict[str, str]]] = field(default_factory=list)
    usage: dict[str, float] = field(default_factory=dict)

    def chat(self, messages: list[dict[str, str]], schema: dict[str, Any]) -> str:
        self.asked.append(list(messages))
        text = self.replies[min(len(self.asked) - 1, len(self.replies) - 1)]
        self.usage = {"prompt_tokens": sum(len(m["content"]) for m in messages) // 4, "completion_tokens": len(text) // 4}
        return text
