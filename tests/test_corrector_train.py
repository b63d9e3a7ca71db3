"""Training the BART corrector for a few steps on a handful of pairs, exporting it to CTranslate2
int8, and running the real exported model through the corrector (CI-sized: tiny model, 3 steps)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from medasr.train.corrector.pairs import Pair, read_pairs, write_pairs
from medasr.errors import InputError
from medasr.schema import Transcript

PAIRS = [
    Pair("We agreed to try spy on lactone four times a day.", "We agreed to try spironolactone four times a day.", "asr:tiny.en", "train"),
    Pair("Start met form in 500 milligrams twice daily.", "Start metformin 500 milligrams twice daily.", "asr:tiny.en", "train"),
    Pair("He is allergic to warfarin and was switched to can this Arton.", "He is allergic to warfarin and was switched to candesartan.", "asr:tiny.en", "train"),
    Pair("She has a history of hyper tension.", "She has a history of hypertension.", "asr:tiny.en", "train"),
    Pair("Continue lisinopril 10 milligrams.", "Continue lisinopril 10 milligrams.", "asr:tiny.en", "dev"),
    Pair("Increase rammy pril to 5 milligrams.", "Increase ramipril to 5 milligrams.", "asr:tiny.en", "dev"),
]


@pytest.fixture(autouse=True)
def _offline(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("MEDASR_HOME", str(tmp_path / "home"))


def test_train_export_and_correct(tmp_path):
    from medasr.correction.bart.corrector import BartCorrector
    from medasr.correction.bart.format import pruned_tokenizer_json
    from medasr.train.corrector.train import CorrectorTrainConfig, train_corrector
    from medasr.train.corrector.data import DataMix, build_examples, common_words
    from medasr.train.corrector.model import export_ct2

    write_pairs(tmp_path / "pairs.jsonl", PAIRS)
    pairs = read_pairs(tmp_path / "pairs.jsonl")
    assert pairs == PAIRS
    mix = DataMix(n_generated=20, n_icd=10, n_random=10, seed=1)
    train, dev, conf = build_examples(pairs, common_words(pruned_tokenizer_json()), mix)
    kinds = {e.kind for e in train}
    assert kinds == {"asr", "noise", "identity"}
    assert sum(e.kind == "asr" for e in train) == 4 * mix.asr_repeats
    dev_refs = {p.ref for p in pairs if p.split == "dev"}
    assert not any(e.target.strip() in dev_refs for e in train)  # dev references never train
    assert {e.target.strip() for e in dev} == dev_refs
    assert conf.n_confusions >= 3
    identity = [e for e in train if e.kind == "identity"]
    assert len(identity) >= 0.3 * len(train)
    assert all(e.target.strip() in e.source for e in identity)

    cfg = CorrectorTrainConfig(out_dir=tmp_path / "run", size="tiny", steps=3, batch_size=4, eval_every=2, seed=0, threads=1)
    res = train_corrector(cfg, train[:40], dev, progress=False)
    assert res.steps == 3 and res.best_dev_loss > 0
    log = [json.loads(x) for x in (tmp_path / "run" / "train_log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in log] == [2, 3]
    assert (res.hf_dir / "model.safetensors").is_file()

    ct2 = export_ct2(res.hf_dir, tmp_path / "ct2", card={"name": "test"})
    assert {"model.bin", "tokenizer.json", "config.json", "corrector.json"} <= {p.name for p in ct2.iterdir()}
    assert (ct2 / "model.bin").stat().st_size < 5_000_000

    t = Transcript.from_text("We agreed to try spy on lactone four times a day.\nReview in two weeks.")
    c = BartCorrector(model_path=ct2, term_check=lambda p: p in {"spironolactone"})
    out = c.correct(t)
    # whatever an untrained model writes: every change is an audited bart edit, and text only
    # changes where an applied edit says so
    assert all(e.source == "bart" and 0.0 <= e.score <= 1.0 and e.reason for e in out.edits)
    for before, after in zip(t.segments, out.segments):
        if before.text != after.text:
            assert any(e.applied and e.segment_id == before.id and e.after in after.text for e in out.edits)
        else:
            assert not any(e.applied and e.segment_id == before.id for e in out.edits)


def test_cli_reports_missing_pairs(tmp_path):
    from medasr.cli.train_corrector import corrector

    res = CliRunner().invoke(corrector, ["--out", str(tmp_path / "run"), "--pairs", str(tmp_path / "none.jsonl")])
    assert res.exit_code != 0
    assert isinstance(res.exception, InputError) and "none.jsonl" in str(res.exception)


def test_base_model_offline_is_a_clear_error(tmp_path):
    from medasr.errors import ModelNotFoundError
    from medasr.train.corrector.model import pretrained_model

    with pytest.raises(ModelNotFoundError, match="facebook/bart-base"):
        pretrained_model("facebook/bart-base")


def test_continue_from_a_float16_checkpoint_trains_in_float32(tmp_path):
    """A GPU run saves float16; continuing it on CPU (``--base RUN/hf``) must load float32, or a
    step takes ~100x longer and the loss turns NaN."""
    import math

    import torch

    from medasr.correction.bart.format import make_source, make_target
    from medasr.train.corrector.train import CorrectorTrainConfig, train_corrector
    from medasr.train.corrector.data import Example
    from medasr.train.corrector.model import SIZES, hf_tokenizer, new_model, pretrained_model

    tok = hf_tokenizer(None)
    model = new_model(SIZES["tiny"], tok, seed=0).to(torch.float16)
    model.save_pretrained(tmp_path / "fp16")
    tok.save_pretrained(tmp_path / "fp16")
    loaded, _ = pretrained_model(str(tmp_path / "fp16"))
    assert next(loaded.parameters()).dtype == torch.float32
    exs = [Example(make_source(p.hyp), make_target(p.ref), "asr") for p in PAIRS]
    res = train_corrector(CorrectorTrainConfig(out_dir=tmp_path / "run", base=str(tmp_path / "fp16"), steps=2, batch_size=3,
                                      eval_every=2, seed=0, threads=1), exs[:4], exs[4:], progress=False)
    assert res.steps == 2 and math.isfinite(res.best_dev_loss) and math.isfinite(res.train_loss)


def test_edit_list_corrector_trains_exports_and_corrects(tmp_path):
    """``--target edits``: targets are edit lists (empty for correct text), the card records the
    format, and the exported model runs through the corrector with every change anchored."""
    from click.testing import CliRunner

    from medasr.cli.train_corrector import corrector
    from medasr.correction.bart.corrector import BartCorrector
    from medasr.correction.bart.edits import ARROW, apply_items, parse_items
    from medasr.correction.bart.format import pruned_tokenizer_json
    from medasr.correction.bart.infer import model_target
    from medasr.train.corrector.data import DataMix, build_examples, common_words

    mix = DataMix(n_generated=20, n_icd=10, n_random=10, seed=1, target="edits")
    train, dev, _ = build_examples(PAIRS, common_words(pruned_tokenizer_json()), mix)
    identity = [e for e in train if e.kind == "identity"]
    assert identity and all(e.target == "" for e in identity)
    asr = [e for e in train if e.kind == "asr"]
    assert {e.target for e in asr} >= {f" spy on lactone {ARROW} spironolactone", f" met form in {ARROW} metformin"}
    for e in asr:  # every item is anchored on words of its own hypothesis
        hyp = next(p.hyp for p in PAIRS if p.hyp in e.source)
        assert apply_items(hyp.split(), parse_items(e.target))[2] == 0

    write_pairs(tmp_path / "pairs.jsonl", PAIRS)
    res = CliRunner().invoke(corrector, ["--out", str(tmp_path / "run"), "--pairs", str(tmp_path / "pairs.jsonl"),
                                         "--target", "edits", "--size", "tiny", "--steps", "2", "--batch-size", "4",
                                         "--consultation-text", "10", "--n-random", "10", "--threads", "1"])
    assert res.exit_code == 0, res.output
    ct2 = tmp_path / "run" / "ct2"
    assert json.loads((tmp_path / "run" / "hf" / "medasr_corrector.json").read_text())["target"] == "edits"
    assert model_target(ct2) == "edits"
    c = BartCorrector(model_path=ct2, term_check=lambda p: p in {"spironolactone"})
    assert c.model.target == "edits"
    t = Transcript.from_text("We agreed to try spy on lactone four times a day.\nReview in two weeks.")
    out = c.correct(t)
    assert all(e.source == "bart" and e.reason for e in out.edits)
    for before, after in zip(t.segments, out.segments):
        changed = before.text != after.text
        assert changed == any(e.applied and e.segment_id == before.id for e in out.edits)
        for e in out.edits:  # an edit of an edit-list model can only land on heard words
            if e.segment_id == before.id and e.before:
                assert e.before in before.text


def test_time_limit_evaluates_the_last_steps(tmp_path):
    """Stopping at ``max_minutes`` evaluates (and may keep) the steps since the last evaluation."""
    from medasr.correction.bart.format import make_source, make_target
    from medasr.train.corrector.train import CorrectorTrainConfig, train_corrector
    from medasr.train.corrector.data import Example

    exs = [Example(make_source(p.hyp), make_target(p.ref), "asr") for p in PAIRS]
    cfg = CorrectorTrainConfig(out_dir=tmp_path / "run", size="tiny", steps=10_000, batch_size=2, eval_every=10_000,
                      max_minutes=0.005, seed=0, threads=1)
    res = train_corrector(cfg, exs[:4], exs[4:], progress=False)
    assert 0 < res.steps < 10_000
    log = [json.loads(x) for x in (tmp_path / "run" / "train_log.jsonl").read_text().splitlines()]
    assert log[-1]["step"] == res.steps
    assert (res.hf_dir / "model.safetensors").is_file()
