"""Note structuring: transcript -> grounded clinical ``Note`` (medasr.schema).

``structure(transcript, settings)`` drafts a note with the configured backend (``rules``,
``openai`` or ``transformers``), then the grounding check keeps only items whose evidence
exists in the transcript and supports them. ``render(note, fmt)`` writes md, json or fhir.
Importing this package loads no model, torch or transformers.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any, Protocol

from medasr.config import Settings
from medasr.errors import ConfigError
from medasr.schema import Note, Transcript

log = logging.getLogger("medasr.note")
BACKENDS = ("rules", "openai", "transformers")
NOTE_MODES = ("auto", "dictation", "conversation")  # dictation (one speaker) or doctor-patient conversation

__all__ = ["BACKENDS", "NoteBackend", "get_backend", "render", "structure"]


class NoteBackend(Protocol):
    name: str
    model: str

    def draft(self, transcript: Transcript, *, mode: str) -> Note: ...


def get_backend(name: str | None, settings: Settings, *, linker: Any = None) -> NoteBackend:
    """A backend by name; ``linker`` (a ``medasr.note.linking.Linker``) defaults to the real vocabulary."""
    from medasr.note.linking import load_linker

    name = (name or settings.note_backend or "rules").lower()
    if name not in BACKENDS:
        raise ConfigError(f"unknown note backend {name!r}; choose one of {', '.join(BACKENDS)}")
    linker = linker if linker is not None else load_linker(settings)
    if name == "rules":
        from medasr.note.rules import RulesBackend

        return RulesBackend(linker)
    from medasr.note.llm import LLMBackend

    if name == "openai":
        from medasr.note.openai_backend import OpenAIChat

        # The key: --llm-api-key / MEDASR_LLM_API_KEY (via Settings), else the usual OPENAI_API_KEY.
        key = settings.llm_api_key or os.environ.get("OPENAI_API_KEY")
        return LLMBackend(OpenAIChat(settings.llm_url, settings.llm_model, key, settings.llm_timeout), linker)
    from medasr.note.hf_backend import TransformersChat

    return LLMBackend(TransformersChat(settings), linker)


def structure(
    transcript: Transcript,
    settings: Settings,
    *,
    mode: str = "auto",
    backend: NoteBackend | None = None,
) -> Note:
    """Draft a note and keep only grounded items (see ``medasr.note.grounding``)."""
    from medasr.note.grounding import ground_note
    from medasr.note.text import detect_mode

    if mode not in NOTE_MODES:
        raise ConfigError(f"mode must be one of {', '.join(NOTE_MODES)}, not {mode!r}")
    if not transcript.text.strip():
        from medasr.errors import InputError

        raise InputError("the transcript is empty: nothing to structure")
    mode = detect_mode(transcript) if mode == "auto" else mode
    backend = backend or get_backend(settings.note_backend, settings)
    t0 = time.perf_counter()
    draft = backend.draft(transcript, mode=mode)
    note = ground_note(draft, transcript)
    log.info(
        "note by %s (%s): %d items kept, %d dropped, %.2f s",
        backend.name, mode, note.grounding.get("kept", 0), note.grounding.get("dropped", 0), time.perf_counter() - t0,
    )
    return note


def render(note: Note, fmt: str) -> str:
    """``md`` (Markdown), ``json`` (the Note's dict) or ``fhir`` (an R4 Bundle as JSON)."""
    from medasr.note.writers import render_note

    return render_note(note, fmt)
