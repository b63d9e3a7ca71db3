"""The corrector's edit-list target: deriving it from real pairs, parsing what a model writes,
anchoring it on heard words, and an edit-list model trained, exported and run end to end."""

from __future__ import annotations

import json
import math

import pytest

from medasr.correction.bart.edits import ARROW, SEP, EditItem, apply_items, format_items, item_logprobs, parse_items
from medasr.train.corrector.targets import edit_items, edit_target

# (hypothesis, reference) pairs as tiny.en and the fine-tuned model really wrote them
REAL = [
    ("Right, are you passing you're in normally?", "Right, are you passing urine normally?"),
    ("Oh dear, how have your kill been since we last spoke?", "Oh dear. how has your chills been since we last spoke?"),
    ("She has been on Darunavir and Cobycystat 10 mL q.i.d. with little improvement.",
     "She has been on Darunavir and Cobicistat 10 mL QID with little improvement."),
    ("Take Patressine 10 units p.o. QD. Take Gardium Acid Reflux Control and Ventra 2.5 mg intranasal twice daily.",
     "Take Putrescine 10 units PO q.d. Take Guardium Acid Reflux Control And Ventra 2.5 mg intranasal twice daily."),
]


def test_targets_of_real_pairs():
    assert edit_target(*REAL[0]) == f" you're in {ARROW} urine"
    assert [(i.before, i.after) for i in edit_items(*REAL[1])] == [("have", "has"), ("kill", "chills")]
    assert edit_target(*REAL[2]) == f" Cobycystat {ARROW} Cobicistat"  # q.i.d./QID: same after normalizing
    assert edit_target(*REAL[3]) == f" Patressine {ARROW} Putrescine {SEP} Gardium {ARROW} Guardium"
    from medasr.text import normalize

    # applying the derived items gives the reference, up to case, punctuation and spaces (not for the
    # last pair: the normalizer reads "p.o." as "p 0" and "PO" as "po")
    for hyp, ref in REAL[:3]:
        words, probs, dropped = apply_items(hyp.split(), edit_items(hyp, ref))
        assert dropped == 0 and len(probs) == len(words)

        assert normalize(" ".join(words)).replace(" ", "") == normalize(ref).replace(" ", "")


def test_no_edit_for_what_the_normalizer_equates():
    assert edit_target("I smoke about 10 a day, is it a burning kind of pain?",
                       "I smoke about ten a day. Is it a burning kind of pain?") == ""
    assert edit_target("Continue lisinopril 10 milligrams.", "Continue lisinopril 10 milligrams.") == ""
    assert edit_items("", "anything") == []


def test_insertion_is_anchored_on_a_neighbour():
    items = edit_items("have you had any pain", "have you had any chest pain")
    assert [(i.before, i.after) for i in items] == [("any", "any chest")]
    items = edit_items("pain in the chest", "chest pain in the chest")
    assert items[0].before == "pain" and items[0].after.endswith("pain")


def test_garble_that_cannot_be_recovered_is_not_taught():
    hyp = "I'm a bit tired and I'm not safe and it's been getting worse. My mom had glaucoma."
    ref = "Um, it started about 7 days ago, and it's been getting worse. My mum had glaucoma."
    items = edit_items(hyp, ref)
    assert all(len(i.before.split()) <= 4 and len(i.after.split()) <= 4 for i in items)
    assert not any("started" in i.after for i in items)  # never heard: not taught as a fix
    assert ("mom", "mum") in [(i.before, i.after) for i in items]
    full = edit_items(hyp, ref, recoverable_only=False)
    assert any("started" in i.after for i in full)


def test_parse_skips_malformed_items():
    text = f" favor {ARROW} fever {SEP} no arrow here {SEP} {ARROW} orphan {SEP} will {ARROW}"
    items = parse_items(text, [-0.1, -2.0, -3.0, -0.5])
    assert [(i.before, i.after, i.logprob) for i in items] == [("favor", "fever", -0.1), ("will", "", -0.5)]
    assert format_items(items) == f" favor {ARROW} fever {SEP} will {ARROW}"
    assert parse_items("") == [] and format_items([]) == ""


def test_item_logprobs_count_what_each_item_writes():
    pieces = [" fav", "or", " =>", " fever", " ||", " cuff", " =>", " cough", " ||", " will", " =>"]
    lps = [-1.0, -0.5, -0.1, -0.2, -0.05, -2.0, -0.1, -0.3, -0.01, -0.4, -0.2]
    sums = item_logprobs(pieces, lps)
    assert len(sums) == 3
    # the intended words only (copying the heard ones is not counted); a deletion: all its tokens
    assert sums[0] == pytest.approx(-0.2) and sums[1] == pytest.approx(-0.3)
    assert sums[2] == pytest.approx(-0.6)


def test_apply_anchors_on_heard_words_only():
    words = "ok any discharge from the ear no okay have you been experiencing any favor?".split()
    items = [EditItem("favor", "fever", math.log(0.8)), EditItem("stethoscope", "fever", 0.0),
             EditItem("Discharge", "discharge", 0.0)]
    out, probs, dropped = apply_items(words, items)
    assert dropped == 1  # nothing like "stethoscope" was heard: the item cannot land anywhere
    assert out[-1] == "fever?"  # the heard word's punctuation is kept
    assert probs[-1] == pytest.approx(0.8) and probs[0] == 1.0
    assert out[:-1] == words[:-1]
    # a heard word the model did not copy exactly is found by spelling and sound
    out, _, dropped = apply_items("you had methatrexate".split(), [EditItem("metate", "methotrexate")])
    assert out == "you had methotrexate".split() and dropped == 0
    # a capital stays; two items cannot take the same words; a deletion writes nothing
    out, probs, dropped = apply_items(["Cuff", "and", "cuff"], [EditItem("cuff", "cough"), EditItem("cuff", "cough"),
                                                                EditItem("and", "")])
    assert out == ["Cough", "cough"] and dropped == 0 and len(probs) == 2


def test_reader_turns_real_bpe_tokens_into_anchored_changes(tmp_path):
    """``CorrectorModel._from_edits`` on the tokens the corrector's own BPE makes of an edit list."""
    from medasr.correction.bart.format import load_tokenizer, pruned_tokenizer_json
    from medasr.correction.bart.infer import CorrectorModel, model_target

    (tmp_path / "tokenizer.json").write_text(json.dumps(pruned_tokenizer_json()), encoding="utf-8")
    tok = load_tokenizer(tmp_path / "tokenizer.json")
    reader = CorrectorModel.__new__(CorrectorModel)
    reader.tokenizer = tok
    target = f" favor {ARROW} fever {SEP} metataxate {ARROW} methotrexate"
    tokens = [t for t in tok.encode(target).tokens if not t.startswith("<|")]

    class Scored:  # what score_batch returns: one log-probability per target token
        log_probs = [-0.01] * len(tokens)

    words = "have you been experiencing any favor or taking metataxate".split()
    rw = reader._from_edits(tokens, Scored(), words)
    assert rw.words == tuple("have you been experiencing any fever or taking methotrexate".split())
    assert len(rw.word_probs) == len(rw.words) and all(0 < p <= 1 for p in rw.word_probs)
    assert rw.word_probs[5] < 1.0 and rw.word_probs[0] == 1.0
    assert math.exp(rw.score) == pytest.approx(min(p for p in rw.word_probs))
    assert reader._from_edits([], None, words).words == tuple(words)  # nothing written: nothing changes

    assert model_target(tmp_path) == "text"
    (tmp_path / "corrector.json").write_text(json.dumps({"target": "edits"}))
    assert model_target(tmp_path) == "edits"
    (tmp_path / "corrector.json").write_text("{not json")
    assert model_target(tmp_path) == "text"
