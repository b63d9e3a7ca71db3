"""A transcript that arrives as JSON (``POST /v1/notes``) is checked field by field before it
becomes a ``Transcript``: a client's mistake is a 400 that names the field, never a 500 from
deep inside the note structurer."""

from __future__ import annotations

from typing import Any

from medasr.errors import InputError
from medasr.schema import Transcript

_NUM = (int, float)


def _need(ok: bool, where: str, what: str) -> None:
    if not ok:
        raise InputError(f"transcript.{where} must be {what}")


def _number(v: Any) -> bool:
    return isinstance(v, _NUM) and not isinstance(v, bool) and v == v and abs(v) != float("inf")


def transcript_from_json(d: Any) -> Transcript:
    """``d`` (medasr transcript JSON) -> Transcript, or InputError naming the bad field."""
    _need(isinstance(d, dict), "", "an object")
    segs = d.get("segments")
    _need(isinstance(segs, list), "segments", "a list")
    for i, s in enumerate(segs):
        at = f"segments[{i}]"
        _need(isinstance(s, dict), at, "an object")
        _need(isinstance(s.get("id"), int) and not isinstance(s.get("id"), bool), at + ".id", "an integer")
        _need(isinstance(s.get("text"), str), at + ".text", "a string")
        for key in ("start", "end"):
            _need(_number(s.get(key)), f"{at}.{key}", "a number (seconds)")
        for key in ("avg_logprob", "no_speech_prob", "compression_ratio"):
            _need(s.get(key) is None or _number(s[key]), f"{at}.{key}", "a number or null")
        _need(s.get("speaker") is None or isinstance(s["speaker"], str), at + ".speaker", "a string or null")
        words = s.get("words", [])
        _need(isinstance(words, list), at + ".words", "a list")
        for j, w in enumerate(words):
            wat = f"{at}.words[{j}]"
            _need(isinstance(w, dict), wat, "an object")
            _need(isinstance(w.get("text"), str), wat + ".text", "a string")
            for key in ("start", "end", "probability"):
                _need(_number(w.get(key)), f"{wat}.{key}", "a number")
            _need(isinstance(w.get("id", ""), str), wat + ".id", "a string")
    _need(d.get("language") is None or isinstance(d["language"], str), "language", "a string or null")
    _need(d.get("duration") is None or _number(d["duration"]), "duration", "a number")
    for key in ("options", "timings"):
        _need(d.get(key) is None or isinstance(d[key], dict), key, "an object")
    _need(d.get("model") is None or isinstance(d["model"], dict), "model", "an object or null")
    edits = d.get("edits", [])
    _need(isinstance(edits, list) and all(isinstance(e, dict) for e in edits), "edits", "a list of objects")
    try:
        return Transcript.from_dict(d)
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise InputError(f"transcript is not a medasr transcript: {e}") from None
