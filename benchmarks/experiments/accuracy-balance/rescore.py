"""Third follow-up: each model's own preference, by teacher forcing, as the signal for the weak
branches of the two-model judge (a clinical word, a rare word near a term or against an unsure
general reading). Scored on the dev dumps (``dump.py``) with the audio of each set.

    MEDASR_HOME=... python rescore.py DUMP_DIR score SET=SPEC [SET=SPEC ...]   # writes DUMP_DIR/rescore__SET.jsonl
    MEDASR_HOME=... python rescore.py DUMP_DIR table SET [SET ...]

For every span where the two models disagree (the blocks ``combine`` judges), the whole
utterance's text is scored with the general reading and with the domain span put in, under
both models (:func:`text_logprobs`: CTranslate2's ``Whisper.align``, the teacher-forced pass
Faster-Whisper uses for word probabilities, over one encoder pass; text tokens only, end-of-text
is not scored): ``dg`` = general model's log-prob of the domain variant
minus that of its own reading, ``dd`` = the same under the domain model. The table rows keep
the chosen judge's strong branches (a vocabulary term, a number) as they are and let a weak
branch win only when ``dd + lam * dg > tau``.
"""
import json
import math
import sys
from pathlib import Path

import numpy as np

from medasr.asr.hybrid import _norm
from medasr.asr.hybrid_judge import vocabulary_judge
from medasr.asr.loader import load_transcriber
from medasr.audio import SAMPLE_RATE, load_audio
from medasr.bench.datasets import resolve_set
from medasr.bench.terms import all_termsets
from medasr.config import Settings
from medasr.correction.bart.diff import diff_blocks
from medasr.schema import Transcript
from rules import score_cell  # this folder's rules.py (run from here)

STRONG = ("vocabulary term", "number")


def text_logprobs(model, audio: np.ndarray, texts: list[str]) -> list[float]:
    """Sum of the text tokens' log-probabilities of each of ``texts`` under the Faster-Whisper
    ``model`` for ``audio`` (16 kHz mono, first 30 s), teacher-forced. ``align`` gives special
    tokens probability 0, so end-of-text is not scored (a shorter text is not penalised for
    ending). Every text must hold a word."""
    import ctranslate2
    from faster_whisper.audio import pad_or_trim
    from faster_whisper.tokenizer import Tokenizer

    features = model.feature_extractor(np.asarray(audio, dtype=np.float32)[: 30 * SAMPLE_RATE])
    frames = min(features.shape[-1], 3000)
    mel = np.expand_dims(pad_or_trim(features), 0).astype(np.float32)
    # one encoder pass, its output repeated for the batch of texts (align wants one row per text)
    encoded = np.asarray(model.model.encode(ctranslate2.StorageView.from_array(mel), to_cpu=True))
    encoded = ctranslate2.StorageView.from_array(np.ascontiguousarray(np.repeat(encoded, len(texts), axis=0)))
    tok = Tokenizer(model.hf_tokenizer, False)
    tokens = [tok.encode(" " + t.strip()) for t in texts]
    results = model.model.align(encoded, tok.sot_sequence + [tok.no_timestamps], tokens, [frames] * len(texts))
    return [sum(math.log(max(p, 1e-12)) for p in r.text_token_probs) for r in results]


def _key(g, d) -> str:
    return "|".join(w.id for w in g) + "/" + "|".join(w.id for w in d)


def _rows(dump: Path, name: str):
    gen = [json.loads(x) for x in open(dump / f"tiny.en__{name}.jsonl")]
    dom = [json.loads(x) for x in open(dump / f"tiny.en-medical__{name}.jsonl")]
    for a, b in zip(gen, dom):
        assert a["id"] == b["id"]
        yield a, Transcript.from_dict(a["tr"]), Transcript.from_dict(b["tr"])


def score(dump: Path, specs: list[str]) -> None:
    s = Settings.resolve({"device": "cpu", "compute_type": "int8"})
    models = {m: load_transcriber(s, model=m)._model for m in ("tiny.en", "tiny.en-medical")}
    for spec in specs:
        name = spec.split("=")[0]
        audio = {u.id: u.audio for u in resolve_set(spec, s).utterances}
        with open(dump / f"rescore__{name}.jsonl", "w") as out:
            for n, (row, g, d) in enumerate(_rows(dump, name)):
                gw, dw = list(g.words), list(d.words)
                a, b = _norm(gw), _norm(dw)
                variants, keys = ["".join(w.text for w in gw)], []
                for i0, i1, j0, j1 in diff_blocks(a, b):
                    if " ".join(filter(None, a[i0:i1])) == " ".join(filter(None, b[j0:j1])):
                        continue
                    keys.append(_key(gw[i0:i1], dw[j0:j1]))
                    variants.append("".join(w.text for w in gw[:i0] + dw[j0:j1] + gw[i1:]))
                if not keys or not gw or not all(v.strip() for v in variants):
                    continue
                x = load_audio(audio[row["id"]])
                lp = {m: text_logprobs(fw, x, variants) for m, fw in models.items()}
                for k, key in enumerate(keys, 1):
                    out.write(json.dumps({"id": row["id"], "key": key, "dg": lp["tiny.en"][k] - lp["tiny.en"][0],
                                          "dd": lp["tiny.en-medical"][k] - lp["tiny.en-medical"][0]}) + "\n")
                if n % 50 == 0:
                    print(name, n, flush=True)


class _Judge:
    def __init__(self, base, scores: dict, lam: float | None, tau: float):
        self.base, self.scores, self.lam, self.tau = base, scores, lam, tau
        self.name = "x"

    def prefer_domain(self, g, d):
        ok, why = self.base.prefer_domain(g, d)
        if not ok or self.lam is None or why.startswith(STRONG):
            return ok, why
        sc = self.scores.get(_key(g, d))
        if sc is None:  # no score (nothing the general model heard): as before
            return ok, why
        return sc["dd"] + self.lam * sc["dg"] > self.tau, why


def table(dump: Path, sets: list[str]) -> None:
    s = Settings.resolve()
    terms = all_termsets(s)
    base = vocabulary_judge(s)
    scores = {st: {(r["id"], r["key"]): r for r in map(json.loads, open(dump / f"rescore__{st}.jsonl"))} for st in sets}
    grid = [(None, 0.0)] + [(lam, tau) for lam in (0.0, 0.5, 1.0, 2.0) for tau in (-2.0, 0.0, 2.0, 4.0)]
    print("| lam | tau | " + " | ".join(sets) + " |")
    per_utt = {st: {} for st in sets}
    for st in sets:
        for (uid, key), v in scores[st].items():
            per_utt[st].setdefault(uid, {})[key] = v
    for lam, tau in grid:
        row = ["chosen (before)" if lam is None else str(lam), "" if lam is None else str(tau)]
        row += [score_cell(dump, st, lambda uid, st=st: _Judge(base, per_utt[st].get(uid, {}), lam, tau), terms) for st in sets]
        print("| " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    {"score": score, "table": table}[sys.argv[2]](Path(sys.argv[1]), sys.argv[3:])
