"""Checks of the experiment's warm-started model (``warm_start.py``): every weight lands where it
belongs, it trains, and CTranslate2 runs the pre-norm mBART it is exactly as transformers does
(same greedy output, same token log-probabilities). Not in the suite (the model is not in the
package); run ``python -m pytest -q benchmarks/experiments/corrector-warm/check_warm.py``."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from warm_start import save_warm, whisper_warm_model  # noqa: E402


@pytest.fixture(autouse=True)
def _offline(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("MEDASR_HOME", str(tmp_path / "home"))


@pytest.fixture(scope="module")
def warm():
    from medasr.train.corrector.model import hf_tokenizer
    from medasr.train.convert.ct2_to_hf import load_hf_from_ct2
    from medasr.correction.bart.format import whisper_tokenizer_path

    tok = hf_tokenizer(None)
    model = whisper_warm_model("tiny.en", tok, seed=0)
    whisper = load_hf_from_ct2(whisper_tokenizer_path().parent)
    return tok, model, whisper


def test_every_weight_comes_from_the_whisper_decoder(warm):
    from medasr.correction.bart.format import BOS, CLOSE, EOS, OPEN, PAD, whisper_tokenizer_path
    from tokenizers import Tokenizer

    tok, model, whisper = warm
    wdec = whisper.model.decoder
    assert type(model).__name__ == "MBartForConditionalGeneration"
    assert model.config.d_model == whisper.config.d_model == 384 and model.config.decoder_layers == 4
    assert model.config.normalize_before is True and model.config.scale_embedding is False
    emb, wemb = model.model.shared.weight, wdec.embed_tokens.weight
    k = 8192  # the pruned vocabulary is Whisper's first ids ...
    assert torch.equal(emb[:k], wemb[:k])
    wt = Tokenizer.from_file(str(whisper_tokenizer_path()))
    for special in (EOS, BOS, OPEN, CLOSE, PAD):  # ... and its special tokens are Whisper's, by name
        assert torch.equal(emb[tok.convert_tokens_to_ids(special)], wemb[wt.token_to_id(special)])
    assert torch.equal(model.lm_head.weight, emb)  # tied, like Whisper's output projection
    for side in (model.model.encoder, model.model.decoder):
        assert torch.equal(side.embed_positions.weight[2:], wdec.embed_positions.weight[:256])
        assert torch.equal(side.layer_norm.weight, wdec.layer_norm.weight)
    for src, enc, dec in zip(wdec.layers, model.model.encoder.layers, model.model.decoder.layers):
        for name, p in src.state_dict().items():
            assert torch.equal(dec.state_dict()[name], p), name
            if not name.startswith("encoder_attn"):
                assert torch.equal(enc.state_dict()[name], p), name
        assert not dec.self_attn.k_proj.bias.any() and not enc.self_attn.k_proj.bias.any()


def test_trains_and_ctranslate2_runs_it_as_transformers_does(tmp_path):
    import ctranslate2

    from medasr.correction.bart.format import make_source, make_target
    from medasr.train.corrector.train import CorrectorTrainConfig, train_corrector
    from medasr.train.corrector.data import Example
    from medasr.train.corrector.model import export_ct2, hf_tokenizer, pretrained_model

    exs = [Example(make_source(h), make_target(r), "asr") for h, r in [
        ("Start met form in 500 milligrams.", "Start metformin 500 milligrams."),
        ("She has a history of hyper tension.", "She has a history of hypertension."),
        ("Continue lisinopril 10 milligrams.", "Continue lisinopril 10 milligrams."),
        ("A red rush on both arms.", "A red rash on both arms."),
    ]]
    base = save_warm(tmp_path / "init")
    cfg = CorrectorTrainConfig(out_dir=tmp_path / "run", base=base, steps=2, batch_size=2, eval_every=2, lr=1e-4, warmup=1,
                      seed=0, threads=1)
    res = train_corrector(cfg, exs[:3], exs[3:], progress=False)
    assert math.isfinite(res.best_dev_loss)
    model, _ = pretrained_model(str(res.hf_dir))
    assert type(model).__name__ == "MBartForConditionalGeneration"
    model.eval()
    tok = hf_tokenizer(res.hf_dir / "tokenizer.json")
    ct2_dir = export_ct2(res.hf_dir, tmp_path / "ct2", quantization="float32")
    tr = ctranslate2.Translator(str(ct2_dir))

    src = make_source("the patient was started on met form in")
    ids = tok(src)["input_ids"]
    with torch.no_grad():
        hf_out = model.generate(torch.tensor([ids]), max_new_tokens=12, num_beams=1, do_sample=False)
    hf_tokens = [t for t in tok.convert_ids_to_tokens(hf_out[0]) if t != tok.eos_token]
    ct2_out = tr.translate_batch([tok.convert_ids_to_tokens(ids)], beam_size=1, max_decoding_length=12)
    assert ct2_out[0].hypotheses[0][: len(hf_tokens)] == hf_tokens

    target = tok(make_target("the patient was started on metformin"))["input_ids"][1:]  # without BOS, ends with EOS
    dec_in = [model.config.decoder_start_token_id] + target[:-1]
    with torch.no_grad():
        logits = model(input_ids=torch.tensor([ids]), decoder_input_ids=torch.tensor([dec_in])).logits[0]
    hf_lp = torch.log_softmax(logits, -1)[torch.arange(len(target)), torch.tensor(target)].numpy()
    ct2_lp = np.array(tr.score_batch([tok.convert_ids_to_tokens(ids)], [tok.convert_ids_to_tokens(target[:-1])])[0].log_probs)
    np.testing.assert_allclose(ct2_lp, hf_lp, atol=2e-3)

