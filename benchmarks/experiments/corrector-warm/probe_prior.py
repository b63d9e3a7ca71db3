"""How much of Whisper tiny.en's language model survives the warm start, before any training.

    python benchmarks/experiments/corrector-warm/probe_prior.py > probe_prior.txt

Negative log-likelihood per token (nats) of three sentences:
1. Whisper itself, its usual prompt (<|startoftranscript|><|notimestamps|>), 30 s of silence as
   audio: the language model the decoder holds;
2. the warm-started corrector (``whisper_warm_model``) on the copy task (the sentence in, the same
   sentence out), with the pruned 8,192-token vocabulary the corrector trains with, and with
   Whisper's full one;
3. the same, its decoder reading Whisper's silence encoder states instead of the text encoder's;
4. the same as 2, with each decoder layer's cross-attention replaced by the constant vector it
   gives on silence (output weights zero, bias that vector; the encoder layers add it after
   self-attention), so the decoder is Whisper's given silence whatever the encoder says.
A uniform guess over the pruned vocabulary costs ln 8197 = 9.01.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch
from transformers import WhisperFeatureExtractor

from medasr.correction.bart.format import make_source, make_target, whisper_tokenizer_path
from medasr.train.corrector.model import hf_tokenizer
from medasr.train.convert.ct2_to_hf import load_hf_from_ct2

sys.path.insert(0, str(Path(__file__).resolve().parent))
from warm_start import whisper_warm_model  # noqa: E402

SENTENCES = ["I have had a fever and a cough for three days.",
             "She was started on metformin 500 milligrams twice daily.",
             "The pain is in my lower back and it gets worse at night."]


def silence_states(wh):
    fe = WhisperFeatureExtractor(feature_size=wh.config.num_mel_bins)
    feats = fe(np.zeros(16000 * 30, dtype=np.float32), sampling_rate=16000, return_tensors="pt").input_features
    return wh.model.encoder(feats).last_hidden_state


def gate(model, wh, enc):
    """Cross-attention as the constant it gives on silence (averaged over a short prompt)."""
    outs = {}
    hooks = [l.encoder_attn.register_forward_hook(lambda m, i, o, k=k: outs.__setitem__(k, o[0]))
             for k, l in enumerate(wh.model.decoder.layers)]
    wh.model.decoder(input_ids=torch.tensor([[wh.config.decoder_start_token_id] + list(range(220, 236))]),
                     encoder_hidden_states=enc)
    for h in hooks:
        h.remove()
    for k in range(len(wh.model.decoder.layers)):
        c = outs[k][0].mean(0)
        dl, el = model.model.decoder.layers[k], model.model.encoder.layers[k]
        dl.encoder_attn.out_proj.weight.zero_()
        dl.encoder_attn.out_proj.bias.copy_(c)
        el.self_attn.out_proj.bias.add_(c)


def nll(model, tok, s, enc=None) -> float:
    src = tok(make_source(s))["input_ids"]
    tgt = tok(make_target(s))["input_ids"][1:]
    dec = torch.tensor([[model.config.decoder_start_token_id] + tgt[:-1]])
    if enc is None:
        logits = model(input_ids=torch.tensor([src]), decoder_input_ids=dec).logits[0]
    else:
        logits = model.lm_head(model.model.decoder(input_ids=dec, encoder_hidden_states=enc).last_hidden_state)[0]
    return float(-torch.log_softmax(logits, -1)[torch.arange(len(tgt)), torch.tensor(tgt)].mean())


def main() -> None:
    torch.manual_seed(0)
    wh = load_hf_from_ct2(whisper_tokenizer_path().parent)
    from tokenizers import Tokenizer

    wt = Tokenizer.from_file(str(whisper_tokenizer_path()))
    rows = []
    with torch.no_grad():
        enc = silence_states(wh)
        r = []
        for s in SENTENCES:
            ids = [wt.token_to_id("<|startoftranscript|>"), wt.token_to_id("<|notimestamps|>")] + wt.encode(" " + s, add_special_tokens=False).ids
            x = torch.tensor([ids])
            lp = torch.log_softmax(wh(encoder_outputs=(enc,), decoder_input_ids=x).logits[0, :-1], -1)
            r.append(float(-lp[torch.arange(len(ids) - 1), x[0, 1:]][1:].mean()))
        rows.append(("1. Whisper tiny.en, its prompt, silence", r))
        for vname, path in (("pruned 8,192", None), ("full Whisper", whisper_tokenizer_path())):
            tok = hf_tokenizer(path)
            m = whisper_warm_model("tiny.en", tok).eval()
            rows.append((f"2. warm corrector, {vname} vocabulary, copy task", [nll(m, tok, s) for s in SENTENCES]))
            rows.append((f"3. warm corrector, {vname}, decoder reads silence states", [nll(m, tok, s, enc) for s in SENTENCES]))
            gate(m, wh, enc)
            rows.append((f"4. warm corrector, {vname}, cross-attention gated to silence", [nll(m, tok, s) for s in SENTENCES]))
    print("| model | " + " | ".join(f"sentence {i + 1}" for i in range(len(SENTENCES))) + " |")
    print("|---|" + "---|" * len(SENTENCES))
    for name, r in rows:
        print(f"| {name} | " + " | ".join(f"{v:.2f}" for v in r) + " |")
    print()
    for i, s in enumerate(SENTENCES):
        print(f"sentence {i + 1}: {s}")


if __name__ == "__main__":
    main()
