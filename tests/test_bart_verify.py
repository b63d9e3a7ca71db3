"""The BART model as a judge of sound-alike vocabulary terms (medasr.correction.bart.verify):
which trials are built, how margins decide, and the stage's audited edits. The model is a
scripted scorer here; the released model is judged on real text in test_bart_release.py."""

from __future__ import annotations

import math

from medasr.correction.bart.corrector import BartCorrector
from medasr.correction.bart.infer import Rewrite
from medasr.correction.bart.verify import Trial, VerifyPolicy, decide, target_text, trials
from medasr.correction.lexicon import Proposal
from medasr.schema import Segment, Transcript, Word


def _p(lo, hi, after, score=0.9):
    return Proposal(lo, hi, after, score, "drug", f"match to {after}")


def test_trials_put_each_candidate_in_place():
    words = "so you are taking methatrexate at the moment".split()
    ts = trials(3, words, [_p(4, 5, "methotrexate"), _p(4, 5, "methotrexate"), _p(4, 5, "metrizoate", 0.72)], frozenset())
    assert [(t.chunk, t.i0, t.i1, t.before, t.after) for t in ts] == [
        (3, 4, 5, "methatrexate", "methotrexate"), (3, 4, 5, "methatrexate", "metrizoate")]
    assert ts[0].target == " so you are taking methotrexate at the moment"
    assert target_text("text", words, 0, 0, None) == " " + " ".join(words)
    # an edit-list model is scored on the item alone; "no change" is the empty list
    assert target_text("edits", words, 4, 5, "methotrexate") == " methatrexate => methotrexate"
    assert target_text("edits", words, 0, 0, None) == ""
    assert trials(0, words, [_p(4, 5, "methotrexate")], frozenset({4})) == []  # another stage's words


def test_trials_that_eat_a_function_word_are_not_tried():
    words = "and the pain in the soid.".split()
    # shared words trimmed, "the soid" -> "throat" remains: it would swallow a "the"
    assert trials(0, words, [_p(2, 6, "pain in throat.")], frozenset()) == []
    assert [t.after for t in trials(0, words, [_p(5, 6, "side.")], frozenset())] == ["side."]
    assert trials(0, words, [_p(2, 4, "pain")], frozenset()) == []  # a pure deletion is no replacement


def _t(i0, i1, after, before="x"):
    return Trial(0, i0, i1, before, after, 0.9, after)


def test_decide_applies_only_clear_preferences():
    pol = VerifyPolicy(margin=4.0, runner_up=1.0, min_suggest=-1.0)
    ts = [_t(0, 1, "methotrexate"), _t(0, 1, "metadate"), _t(2, 3, "fever"), _t(4, 5, "cramp"), _t(6, 7, "famvir"),
          _t(6, 7, "fever")]
    out = decide(ts, [9.0, 2.0, 1.5, -3.0, 5.0, 4.6], pol)
    assert [(c.i0, c.after, c.applied) for c in out] == [(0, "methotrexate", True), (2, "fever", False), (6, "famvir", False)]
    assert "by 9.0 nats" in out[0].reason and math.isclose(out[0].prob, 1 / (1 + math.exp(-9.0)))
    assert "needs 4.0" in out[1].reason
    assert "another candidate" in out[2].reason  # 5.0 vs 4.6: too close to call


def test_decide_wants_a_close_match_to_apply():
    t = Trial(0, 0, 1, "metataxate", "metadate", 0.79, "metadate")
    (c,) = decide([t], [9.0], VerifyPolicy(min_match_apply=0.85))
    assert not c.applied and "needs 0.85" in c.reason


def test_decide_keeps_spans_apart():
    out = decide([_t(0, 2, "abnormal"), _t(1, 2, "normal")], [6.0, 8.0], VerifyPolicy())
    assert [(c.i0, c.i1, c.after) for c in out] == [(1, 2, "normal")]


class JudgingModel:
    """Rewrites nothing; scores a target by how many of ``liked`` words it holds (10 nats each, less a nat a character)."""

    target = "text"

    def __init__(self, liked: set[str]) -> None:
        self.liked = liked
        self.scored: list[tuple[str, str]] = []

    def rewrite(self, sources, words=None):
        return [Rewrite(text=" ".join(w), words=tuple(w), word_probs=(0.99,) * len(w), score=-0.01) for w in words]

    def score(self, sources, targets):
        self.scored += list(zip(sources, targets))
        return [10.0 * sum(w.strip(".,?").lower() in self.liked for w in t.split()) - 1.0 * len(t) for t in targets]


class Proposer:
    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table

    def proposals(self, segment, *, k, min_score):
        toks = segment.text.split()
        return [_p(i, i + 1, a) for i, w in enumerate(toks) for a in self.table.get(w, [])][: 3 * k]


def _corrector(tmp_path, liked, table) -> BartCorrector:
    (tmp_path / "model.bin").write_bytes(b"")
    (tmp_path / "tokenizer.json").write_text("{}")
    c = BartCorrector(model_path=tmp_path, term_check=lambda p: False, proposer=Proposer(table))
    c._model = JudgingModel(liked)
    return c


def test_corrector_records_judged_candidates_as_audited_edits(tmp_path):
    words = tuple(Word(start=i * 0.4, end=i * 0.4 + 0.3, text=" " + w, probability=0.4, id=f"0.{i}")
                  for i, w in enumerate("You're taking methatrexate at the moment?".split()))
    seg = Segment(id=0, start=0.0, end=3.0, text=" You're taking methatrexate at the moment?", words=words)
    c = _corrector(tmp_path, {"methotrexate"}, {"methatrexate": ["methotrexate", "metrizoate"], "moment?": ["momentum?"]})
    out = c.correct(Transcript(segments=(seg,)))
    (e,) = out.edits
    assert (e.source, e.before, e.after, e.applied, e.word_ids) == ("bart", "methatrexate", "methotrexate", True, ("0.2",))
    assert "model prefers it" in e.reason and e.score > 0.99
    assert out.segments[0].text == " You're taking methotrexate at the moment?"
    assert out.segments[0].words[2].id == "0.2" and out.segments[0].words[2].text == " methotrexate"
    # one batch: the chunk as heard, then per candidate: it written for the heard chunk, and its own chunk kept
    heard = c._model.scored[0]
    assert len(c._model.scored) == 7 and heard[1] == " You're taking methatrexate at the moment?"
    assert c._model.scored[1] == (heard[0], " You're taking methotrexate at the moment?")
    assert c._model.scored[2][1] == " You're taking methotrexate at the moment?" and "methotrexate" in c._model.scored[2][0]


class CopyingModel(JudgingModel):
    """Copies hard (a rewrite costs 14 nats) but finds the misspelling unlikely anywhere (10 nats)."""

    def score(self, sources, targets):
        self.scored += list(zip(sources, targets))
        return [(0.0 if t.strip() in s else -14.0) - (10.0 if "methatrexate" in t else 0.0) for s, t in zip(sources, targets)]


def test_self_check_sees_past_a_copying_model(tmp_path):
    t = Transcript.from_text("You're taking methatrexate at the moment.")
    c = _corrector(tmp_path, set(), {"methatrexate": ["methotrexate"]})
    c._model = CopyingModel(set())
    (e,) = c.correct(t).edits  # copy: -4 nats; kept as it is: +10 nats
    assert e.applied and e.after == "methotrexate" and "by 6.0 nats" in e.reason
    c.verify = VerifyPolicy(self_check=False)
    assert c.correct(t).edits == ()  # asked only the first question, the model keeps the misspelling


def test_unconvinced_model_changes_nothing_and_verify_can_be_off(tmp_path):
    t = Transcript.from_text("You're taking methatrexate at the moment.")
    c = _corrector(tmp_path, set(), {"methatrexate": ["methotrexate"]})
    out = c.correct(t)
    assert out.text == t.text and all(not e.applied for e in out.edits)
    c = _corrector(tmp_path, {"methotrexate"}, {"methatrexate": ["methotrexate"]})
    c.verify = None
    assert c.correct(t).edits == () and c._model.scored == []
