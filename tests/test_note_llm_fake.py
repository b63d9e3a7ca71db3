"""The model backends' machinery with a scripted model: invalid JSON and its bounded repair,
cut-off answers, cited lines turned into evidence spans, lines that do not exist, and
map-reduce over a consultation too long for one prompt."""

from __future__ import annotations

import pytest
from fakes.note_chat import ScriptedChat
from note_cases import as_json

from medasr.config import Settings
from medasr.errors import BackendError
from medasr.note import structure
from fakes.note_vocab import FakeVocabulary
from medasr.note.grounding import assert_grounded
from medasr.note.io import parse_text
from medasr.note.linking import Linker
from medasr.note.llm import LLMBackend, cite, clean_statement
from medasr.note.llm_json import validate

TEXT = (
    "Doctor: What's the problem?\n"
    "Patient: I've had a headache for three days, mostly on the left side.\n"
    "Doctor: Any vomiting?\n"
    "Patient: No.\n"
    "Doctor: I think it's a tension headache. Take paracetamol 1 gram four times a day."
)


def _backend(replies: list[str], **kw) -> tuple[LLMBackend, ScriptedChat]:  # type: ignore[no-untyped-def]
    chat = ScriptedChat(replies)
    return LLMBackend(chat, Linker(FakeVocabulary()), style=kw.pop("style", "augment"), **kw), chat


def test_cited_lines_become_spans_of_the_supporting_words() -> None:
    tr = parse_text(TEXT)
    ev = cite("Left-sided headache for 3 days", [1], tr, "conversation")
    assert len(ev) == 1 and ev[0].text == "headache for three days, mostly on the left" and ev[0].role == "patient"
    neg = cite("No vomiting", [2, 3], tr, "conversation")
    assert [e.text for e in neg] == ["vomiting", "No."]  # the answer carries the denial
    assert cite("Headache", [99, 1], tr, "conversation")[0].segment_id == 1  # unknown line ignored
    assert cite("Rash on the arm", [1], tr, "conversation") == ()
    assert clean_statement("Fever [20,21]") == "Fever" and clean_statement("Rest (lines 8)") == "Rest"


def test_invalid_json_is_repaired_and_bounded() -> None:
    tr = parse_text(TEXT)
    good = as_json({"items": [{"section": "assessment", "text": "Tension headache", "lines": [4]}]})
    backend, chat = _backend(["Sure, here you go: headache!", good])
    note = structure(tr, Settings.resolve(), backend=backend)
    assert len(chat.asked) == 2 and "not valid" in chat.asked[1][-1]["content"]
    assert any("attempt 1" in w for w in note.warnings)
    assert "Tension headache" in [i.text for i in note.section("assessment")]
    assert_grounded(note, tr)
    backend, chat = _backend(['{"items": "many"}'])
    with pytest.raises(BackendError, match="no valid note JSON after 3 attempts"):
        structure(tr, Settings.resolve(), backend=backend)
    assert len(chat.asked) == 3


def test_a_cut_off_answer_keeps_its_complete_items() -> None:
    tr = parse_text(TEXT)
    full = as_json({"items": [{"section": "assessment", "text": "Tension headache", "lines": [4]},
                              {"section": "plan", "text": "Paracetamol 1 g four times a day", "lines": [4]}]})
    backend, chat = _backend([full[: full.index("Paracetamol") + 5]])
    note = structure(tr, Settings.resolve(), backend=backend)
    assert len(chat.asked) == 1 and any("cut off" in w for w in note.warnings)
    assert "Tension headache" in [i.text for i in note.section("assessment")]


def test_validation_messages_name_the_problem() -> None:
    assert validate([]) == ["the answer must be a JSON object"]
    assert validate({"notes": []}) == ['the object needs "items": a list']
    errs = validate({"items": [{"section": "vibes", "text": "", "lines": ["x"]}]})
    assert any("section must be one of" in e for e in errs) and any("text must be" in e for e in errs)
    assert any("lines must be" in e for e in errs)
    assert validate({"items": [{"section": "hpi", "text": "Fever", "lines": [1, 2]}]}) == []


def test_long_consultations_are_split_and_merged() -> None:
    lines = []
    for i in range(40):
        lines += [f"Doctor: Question {i} about the cough?", f"Patient: Answer {i}: the cough is worse at night number {i}."]
    tr = parse_text("\n".join(lines))
    answer = as_json({"items": [{"section": "hpi", "text": "Cough, worse at night", "lines": [1]},
                                {"section": "hpi", "text": "Cough, worse at night", "lines": [79]}]})
    backend, chat = _backend([answer], piece_tokens=200)
    note = structure(tr, Settings.resolve(), backend=backend)
    assert backend.last_usage["pieces"] == len(chat.asked) > 2
    for asked in chat.asked:  # each piece is shown only its own lines
        assert asked[-1]["content"].count("] P: ") < 20
    items = [i for i in note.section("history_of_present_illness") if i.text == "Cough, worse at night"]
    assert len(items) == 1  # the same fact from every piece, once
    assert any("not lines of the transcript piece" in w for w in note.warnings)
    assert_grounded(note, tr)


def test_questions_style_asks_in_one_growing_chat() -> None:
    tr = parse_text(TEXT)
    answer = as_json({"items": [{"section": "hpi", "text": "Headache for 3 days", "lines": [1]},
                                {"section": "plan", "text": "Paracetamol 1 g four times a day", "lines": [4]}]})
    backend, chat = _backend([answer], style="questions")
    note = structure(tr, Settings.resolve(), backend=backend)
    assert len(chat.asked) == 3 and len(chat.asked[2]) == len(chat.asked[0]) + 4  # two more question/answer turns
    assert chat.asked[0][1]["content"] == chat.asked[2][1]["content"]  # the transcript once, at the start
    plans = [i.text for i in note.section("plan")]
    assert plans.count("Paracetamol 1 g four times a day") == 1  # offered by every question, kept once


def test_items_survive_broken_json_around_them() -> None:
    from medasr.note.llm_json import lenient_items

    text = ('{"items":[{"section":"hpi","text":"Says "no" to fever","lines":[1]},'
            '{"section":"ros","text":"No cough","lines":[2, 3]},{"section":"plan","text":"Rest" "lines":[3]}')
    items, skipped = lenient_items(text)
    assert items == [{"section": "hpi", "text": 'Says "no" to fever', "lines": [1]}, {"section": "ros", "text": "No cough", "lines": [2, 3]}]
    assert skipped == 1
    tr = parse_text(TEXT)
    backend, chat = _backend(['{"items":[{"section":"assessment","text":"A "tension" headache","lines":[4]}'])
    note = structure(tr, Settings.resolve(), backend=backend)
    assert len(chat.asked) == 1 and any("not valid JSON" in w for w in note.warnings)
    assert [i.text for i in note.section("assessment")] == ['A "tension" headache']
