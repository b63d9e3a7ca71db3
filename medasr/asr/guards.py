"""Checks a streaming hypothesis must pass before any of its words may be committed.

Whisper, decoding a short window, invents: it loops ("go ahead and go ahead and ..."), runs
on past the audio ("Okay, so I'm going to ..."), or fills a silent tail ("Thank you.").
Each rule here is plain code over the words, their times and the speech the VAD heard:

- ``token_budget``: tokens a window may produce, in proportion to its audio;
- ``find_loop``: where an n-gram starts repeating back to back, or a long n-gram recurs;
- ``gate_silence``: words that lie in what the VAD heard as silence are dropped;
- ``check``: the verdict on one hypothesis (too many words per second of speech, a loop, a
  decode that ran out of budget or failed every temperature).

A failed hypothesis is cut before the loop (what precedes it may still be agreed on by the
next hypothesis) or, when nothing of it can be trusted, dropped whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medasr.schema import Transcript, Word

_NORM = re.compile(r"[^\w']+")
TOKENS_PER_SECOND = 7.0  # clinical dictation runs at ~4 Whisper tokens per second of audio
TOKEN_SLACK = 12
MAX_WORDS_PER_SPEECH_SECOND = 5.0  # brisk speech is ~3.5; numbers read out can spike briefly
MIN_SPEECH_SECONDS = 0.3  # a live window with less speech than this is not decoded yet
# a whole clip with less speech than this holds no word Whisper can hear ("Okay." for 0.1 s of
# noise); a spoken digit can be 0.2-0.3 s. Chosen on general-dev's digits (WER of the default
# pipeline: no floor 24.7, 0.2 s 24.0, 0.3 s 36.7; benchmarks/experiments/accuracy-balance/min_speech.py)
MIN_CLIP_SPEECH_SECONDS = 0.2
SILENCE_PAD = 0.15  # a word's middle may lie this far outside the VAD's (already padded) speech span


def norm(text: str) -> str:
    return _NORM.sub("", text.lower())


def token_budget(seconds: float, *, rate: float = TOKENS_PER_SECOND, slack: int = TOKEN_SLACK) -> int:
    """``max_new_tokens`` for a window holding ``seconds`` of audio."""
    return int(rate * max(0.0, seconds)) + slack


def find_loop(words: list[Word] | list[str]) -> int | None:
    """Index of the first word of a repetition loop, or None.

    A loop is an n-gram repeated back to back (a word 4 times, 2-4 words 3 times, 5-8 words
    twice) or an n-gram of 6+ words that recurs anywhere later in the same hypothesis: in a
    window of a few seconds a speaker does not say the same six words twice. The index is
    where the *repeat* starts, so the first occurrence is kept.
    """
    toks = [norm(w.text if isinstance(w, Word) else w) for w in words]
    n_words = len(toks)
    best: int | None = None
    for n in range(1, 9):
        need = 4 if n == 1 else 3 if n <= 4 else 2
        for i in range(0, n_words - n * need + 1):
            gram = toks[i:i + n]
            if not all(gram):
                continue
            if all(toks[i + k * n:i + (k + 1) * n] == gram for k in range(1, need)):
                cut = i + n
                best = cut if best is None else min(best, cut)
                break
    seen: dict[tuple[str, ...], int] = {}
    for i in range(0, n_words - 5):
        gram = tuple(toks[i:i + 6])
        if gram in seen and seen[gram] + 6 <= i:
            best = i if best is None else min(best, i)
            break
        seen.setdefault(gram, i)
    return best


def gate_silence(words: list[Word], speech: list[tuple[float, float]], pad: float = SILENCE_PAD) -> list[Word]:
    """Keep the words that overlap a speech span (times on the same clock as ``speech``)."""
    if not speech:
        return []
    out = []
    for w in words:
        mid = (w.start + w.end) / 2
        if any(s - pad <= mid <= e + pad or (w.start < e and w.end > s) for s, e in speech):
            out.append(w)
    return out


@dataclass(frozen=True)
class Verdict:
    """``words``: what may go on to LocalAgreement (maybe cut short); ``reason``: why it was
    cut or dropped (empty when the hypothesis passed whole)."""

    words: tuple[Word, ...]
    reason: str = ""

    @property
    def ok(self) -> bool:
        return not self.reason


def decode_flags(t: Transcript) -> dict:
    d = t.options.get("decode") if isinstance(t.options, dict) else None
    return d if isinstance(d, dict) else {}


def check(t: Transcript, words: list[Word], speech_seconds: float, *, compression_ratio: float | None = 2.4) -> Verdict:
    """The verdict on one window's hypothesis (``words``: on the stream's clock, already
    gated by the VAD; ``t``: the decode, for its figures)."""
    cut = find_loop(words)
    if decode_flags(t).get("token_budget_hit"):
        return Verdict(tuple(words[:cut]) if cut else (), "runaway decode: the token budget ran out at every temperature")
    ratio = max((s.compression_ratio or 0.0 for s in t.segments), default=0.0)
    if compression_ratio is not None and ratio > compression_ratio:
        return Verdict(tuple(words[:cut]) if cut else (), f"the text compresses {ratio:.1f}x: a loop")
    if cut is not None:
        return Verdict(tuple(words[:cut]), "repetition loop")
    if speech_seconds > 0 and len(words) > MAX_WORDS_PER_SPEECH_SECOND * speech_seconds + 2:
        return Verdict((), f"{len(words)} words in {speech_seconds:.1f} s of speech")
    return Verdict(tuple(words))
