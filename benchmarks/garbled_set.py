"""Build the garbled medical-term set: drug, brand and diagnosis names put into short clinical
sentences, spoken by espeak-ng and flite, transcribed by the bundled tiny.en (int8, CPU).

Nothing here is typed by hand except the sentence templates: the terms are sampled (seeded) from
the built vocabulary and the garbled spans are whatever Whisper heard. Each JSONL record holds the
reference sentence (written and spoken), the term and its word range, the hypothesis transcript
(with words and probabilities) and the hypothesis span aligned to the term.

    python benchmarks/garbled_set.py [--out benchmarks/results/vocab_garbled_set.jsonl] [--bias]

With ``--bias`` every clip is also transcribed with hotwords from ``medasr.vocab.biasing`` for
two contexts (a 20-term list that contains the term, and the term's specialty list) so that
``benchmarks/biasing_eval.py`` can report the effect on medical-term WER.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import os
import random
import sys
import time
from pathlib import Path

from tqdm import tqdm

from medasr.asr.base import TranscribeOptions
from medasr.asr.loader import load_transcriber
from medasr.audio import load_audio
from medasr.config import Settings
from medasr.vocab import load_vocabulary
from medasr.vocab.biasing import bias_for
from medasr.vocab.keys import norm
from medasr.vocab.normalize import to_spoken
from medasr.vocab.sources import COMMON_DIAGNOSES

VOICES = [("espeak-ng", "en-us"), ("flite", "rms"), ("flite", "slt"), ("espeak-ng", "en-gb")]
DRUG_TEMPLATES = [("The patient takes", "{dose} {freq}."), ("She was started on", "{dose} {freq}."), ("Continue", "{dose} {freq}.")]
DOSES = ["5 mg", "10 mg", "20 mg", "250 mg", "500 mg"]
FREQS = ["daily", "b.i.d.", "at bedtime", "PRN"]
DX_TEMPLATES = [("The patient has a history of", "."), ("Assessment is", "."), ("He was diagnosed with", "today.")]


def pick_terms(vocab, n_drugs: int, n_brands: int, n_dx: int, seed: int) -> list[dict]:
    rng = random.Random(seed)

    def ok_name(e) -> bool:
        w = e.written
        return w.replace("-", "").isalpha() and 6 <= len(w) <= 14 and any(c.startswith("medlineplus:") for c in e.codes)

    drugs = sorted((e for e in vocab.entries("drug") if ok_name(e)), key=lambda e: e.id)
    brands = sorted((e for e in vocab.entries("brand") if ok_name(e)), key=lambda e: e.id)
    out = [{"term": e.written.lower(), "kind": "drug", "entry_id": e.id} for e in rng.sample(drugs, n_drugs)]
    out += [{"term": e.written, "kind": "brand", "entry_id": e.id} for e in rng.sample(brands, n_brands)]
    dx_names = sorted(n for n in COMMON_DIAGNOSES if n.isalpha() or " " in n and n.replace(" ", "").isalpha())
    icd = sorted(
        (e for e in vocab.entries("diagnosis") if 1 <= len(e.written.split()) <= 3 and e.written.replace(" ", "").isalpha()),
        key=lambda e: e.id,
    )
    picked = rng.sample(dx_names, min(len(dx_names), n_dx // 2))
    out += [{"term": n, "kind": "diagnosis", "entry_id": vocab.lookup(n)[0].id} for n in picked]
    out += [{"term": e.written.lower(), "kind": "diagnosis", "entry_id": e.id} for e in rng.sample(icd, n_dx - len(picked))]
    for i, t in enumerate(out):
        if t["kind"] == "diagnosis":
            pre, post = DX_TEMPLATES[i % len(DX_TEMPLATES)]
        else:
            pre, post = DRUG_TEMPLATES[i % len(DRUG_TEMPLATES)]
            post = post.format(dose=rng.choice(DOSES), freq=rng.choice(FREQS))
        t["prefix"], t["suffix"] = pre, post
        t["written"] = f"{pre} {t['term']} {post}".replace(" .", ".")
        t["spoken"] = f"{to_spoken(pre)} {to_spoken(t['term'])} {to_spoken(post)}".replace(" .", ".")
        t["term_tokens"] = [len(norm(to_spoken(pre)).split()), len(norm(to_spoken(pre)).split()) + len(norm(to_spoken(t["term"])).split())]
        t["engine"], t["voice"] = VOICES[i % len(VOICES)]
        t["id"] = f"g{i:03d}"
    return out


def synthesize(text: str, engine: str, voice: str, cache: Path) -> Path:
    key = hashlib.sha1(f"{engine}|{voice}|{text}".encode()).hexdigest()[:16]
    path = cache / f"{key}.wav"
    if not path.exists():
        from medasr.audio import write_wav
        from medasr.synth.engines.cli_engines import espeak_command, flite_command, run_to_wav

        tmp = path.with_suffix(".tmp.wav")
        if engine == "espeak-ng":
            write_wav(tmp, *run_to_wav(espeak_command(text, voice, rate=150 / 175), f"espeak-ng {voice}"))
        else:
            run_to_wav(flite_command(text, voice, tmp), f"flite {voice}", out_file=str(tmp))
        os.replace(tmp, path)
    return path


def align_span(ref_tokens: list[str], term: tuple[int, int], hyp_words: list[str]) -> tuple[int, int]:
    """Map the reference term's token range onto hypothesis *word* indices (difflib alignment)."""
    hyp_tokens: list[str] = []
    owner: list[int] = []
    for wi, w in enumerate(hyp_words):
        for tok in norm(to_spoken(w)).split():
            hyp_tokens.append(tok)
            owner.append(wi)
    lo, hi = None, None
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, ref_tokens, hyp_tokens, autojunk=False).get_opcodes():
        if i2 <= term[0] or i1 >= term[1]:
            if not (tag == "insert" and term[0] < i1 <= term[1] and j2 > j1):
                continue
        if tag == "equal":
            a, b = j1 + max(term[0], i1) - i1, j1 + min(term[1], i2) - i1
        else:
            a, b = j1, j2
        if b > a:
            lo = a if lo is None else min(lo, a)
            hi = b if hi is None else max(hi, b)
    if lo is None:
        return (0, 0)
    return owner[lo], owner[hi - 1] + 1


def transcribe(transcriber, audio, hotwords=None, prompt=None) -> dict:
    opts = TranscribeOptions(language="en", beam_size=5, vad=False, word_timestamps=True, hotwords=hotwords, initial_prompt=prompt)
    return transcriber.transcribe(audio, opts).to_dict()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "vocab_garbled_set.jsonl"))
    ap.add_argument("--drugs", type=int, default=50)
    ap.add_argument("--brands", type=int, default=30)
    ap.add_argument("--diagnoses", type=int, default=40)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--model", default="tiny.en")
    ap.add_argument("--bias", action="store_true", help="also transcribe with hotwords (two contexts)")
    args = ap.parse_args(argv)

    settings = Settings.resolve({"model": args.model, "device": "cpu"})
    vocab = load_vocabulary(settings)
    items = pick_terms(vocab, args.drugs, args.brands, args.diagnoses, args.seed)
    cache = Path(settings.cache_dir) / "garbled-tts"
    cache.mkdir(parents=True, exist_ok=True)
    transcriber = load_transcriber(settings)
    all_terms = [t["term"] for t in items]
    rng = random.Random(args.seed + 1)
    t0 = time.perf_counter()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as f:
        for item in tqdm(items, desc="garbled set", file=sys.stderr):
            wav = synthesize(item["spoken"], item["engine"], item["voice"], cache)
            audio = load_audio(wav)
            hyp = transcribe(transcriber, audio)
            words = [w["text"] for s in hyp["segments"] for w in s["words"]]
            ref_tokens = norm(item["spoken"]).split()
            span = align_span(ref_tokens, tuple(item["term_tokens"]), words)
            rec = dict(item, model=args.model, hyp=hyp, hyp_text=hyp["text"], span=list(span), garbled=" ".join(w.strip() for w in words[span[0] : span[1]]))
            if args.bias:
                med_list = [item["term"]] + rng.sample([t for t in all_terms if t != item["term"]], min(19, len(all_terms) - 1))
                rng.shuffle(med_list)
                spec = "primary-care" if item["kind"] == "diagnosis" else "cardiology"
                rec["bias"] = {}
                for name, kw in (("terms20", {"seen_terms": med_list}), ("specialty", {"specialty": spec})):
                    b = bias_for(settings, vocabulary=vocab, **kw)
                    bh = transcribe(transcriber, audio, b.hotwords, b.initial_prompt)
                    bwords = [w["text"] for s in bh["segments"] for w in s["words"]]
                    bspan = align_span(ref_tokens, tuple(item["term_tokens"]), bwords)
                    rec["bias"][name] = {"hotwords": b.hotwords, "prompt": b.initial_prompt, "hyp_text": bh["text"], "span": list(bspan),
                                         "garbled": " ".join(w.strip() for w in bwords[bspan[0] : bspan[1]])}
            f.write(json.dumps(rec) + "\n")
    print(f"wrote {len(items)} records to {out} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
