"""Reading a model's answer: the first JSON object in it, a cut-off answer's complete items,
and validation against ``medasr.note.prompts.NOTE_SCHEMA`` with errors a model can act on."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from medasr.note.prompts import ITEM_SCHEMA, MAX_ITEMS


def extract_json(text: str) -> Any:
    """Parse the first JSON object in ``text`` (tolerates ``` fences and chatter around it)."""
    t = text.strip()
    fence = re.search(r"```(?:json)?\s*(.*?)```", t, re.S)
    if fence:
        t = fence.group(1).strip()
    start = t.find("{")
    if start < 0:
        raise ValueError("no JSON object in the answer")
    obj, _ = json.JSONDecoder().raw_decode(t[start:])
    return obj


def _outside_strings(text: str, start: int = 0) -> Iterator[tuple[int, str]]:
    """(index, character) of every character of ``text`` from ``start`` that is outside a JSON
    string (escapes honoured); the quotes themselves are left out."""
    in_str = esc = False
    for i in range(start, len(text)):
        ch = text[i]
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        else:
            yield i, ch


def salvage_json(text: str) -> Any:
    """A cut-off answer (the token limit hit mid-object): keep every complete array element
    and close the brackets. Raises ValueError when nothing complete is left."""
    start = text.find("{")
    if start < 0:
        raise ValueError("no JSON object in the answer")
    stack: list[str] = []
    cut: tuple[int, list[str]] | None = None
    for i, ch in _outside_strings(text, start):
        if ch in "{[":
            stack.append("}" if ch == "{" else "]")
        elif ch in "}]":
            if not stack:
                break
            stack.pop()
            if stack:
                cut = (i + 1, list(stack))  # just closed a complete value: a valid place to stop
    if cut is None:
        raise ValueError("the answer was cut off before any complete item")
    end, open_ = cut
    return json.loads(text[start:end] + "".join(reversed(open_)))


def objects(text: str) -> list[str]:
    """Every balanced ``{...}`` of ``text`` that holds no other object (string-aware): the
    items of a note answer, even when what is around them is broken."""
    out: list[str] = []
    starts: list[int] = []
    inner: list[bool] = []
    for i, ch in _outside_strings(text):
        if ch == "{":
            if inner:
                inner[-1] = True
            starts.append(i)
            inner.append(False)
        elif ch == "}" and starts:
            a, has_inner = starts.pop(), inner.pop()
            if not has_inner:
                out.append(text[a : i + 1])
    return out


# one item as the prompt asks for it; the text may hold a stray quote that breaks JSON
_ITEM = re.compile(r'\{\s*"section"\s*:\s*"(\w+)"\s*,\s*"text"\s*:\s*"(.*?)"\s*,\s*"lines"\s*:\s*\[([\d,\s]*)\]\s*\}', re.S)


def pattern_items(text: str) -> list[dict[str, Any]]:
    """Items in the prompt's own shape, found one by one (a stray ``"`` in one text breaks the
    JSON of everything after it, not these)."""
    out = []
    for m in _ITEM.finditer(text):
        lines = [int(n) for n in re.findall(r"\d+", m.group(3))]
        it = {"section": m.group(1), "text": m.group(2).replace('\\"', '"'), "lines": lines}
        if not validate({"items": [it]}):
            out.append(it)
    return out


def lenient_items(text: str) -> tuple[list[dict[str, Any]], int]:
    """(the items that parse on their own, how many did not), for answers that are not valid
    JSON as a whole (a runtime without a grammar; a small model's slip)."""
    good: list[dict[str, Any]] = []
    bad = 0
    by_pattern = pattern_items(text)
    if by_pattern:
        return by_pattern, max(0, text.count('"section"') - len(by_pattern))
    for chunk in objects(text):
        try:
            it = json.loads(chunk)
        except ValueError:
            bad += 1
            continue
        if isinstance(it, dict) and not validate({"items": [it]}):
            good.append(it)
        else:
            bad += 1
    return good, bad


def validate(obj: Any) -> list[str]:
    """Errors against the note schema (empty when valid). Unknown keys are tolerated."""
    if not isinstance(obj, dict):
        return ["the answer must be a JSON object"]
    items = obj.get("items")
    if not isinstance(items, list):
        return ['the object needs "items": a list']
    errs: list[str] = []
    sections = ITEM_SCHEMA["properties"]["section"]["enum"]
    for i, it in enumerate(items[:MAX_ITEMS]):
        if not isinstance(it, dict):
            errs.append(f"items[{i}] must be an object")
            continue
        if it.get("section") not in sections:
            errs.append(f"items[{i}].section must be one of {', '.join(sections)}")
        if not isinstance(it.get("text"), str) or not it["text"].strip():
            errs.append(f"items[{i}].text must be a non-empty string")
        lines = it.get("lines")
        if not isinstance(lines, list) or not lines or not all(isinstance(n, int) and not isinstance(n, bool) for n in lines):
            errs.append(f"items[{i}].lines must be a non-empty list of line numbers")
    return errs
