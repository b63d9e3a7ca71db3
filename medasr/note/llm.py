"""Model-drafted notes: the same prompt, schema and checks for every chat model.

A ``ChatClient`` turns messages into text (``local``: llama.cpp in-process; ``openai``: any
OpenAI-compatible endpoint; ``transformers``). ``LLMBackend`` compacts the transcript,
gives the model the rules extractor's facts as candidates (``prompts``), splits long
consultations into pieces that fit (map-reduce: each piece drafted on its own, the facts
merged), validates the JSON (a bounded repair loop for runtimes without constrained output)
and turns each statement's cited lines into evidence spans over the words that support it.
What the model writes is then checked like any other draft (``medasr.note.structure``).
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any, Protocol

from rapidfuzz import fuzz

from medasr.errors import BackendError
from medasr.note.compact import chunks, compact
from medasr.note.dialogue import polarity, segment_role
from medasr.note.facts import Fact, to_note, union
from medasr.note.lexicon import number_value, synonym_map
from medasr.note.linking import STOP, Linker
from medasr.note.llm_json import extract_json, lenient_items, salvage_json, validate
from medasr.note.prompts import NOTE_SCHEMA, QUESTIONS, STYLES, messages, question_chat, question_schema, repair_message
from medasr.note.rules import extract_facts
from medasr.note.templates import Template, load_template
from medasr.note.text import make_evidence, tokens
from medasr.schema import Evidence, Note, Transcript

log = logging.getLogger("medasr.note")
PIECE_TOKENS = 2600  # transcript tokens per piece: fits a 4,096-token context with the prompt and answer
_WORD = re.compile(r"[A-Za-z0-9']+")
_UNITS = frozenset("mg g ml mcg".split())
_FUNCTION = frozenset("the and for with from that this have has had was were are been not any some".split())


class ChatClient(Protocol):
    name: str
    model: str
    usage: dict[str, float]  # the last call's prompt_tokens, completion_tokens, prompt_s, gen_s

    def chat(self, messages: list[dict[str, str]], schema: dict[str, Any]) -> str: ...


_CITED = re.compile(r"\s*[\[(](?:lines?\s*)?\d+(?:\s*,\s*\d+)*[\])]\s*$", re.I)


def clean_statement(text: str) -> str:
    """The statement without line numbers a model copied into it ("Fever [20,21]")."""
    return _CITED.sub("", " ".join(text.split())).strip(" ,;")


def _supports(word: str, want: set[str]) -> bool:
    if word in want or number_value(word) in want:
        return True
    return len(word) > 3 and word not in STOP and any(len(w) > 3 and fuzz.ratio(word, w) >= 85 for w in want)


def cite(text: str, seg_ids: list[int], transcript: Transcript, mode: str) -> tuple[Evidence, ...]:
    """Evidence for a statement from the lines it cites: in each cited segment, the span from the
    first to the last word that supports the statement; a short yes/no answer after a cited
    question is kept whole (it carries the polarity). Unknown line numbers are ignored."""
    want = {number_value(t) for t in tokens(text) if (len(t) > 2 and t not in _FUNCTION) or t.isdigit() or t in _UNITS}
    syn = synonym_map()
    want |= {s for w in list(want) for s in syn.get(w, ())}
    out: list[Evidence] = []
    known = {s.id: s for s in transcript.segments}
    prev_question = False
    for sid in dict.fromkeys(seg_ids):
        seg = known.get(sid)
        if seg is None:
            continue
        role = segment_role(seg, mode)
        hits = [m for m in _WORD.finditer(seg.text) if _supports(m.group(0).lower(), want)]
        if hits:
            ev = make_evidence(transcript, sid, hits[0].start(), hits[-1].end())
        elif prev_question and polarity(seg.text) is not None and len(seg.text.split()) <= 8:
            ev = make_evidence(transcript, sid, 0, len(seg.text))
        else:
            prev_question = False
            continue
        out.append(Evidence(ev.segment_id, ev.char_start, ev.char_end, ev.text, ev.word_ids, role))
        prev_question = seg.text.rstrip().endswith("?")
    return tuple(out)


def _allowed(schema: dict[str, Any]) -> list[str]:
    return schema["properties"]["items"]["items"]["properties"]["section"]["enum"]


class LLMBackend:
    """Drafts a note with any ``ChatClient``. ``style``: ``rewrite`` (the model writes the note
    from the candidates) or ``augment`` (the candidates stay; the model adds what they miss)."""

    def __init__(self, client: ChatClient, linker: Linker, template: Template | None = None, *, style: str = "augment",
                 max_repairs: int = 2, piece_tokens: int = PIECE_TOKENS, candidates: bool = True) -> None:
        if style not in STYLES:
            raise ValueError(f"style must be one of {STYLES}")
        self.client = client
        self.linker = linker
        self.template = template or load_template()
        self.style = style
        self.max_repairs = max_repairs
        self.piece_tokens = piece_tokens
        self.candidates = candidates
        self.name = client.name
        self.model = client.model
        self.last_usage: dict[str, float] = {}

    def ask(self, chat: list[dict[str, str]], schema: dict[str, Any] = NOTE_SCHEMA) -> tuple[list[dict[str, Any]], list[str], str]:
        """The model's items for one request, its warnings and its raw answer; bounded repair
        when the answer is not valid."""
        warnings: list[str] = []
        base = list(chat)
        for attempt in range(self.max_repairs + 1):
            answer = self.client.chat(chat, schema)
            self._add_usage(getattr(self.client, "usage", {}) or {})
            log.debug("LLM answer (attempt %d): %s", attempt + 1, answer)
            try:
                obj = extract_json(answer)
                errs = validate(obj)
            except ValueError as e:  # json.JSONDecodeError is a ValueError
                obj, errs = None, [f"invalid JSON: {e}"]
                try:  # a truncated answer: keep its complete items rather than ask again
                    obj = salvage_json(answer)
                    if not validate(obj):
                        warnings.append(f"attempt {attempt + 1}: answer cut off; kept its complete items")
                        return list(obj["items"]), warnings, answer
                except ValueError:
                    pass
                items, broken = lenient_items(answer)
                if items:  # broken JSON around good items: keep those, say how many were not
                    warnings.append(f"attempt {attempt + 1}: answer was not valid JSON; kept {len(items)} items that were, skipped {broken}")
                    return [it for it in items if it.get("section") in _allowed(schema)], warnings, answer
            if not errs:
                return [it for it in obj["items"] if it.get("section") in _allowed(schema)], warnings, answer
            warnings.append(f"attempt {attempt + 1}: {errs[0]}")
            log.info("LLM answer rejected (attempt %d): %s", attempt + 1, errs[0])
            chat = base + [{"role": "assistant", "content": answer[:4000]}, repair_message(errs)]
        raise BackendError(
            f"{self.name} backend ({self.model}) returned no valid note JSON after {self.max_repairs + 1} attempts: {warnings[-1]}"
        )

    def _add_usage(self, u: dict[str, float]) -> None:
        for k, v in u.items():
            self.last_usage[k] = self.last_usage.get(k, 0) + v
        self.last_usage["calls"] = self.last_usage.get("calls", 0) + 1

    def draft(self, transcript: Transcript, *, mode: str) -> Note:
        self.last_usage = {}
        t0 = time.perf_counter()
        lines = compact(transcript, mode)
        rules = extract_facts(transcript, self.linker, mode) if self.candidates else []
        pieces = chunks(lines, self.piece_tokens)
        proposed: list[Fact] = []
        warnings: list[str] = []
        bad_lines = 0
        for n, piece in enumerate(pieces, start=1):
            ids = {ln.segment_id for ln in piece}
            mine = [f for f in rules if f.category != "instruction" and {e.segment_id for e in f.evidence} & ids]
            items: list[dict[str, Any]] = []
            if self.style == "questions":
                chat = question_chat(piece, mode, part=(n, len(pieces)))
                for sections, question in QUESTIONS:
                    chat.append({"role": "user", "content": question})
                    got, w, answer = self.ask(chat, question_schema(sections))
                    chat.append({"role": "assistant", "content": answer})
                    items += got
                    warnings += w
            else:
                got, w, _ = self.ask(messages(piece, mine, mode, self.style, part=(n, len(pieces))))
                items += got
                warnings += w
            for it in items:
                cited = [i for i in it["lines"] if i in ids]
                bad_lines += len(it["lines"]) - len(cited)
                ev = cite(str(it["text"]), cited, transcript, mode)
                proposed.append(Fact(it["section"], clean_statement(str(it["text"])), ev, source="model"))
        if bad_lines:
            warnings.append(f"{bad_lines} cited line numbers were not lines of the transcript piece")
        facts = union(proposed, [f for f in rules if f.category != "instruction"])
        facts += [Fact("instruction", f.attrs["instruction"], f.evidence, key=f"instruction:{f.key}") for f in rules if f.category == "plan" and f.attrs.get("instruction")]
        self.last_usage["seconds"] = time.perf_counter() - t0
        self.last_usage["pieces"] = len(pieces)
        return to_note(facts, self.template, mode, backend=self.name, model=self.model, source=transcript.audio, warnings=tuple(warnings))
