"""The BART corrector's word diff, edit gate, noise model and stage interplay (no model needed)."""

from __future__ import annotations

import random

import pytest

from medasr.correction.bart.corrector import BartCorrector
from medasr.correction.bart.diff import GatePolicy, gate, similarity, word_changes
from medasr.correction.bart.format import make_source, pruned_tokenizer_json
from medasr.correction.bart.infer import Rewrite
from medasr.text import align_words
from medasr.train.corrector.noise import ConfusionModel
from medasr.schema import Edit, Segment, Transcript, Word

TERMS = {"metformin", "spironolactone", "lisinopril", "hypertension", "candesartan"}


def is_term(p: str) -> bool:
    return p in TERMS


def test_case_and_punctuation_are_not_changes():
    src = "Start metformin, 500 milligrams.".split()
    out = "start Metformin 500 milligrams".split()
    assert word_changes(src, out, [0.9] * len(out)) == []


def test_vocabulary_term_that_sounds_alike_is_applied():
    src = "try spy on lactone four times a day".split()
    out = "try spironolactone four times a day".split()
    changes = gate(src, out, [0.9, 0.8, 0.9, 0.9, 0.9, 0.9], is_term)
    assert len(changes) == 1
    ch = changes[0]
    assert (ch.i0, ch.i1, ch.before, ch.after) == (1, 4, "spy on lactone", "spironolactone")
    assert ch.applied, ch.reason
    assert similarity("spy on lactone", "spironolactone") >= 0.5


def test_low_confidence_or_dissimilar_term_is_only_a_suggestion():
    src = "we agreed to try exercise".split()
    out = "we agreed to try metformin".split()
    low = gate(src, out, [0.9, 0.9, 0.9, 0.9, 0.3], is_term)
    assert len(low) == 1 and not low[0].applied and "low confidence" in low[0].reason
    dissimilar = gate(src, out, [0.9, 0.9, 0.9, 0.9, 0.95], is_term)
    assert len(dissimilar) == 1 and not dissimilar[0].applied and "dissimilar" in dissimilar[0].reason


def test_numbers_and_existing_terms_are_never_silently_changed():
    src = "metformin 50 milligrams".split()
    out = "metformin 500 milligrams".split()
    (ch,) = gate(src, out, [0.99, 0.99, 0.99], is_term)
    assert not ch.applied and "number" in ch.reason
    src = "lisinopril 10 milligrams".split()
    out = "candesartan 10 milligrams".split()
    (ch,) = gate(src, out, [0.99, 0.99, 0.99], is_term)
    assert not ch.applied and "vocabulary term" in ch.reason


def test_small_confident_change_applied_and_noise_dropped():
    (ch,) = gate("the patient is allergic to pennies".split(), "the patient is allergic to pennis".split(),
                 [0.99] * 6, is_term)
    assert ch.applied and ch.reason.startswith("small change")
    assert gate("hello there".split(), "hello where".split(), [0.9, 0.01], is_term) == []


def test_deletion_and_protected_words():
    src = "stop the the aspirin".split()
    (ch,) = gate(src, "stop the aspirin".split(), [0.9, 0.9, 0.9], is_term)
    assert not ch.applied and "deletion" in ch.reason
    assert gate(src, "stop the aspirin".split(), [0.9] * 3, is_term, protected=frozenset({1, 2})) == []


def test_confusion_model_learns_real_errors():
    pairs = [("We agreed to try spy on lactone.", "We agreed to try spironolactone."),
             ("Start met form in 500 milligrams.", "Start metformin 500 milligrams.")]
    conf = ConfusionModel().fit(pairs)
    assert "spy on lactone" in conf.table["spironolactone"]
    assert "met form in" in conf.table["metformin"]
    rng = random.Random(3)
    outs = {conf.noisy("Continue metformin and spironolactone daily.", rng, rate=1.0) for _ in range(20)}
    assert any("met form in" in o or "spy on lactone" in o for o in outs)
    assert all(o == conf.noisy("Continue metformin and spironolactone daily.", random.Random(5), rate=1.0)
               for o in [conf.noisy("Continue metformin and spironolactone daily.", random.Random(5), rate=1.0)])
    assert [t for t, _, _ in align_words("a b c", "a x c")] == ["equal", "replace", "equal"]


def test_source_layout_and_pruned_tokenizer():
    src = make_source("met form in 500", left="one two three four five six seven eight nine ten", right="next words")
    assert src.startswith(" three four") and "<|transcribe|> met form in 500<|translate|> next words" in src
    t = pruned_tokenizer_json(1024)
    assert max(t["model"]["vocab"].values()) < 1024 and len(t["model"]["merges"]) == 1024 - 256
    assert [a["id"] for a in t["added_tokens"]] == [1024, 1025, 1026, 1027, 1028]


class ScriptedModel:
    """A test fake for the CTranslate2 model: rewrites by a fixed table, all words at probability p."""

    def __init__(self, table: dict[str, str], p: float = 0.95) -> None:
        self.table, self.p, self.seen = table, p, []

    def rewrite(self, sources: list[str], words=None) -> list[Rewrite]:
        out = []
        for s in sources:
            self.seen.append(s)
            seg = s.split("<|transcribe|>")[1].split("<|translate|>")[0].strip()
            text = self.table.get(seg, seg)
            out.append(Rewrite(text=text, words=tuple(text.split()), word_probs=(self.p,) * len(text.split()), score=-0.05))
        return out


def _corrector(tmp_path, table, p=0.95) -> BartCorrector:
    (tmp_path / "model.bin").write_bytes(b"")
    (tmp_path / "tokenizer.json").write_text("{}")
    c = BartCorrector(model_path=tmp_path, term_check=is_term, verify=None)  # the generation gate alone
    c._model = ScriptedModel(table, p)
    return c


def _seg(sid: int, text: str) -> Segment:
    words = tuple(Word(start=i * 0.5, end=i * 0.5 + 0.4, text=" " + w, probability=0.8, id=f"{sid}.{i}")
                  for i, w in enumerate(text.split()))
    return Segment(id=sid, start=0.0, end=5.0, text=" " + text, words=words)


def test_corrector_applies_audited_edits_with_context(tmp_path):
    t = Transcript(segments=(_seg(0, "Blood pressure is high."), _seg(1, "We agreed to try spy on lactone today."),
                             _seg(2, "Review in two weeks.")))
    c = _corrector(tmp_path, {"We agreed to try spy on lactone today.": "We agreed to try spironolactone today."})
    out = c.correct(t)
    (e,) = out.edits
    assert (e.source, e.before, e.after, e.applied, e.word_ids) == ("bart", "spy on lactone", "spironolactone", True, ("1.4", "1.5", "1.6"))
    assert t.segments[1].text[e.char_start:e.char_end] == "spy on lactone"
    seg = out.segments[1]
    assert seg.text == " We agreed to try spironolactone today."
    assert "".join(w.text for w in seg.words) == seg.text
    assert [w.id for w in seg.words][4] == "1.4" and seg.words[4].start == 2.0 and seg.words[4].end == 3.4
    assert out.segments[0] == t.segments[0] and out.segments[2] == t.segments[2]
    # the middle segment was sent with its neighbours as context
    src = next(s for s in c._model.seen if "spy on lactone" in s.split("<|transcribe|>")[1].split("<|translate|>")[0])
    assert "high." in src.split("<|transcribe|>")[0] and "Review" in src.split("<|translate|>")[1]


def test_both_mode_bart_leaves_lexicon_edits_alone(tmp_path):
    seg = _seg(0, "Start metformin 500 milligrams and spy on lactone.")
    lex = Edit(segment_id=0, before="met form in", after="metformin", source="lexicon", score=0.9, word_ids=("0.1",))
    t = Transcript(segments=(seg,), edits=(lex,))
    c = _corrector(tmp_path, {"Start metformin 500 milligrams and spy on lactone.":
                              "Start metoprolol 500 milligrams and spironolactone."})
    out = c.correct(t)
    bart = [e for e in out.edits if e.source == "bart"]
    assert out.edits[0] == lex
    assert [e.after for e in bart] == ["spironolactone."]
    assert "metformin" in out.segments[0].text and "metoprolol" not in out.segments[0].text


def test_unsure_model_only_suggests(tmp_path):
    t = Transcript.from_text("We agreed to try spy on lactone today.")
    c = _corrector(tmp_path, {"We agreed to try spy on lactone today.": "We agreed to try spironolactone today."}, p=0.3)
    out = c.correct(t)
    (e,) = out.edits
    assert not e.applied and out.text == t.text


def test_missing_model_is_a_clear_error(tmp_path):
    from medasr.errors import ModelNotFoundError

    with pytest.raises(ModelNotFoundError, match="corrector model"):
        BartCorrector(model_path=tmp_path / "nope")


def test_imports_stay_light():
    import subprocess
    import sys

    code = ("import sys, medasr.correction.bart.corrector, medasr.correction.bart.infer, medasr.train.corrector.train, "
            "medasr.train.corrector.model, medasr.cli.train_corrector; "
            "bad = [m for m in ('torch', 'transformers', 'ctranslate2') if m in sys.modules]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)
