"""Learned confusions (medasr.correction.confusions): which heard words the training pairs show
standing for a vocabulary term, how often, and how they become candidates for the BART judge."""

from __future__ import annotations

import pytest

from medasr.correction.bart.verify import Trial, VerifyPolicy, decide, trials
from medasr.correction.confusions import BUNDLED, Confusion, ConfusionTable, load_table
from medasr.schema import Segment
from medasr.train.corrector.confusions import fit_confusions

TERMS = {"rash": ("rash", "symptom"), "humerus": ("humerus", "anatomy"), "gout": ("gout", "diagnosis"),
         "hba1c": ("HbA1c", "lab"), "cough": ("cough", "symptom")}


def _pairs():
    rash = [("a red rush on the arm", "a red rash on the arm")] * 3 + [("he was in a rush", "he was in a rush")]
    gout = [("flare of out", "flare of gout")] * 2 + [(f"he went out {i}", f"he went out {i}") for i in range(8)]
    return rash + gout + [
        ("fracture of the humorous", "fracture of the humerus"),  # seen once: too little evidence
        ("a dry cough", "a dry cuff"),  # the heard word is the term: nothing to learn
        ("check the a 1c", "check the hba1c"), ("repeat a 1c", "repeat hba1c"),
    ]


def test_fit_counts_evidence_and_how_often_the_words_were_heard():
    t = fit_confusions(_pairs(), TERMS)
    assert len(t) == 3
    (rush,) = t.by_heard["rush"]
    assert (rush.term, rush.kind, rush.count, rush.heard_total) == ("rash", "symptom", 3, 4)
    assert rush.posterior == pytest.approx(0.75) and rush.match == pytest.approx(0.75)
    (out,) = t.by_heard["out"]
    assert (out.count, out.heard_total) == (2, 10) and out.posterior == pytest.approx(0.2)
    assert t.by_heard["a 1c"][0].term == "HbA1c"  # the written form
    assert "humorous" not in t.by_heard and "cough" not in t.by_heard
    assert "humorous" in fit_confusions(_pairs(), TERMS, min_count=1).by_heard


def test_save_load_round_trip_and_bad_files(tmp_path):
    t = fit_confusions(_pairs(), TERMS)
    t.save(tmp_path / "c.json")
    back = ConfusionTable.load(tmp_path / "c.json")
    assert back.by_heard == t.by_heard and back.source.endswith("c.json")
    (tmp_path / "bad.json").write_bytes(b"\xff\xfe not json")
    with pytest.raises(ValueError, match="not a confusion table"):
        ConfusionTable.load(tmp_path / "bad.json")
    (tmp_path / "wrong.json").write_text('{"confusions": [{"heard": "x"}]}')
    with pytest.raises(ValueError, match="wrong.json"):
        ConfusionTable.load(tmp_path / "wrong.json")
    assert load_table(tmp_path / "missing.json") is None


def test_proposals_keep_case_and_punctuation_and_never_cross_a_sentence():
    t = ConfusionTable([Confusion("rush", "rash", "symptom", 65, 74), Confusion("out", "gout", "diagnosis", 11, 208),
                        Confusion("a 1c", "HbA1c", "lab", 5, 7), Confusion("humorous", "humerus", "anatomy", 5, 5)])
    seg = Segment(id=0, start=0.0, end=1.0, text=" Rush, on the arm. Went out. Check a. 1c and a 1c?")
    props = t.proposals(seg)
    assert [(p.lo, p.hi, p.after, p.learned) for p in props] == [(0, 1, "Rash,", True), (10, 12, "HbA1c?", True)]
    assert "in 65 of 74 training hypotheses" in props[0].reason and props[0].score == 0.75
    # "out" stood for gout in 11 of 208: below the posterior bar; the bar can be lowered
    assert any(p.after == "gout." for p in t.proposals(seg, min_posterior=0.05, min_posterior_everyday=0.05))
    assert t.proposals(seg, min_match=0.9) == []
    # ordinary English heard words need more evidence: "diary" stood for diarrhea in 2 of 2
    diary = ConfusionTable([Confusion("diary", "diarrhea", "symptom", 2, 2)])
    seg = Segment(id=0, start=0.0, end=1.0, text=" I keep a diary of it")
    assert diary.by_heard["diary"][0].everyday and diary.proposals(seg) == []
    assert [p.after for p in diary.proposals(seg, min_count_everyday=2)] == ["diarrhea"]
    assert not Confusion("malays", "malaise", "symptom", 2, 2).everyday


def test_a_learned_candidate_needs_the_margin_not_a_close_spelling():
    words = "fracture of the humorous".split()
    seg = Segment(id=0, start=0.0, end=1.0, text=" ".join(words))
    table = ConfusionTable([Confusion("humorous", "humerus", "anatomy", 5, 5)])
    (tr,) = trials(0, words, table.proposals(seg), frozenset())
    assert tr.learned and tr.match == pytest.approx(0.8) and "5 of 5" in tr.evidence
    (c,) = decide([tr], [6.0], VerifyPolicy())
    assert c.applied and c.reason.startswith("learned confusion: heard 'humorous'")
    (c,) = decide([tr], [2.0], VerifyPolicy())
    assert not c.applied  # the model must still prefer it by the margin
    plain = Trial(0, 3, 4, "humorous", "humerus", 0.8, tr.target)
    (c,) = decide([plain], [6.0], VerifyPolicy())
    assert not c.applied and "needs 0.85" in c.reason  # a spelling match this weak stays a suggestion


def test_bundled_table_is_learned_from_training_pairs():
    t = load_table()
    assert t is not None and t.source == str(BUNDLED) and len(t) > 100
    assert all(c.count >= 2 and c.heard_total >= c.count for v in t.by_heard.values() for c in v)


def test_train_confusions_cli_reads_only_the_train_split(tmp_path):
    import json

    from click.testing import CliRunner

    from medasr.cli import cli

    rows = [dict(hyp="a red rush on the arm", ref="a red rash on the arm", split="train")] * 2
    rows += [dict(hyp="fracture of the humorous", ref="fracture of the humerus", split="dev")] * 3
    (tmp_path / "pairs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    res = CliRunner().invoke(cli, ["train", "confusions", "--pairs", str(tmp_path / "pairs.jsonl"), "--out", str(tmp_path / "c.json")])
    assert res.exit_code == 0, res.output
    assert "confusions from 2 train pairs" in res.output
    t = ConfusionTable.load(tmp_path / "c.json")
    assert [(c.heard, c.term.lower(), c.count) for v in t.by_heard.values() for c in v] == [("rush", "rash", 2)]
    (tmp_path / "dev.jsonl").write_text(json.dumps(rows[-1]) + "\n")
    res = CliRunner().invoke(cli, ["train", "confusions", "--pairs", str(tmp_path / "dev.jsonl"), "--out", str(tmp_path / "d.json")])
    assert res.exit_code != 0 and "no train-split pairs" in res.output
