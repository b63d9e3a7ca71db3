"""Several short windows (one per streaming session) decoded in one encoder call and one
``generate`` call, with faster-whisper's safeguards applied to each window on its own.

faster-whisper's ``BatchedInferencePipeline`` batches the chunks of one long file: one
prompt for all, the first temperature only. Streaming windows differ in their prompt (each
session's committed text), and a window that fails the checks must fall back on its own, so
this module drives CTranslate2 directly, as that pipeline does: log-mel per window, padded
to Whisper's 30 s; ``encode`` once for the batch; ``generate`` per group of windows whose
prompts put <|startoftranscript|> at the same position (CTranslate2 requires it); a window
whose text compresses too well (``compression_ratio_threshold``: loops), whose mean log-prob
is too low (``log_prob_threshold``) or that used up its token budget (``max_new_tokens``:
runaway) is decoded again at the next temperature; word times come from cross-attention
alignment (``add_word_timestamps``), all windows in one ``align`` call.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from medasr.asr.base import TranscribeOptions
from medasr.audio import SAMPLE_RATE
from medasr.schema import ModelInfo, Segment, Transcript, Word, word_id

PROMPT_TOKENS = 48  # previous-text tokens kept in a prompt: equal lengths batch together


@dataclass
class _Result:
    tokens: list[int]
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float
    temperature: float
    capped: bool  # the token budget ran out: the decode did not end by itself
    failed: bool = False  # every temperature failed a check


def transcribe_windows(model: Any, info: ModelInfo, audios: list[np.ndarray], options: list[TranscribeOptions]) -> list[Transcript]:
    """Decode each audio window (at most 30 s) with its own options; one Transcript each."""
    import ctranslate2
    from faster_whisper.audio import pad_or_trim
    from faster_whisper.tokenizer import Tokenizer
    from faster_whisper.transcribe import get_suppressed_tokens

    if not audios:
        return []
    t0 = time.perf_counter()
    multilingual = bool(model.model.is_multilingual)
    frames, feats = [], []
    for a in audios:
        f = model.feature_extractor(np.asarray(a, dtype=np.float32))
        n = min(f.shape[-1] - 1, model.feature_extractor.nb_max_frames)
        frames.append(max(1, n))
        feats.append(pad_or_trim(f[:, :n]))
    to_cpu = model.model.device == "cuda"
    enc = model.model.encode(ctranslate2.StorageView.from_array(np.ascontiguousarray(np.stack(feats))), to_cpu=to_cpu)
    enc_np = np.array(enc) if len(audios) > 1 else None

    def subset(idx: list[int]) -> Any:
        if enc_np is None or len(idx) == len(audios):
            return enc
        return ctranslate2.StorageView.from_array(np.ascontiguousarray(enc_np[idx]))

    languages = [o.language or (None if multilingual else "en") for o in options]
    if any(lang is None for lang in languages):
        detected = model.model.detect_language(enc)
        languages = [lang or detected[i][0][0][2:-2] for i, lang in enumerate(languages)]
    tokenizers = {lang: Tokenizer(model.hf_tokenizer, multilingual, task="transcribe", language=lang) for lang in set(languages)}
    prompts = []
    for o, lang in zip(options, languages):
        tk = tokenizers[lang]
        prev = tk.encode(" " + o.initial_prompt.strip())[-PROMPT_TOKENS:] if o.initial_prompt else []
        prompts.append(model.get_prompt(tk, prev, without_timestamps=True, hotwords=o.hotwords))

    results: dict[int, list[_Result]] = {i: [] for i in range(len(audios))}
    pending = list(range(len(audios)))
    for step in range(max(len(o.temperature) for o in options)):
        groups: dict[tuple, list[int]] = {}
        for i in pending:
            temps = options[i].temperature
            t = temps[min(step, len(temps) - 1)]
            key = (prompts[i].index(tokenizers[languages[i]].sot), t, options[i].beam_size, languages[i])
            groups.setdefault(key, []).append(i)
        for (_, temp, beam, lang), idx in groups.items():
            tk = tokenizers[lang]
            caps = [_budget(model, prompts[i], options[i]) for i in idx]
            kw: dict[str, Any] = {"beam_size": beam} if temp == 0 else {"beam_size": 1, "num_hypotheses": 5, "sampling_topk": 0, "sampling_temperature": temp}
            outs = model.model.generate(subset(idx), [prompts[i] for i in idx], max_length=max(len(prompts[i]) + c for i, c in zip(idx, caps)),
                                        return_scores=True, return_no_speech_prob=True, suppress_blank=True,
                                        suppress_tokens=list(get_suppressed_tokens(tk, [-1])), **kw)
            for i, cap, out in zip(idx, caps, outs):
                results[i].append(_score(tk, out, temp, cap))
        still = []
        for i in pending:
            r, o = results[i][-1], options[i]
            if _needs_fallback(r, o) and step + 1 < len(o.temperature):
                still.append(i)
        pending = still
        if not pending:
            break
    final = [_choose(results[i], options[i]) for i in range(len(audios))]

    words = _align(model, tokenizers, languages, final, frames, subset)
    wall = time.perf_counter() - t0
    out = []
    for i, (a, r) in enumerate(zip(audios, final)):
        duration = len(a) / SAMPLE_RATE
        tk = tokenizers[languages[i]]
        text = tk.decode([t for t in r.tokens if t < tk.eot])
        ws = tuple(Word(start=w[0], end=w[1], text=w[2], probability=w[3], id=word_id(0, j)) for j, w in enumerate(words[i]) if w[0] < duration)
        segs = (Segment(id=0, start=ws[0].start, end=ws[-1].end, text="".join(w.text for w in ws) if ws else text, words=ws,
                        avg_logprob=round(r.avg_logprob, 4), no_speech_prob=round(r.no_speech_prob, 4),
                        compression_ratio=round(r.compression_ratio, 4)),) if text.strip() and ws else ()
        decode = {"temperature": r.temperature, "tokens": len(r.tokens), "token_budget_hit": r.capped, "checks_failed": r.failed,
                  "batch": len(audios)}
        out.append(Transcript(segments=segs, language=languages[i], duration=duration, model=info,
                              options={**options[i].to_dict(), "decode": decode}, timings={"asr": round(wall, 4)}))
    return out


def _budget(model: Any, prompt: list[int], o: TranscribeOptions) -> int:
    cap = o.max_new_tokens or model.max_length
    return max(1, min(cap, model.max_length - len(prompt)))


def _score(tk: Any, out: Any, temperature: float, cap: int) -> _Result:
    from faster_whisper.transcribe import get_compression_ratio

    tokens = list(out.sequences_ids[0])
    n = len(tokens)
    avg = out.scores[0] * n / (n + 1)  # faster-whisper's length_penalty=1 recovery of the mean log-prob
    text = tk.decode([t for t in tokens if t < tk.eot]).strip()
    return _Result(tokens=tokens, avg_logprob=float(avg), no_speech_prob=float(out.no_speech_prob),
                   compression_ratio=float(get_compression_ratio(text)) if text else 0.0, temperature=temperature, capped=n >= cap)


def _needs_fallback(r: _Result, o: TranscribeOptions) -> bool:
    """faster-whisper's rule (``generate_with_fallback``), plus: a decode that ran out of
    tokens is a runaway."""
    bad = r.capped
    if o.compression_ratio_threshold is not None and r.compression_ratio > o.compression_ratio_threshold:
        bad = True
    low = o.log_prob_threshold is not None and r.avg_logprob < o.log_prob_threshold
    if low:
        bad = True
    if low and o.no_speech_threshold is not None and r.no_speech_prob > o.no_speech_threshold and not r.capped:
        bad = False  # silence: low log-prob is expected
    return bad


def _choose(rs: list[_Result], o: TranscribeOptions) -> _Result:
    """The last decode when it passed; otherwise the best of all (faster-whisper's choice),
    marked failed, with silence (no_speech) giving no tokens at all."""
    last = rs[-1]
    if not _needs_fallback(last, o):
        best = last
    else:
        cr = o.compression_ratio_threshold
        pool = [r for r in rs if not r.capped and (cr is None or r.compression_ratio <= cr)] or rs
        best = max(pool, key=lambda r: r.avg_logprob)
        best.failed = True
    silent = (o.no_speech_threshold is not None and best.no_speech_prob > o.no_speech_threshold
              and (o.log_prob_threshold is None or best.avg_logprob < o.log_prob_threshold))
    if silent:
        best.tokens = []
    return best


def _align(model: Any, tokenizers: dict, languages: list[str], final: list[_Result], frames: list[int], subset: Any) -> list[list[tuple]]:
    """Word (start, end, text, probability) per window, from one batched ``align`` call
    (per language)."""
    prepend, append = "\"'“¿([{-", "\"'.。,，!！?？:：”)]}、"  # faster-whisper's defaults
    words: list[list[tuple]] = [[] for _ in final]
    for lang in set(languages):
        tk = tokenizers[lang]
        idx = [i for i, r in enumerate(final) if languages[i] == lang and any(t < tk.eot for t in r.tokens)]
        if not idx:
            continue
        segments = [[{"tokens": [t for t in final[i].tokens if t < tk.eot], "start": 0.0, "end": frames[i] / 100.0, "seek": 0}] for i in idx]
        model.add_word_timestamps(segments, tk, subset(idx), [frames[i] for i in idx], prepend, append, 0.0)
        for i, seg in zip(idx, segments):
            words[i] = [(float(w["start"]), float(w["end"]), w["word"], round(float(w["probability"]), 4)) for w in seg[0].get("words", [])]
    return words


def probe_cost(model: Any, batch: int, seconds: float, *, beam_size: int = 1, tokens_per_second: float = 4.5) -> float:
    """Wall seconds to decode ``batch`` windows of ``seconds`` each, as speech would cost:
    the same encoder call, a ``generate`` forced (end-of-text suppressed) to the tokens such
    speech yields, and their alignment. Content-free, so it runs at start-up on silence."""
    import ctranslate2
    from faster_whisper.audio import pad_or_trim
    from faster_whisper.tokenizer import Tokenizer
    from faster_whisper.transcribe import get_suppressed_tokens

    t0 = time.perf_counter()
    audio = np.zeros(int(seconds * SAMPLE_RATE), dtype=np.float32)
    f = model.feature_extractor(audio)
    n = min(f.shape[-1] - 1, model.feature_extractor.nb_max_frames)
    feats = np.stack([pad_or_trim(f[:, :n])] * batch)
    enc = model.model.encode(ctranslate2.StorageView.from_array(np.ascontiguousarray(feats)), to_cpu=model.model.device == "cuda")
    tk = Tokenizer(model.hf_tokenizer, bool(model.model.is_multilingual), task="transcribe", language="en")
    prompt = model.get_prompt(tk, [], without_timestamps=True)
    n_tok = int(tokens_per_second * seconds)
    suppress = list(get_suppressed_tokens(tk, [-1])) + [tk.eot]
    outs = model.model.generate(enc, [prompt] * batch, beam_size=beam_size, max_length=len(prompt) + n_tok, suppress_tokens=suppress)
    text = [[t for t in o.sequences_ids[0] if t < tk.eot] or [tk.encode(" a")[0]] for o in outs]
    model.model.align(enc, tk.sot_sequence, text, [n] * batch)
    return time.perf_counter() - t0
