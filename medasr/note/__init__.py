"""Note structuring: transcript -> grounded clinical ``Note`` (medasr.schema).

``structure(transcript, settings)`` drafts a note with the configured backend (``rules``,
``local`` (llama.cpp in-process), ``openai`` or ``transformers``), checks every statement
against its evidence and keeps only the items whose evidence exists and supports them. ``render(note, fmt)`` writes md, json or fhir.
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
BACKENDS = ("auto", "rules", "local", "openai", "transformers")
NOTE_MODES = ("auto", "dictation", "conversation")  # dictation (one speaker) or doctor-patient conversation

__all__ = ["BACKENDS", "NoteBackend", "get_backend", "render", "structure"]


class NoteBackend(Protocol):
    name: str
    model: str

    def draft(self, transcript: Transcript, *, mode: str) -> Note: ...


def get_backend(name: str | None, settings: Settings, *, linker: Any = None, template: Any = None) -> NoteBackend:
    """A backend by name; ``linker`` (a ``medasr.note.linking.Linker``) defaults to the real
    vocabulary, ``template`` (a ``medasr.note.templates.Template``) to the configured one."""
    from medasr.note.linking import load_linker
    from medasr.note.templates import load_template

    name = (name or settings.note_backend or "auto").lower()
    if name not in BACKENDS:
        raise ConfigError(f"unknown note backend {name!r}; choose one of {', '.join(BACKENDS)}")
    linker = linker if linker is not None else load_linker(settings)
    template = template or load_template(settings.note_template)
    if name == "auto":  # the local model when it is installed, else the rules extractor
        from medasr.errors import ModelNotFoundError
        from medasr.note.rules import RulesBackend

        try:
            return get_backend("local", settings, linker=linker, template=template)
        except ModelNotFoundError as e:
            log.warning("no local note model (%s); using the rules backend", e)
            return RulesBackend(linker, template, notice=f"rules backend: no local model ({e})")
    if name == "rules":
        from medasr.note.rules import RulesBackend

        return RulesBackend(linker, template)
    from medasr.note.llm import LLMBackend

    if name == "openai":
        from medasr.note.openai_backend import OpenAIChat

        # The key: --llm-api-key / MEDASR_LLM_API_KEY (via Settings), else the usual OPENAI_API_KEY.
        key = settings.llm_api_key or os.environ.get("OPENAI_API_KEY")
        client: Any = OpenAIChat(settings.llm_url, settings.llm_model, key, settings.llm_timeout)
    elif name == "local" and settings.llm_runtime == "llamacpp":
        from medasr.note.llamacpp import LlamaCppChat

        client = LlamaCppChat.for_settings(settings)
    elif name == "local":
        from medasr.note.ct2_llm import CT2Chat

        client = CT2Chat.for_settings(settings)
    else:
        from medasr.note.hf_backend import TransformersChat

        client = TransformersChat(settings)
    return LLMBackend(client, linker, template, style=settings.llm_style)


def structure(
    transcript: Transcript,
    settings: Settings,
    *,
    mode: str = "auto",
    backend: NoteBackend | None = None,
) -> Note:
    """Draft a note, check every statement against its evidence (``medasr.note.checks``), link
    medications and problems through the vocabulary (``medasr.note.coded``), and keep only
    grounded items (``medasr.note.grounding``)."""
    from medasr.note.checks import check_note
    from medasr.note.coded import with_coded_lists
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
    template = getattr(backend, "template", None)
    refile = (lambda cat: template.section_for(cat, mode)) if template is not None else None
    checked = check_note(draft, transcript, template_section=refile)
    linker = getattr(backend, "linker", None)
    if linker is not None:
        checked = with_coded_lists(checked, transcript, linker)
    note = ground_note(checked, transcript)
    log.info(
        "note by %s (%s): %d items kept, %d dropped, %.2f s",
        backend.name, mode, note.grounding.get("kept", 0), note.grounding.get("dropped", 0), time.perf_counter() - t0,
    )
    return note


def render(note: Note, fmt: str) -> str:
    """``md`` (Markdown), ``json`` (the Note's dict) or ``fhir`` (an R4 Bundle as JSON)."""
    from medasr.note.writers import render_note

    return render_note(note, fmt)
