"""The transcript as the model reads it: numbered lines, fillers out, pieces that fit."""

from __future__ import annotations

from medasr.note.compact import chunks, compact, estimate_tokens, tidy
from medasr.note.io import parse_text

TEXT = (
    "Doctor: Um, and and how long have you had the, uh, cough?\n"
    "Patient: For, like, three days.\n"
    "Doctor: Okay.\n"
    "Doctor: Any fever?\n"
    "Patient: No.\n"
    "Patient: Mm-hmm.\n"
    "Doctor: Right."
)


def test_tidy_drops_fillers_and_stutters() -> None:
    assert tidy("Um, and and I I use an inhaler, you know.") == "And I use an inhaler."
    assert tidy("pain in my, like, lower stomach") == "Pain in my lower stomach"


def test_compact_keeps_answers_and_drops_backchannels() -> None:
    lines = compact(parse_text(TEXT), "conversation")
    assert [ln.render() for ln in lines] == [
        "[0] D: And how long have you had the cough?",
        "[1] P: For three days.",
        "[3] D: Any fever?",
        "[4] P: No.",  # answers a question: kept
    ]
    assert all(ln.role == "clinician" for ln in compact(parse_text("Cough for three days.\nNo fever."), "dictation"))


def test_chunks_fit_the_budget_and_overlap() -> None:
    tr = parse_text("\n".join(f"{'Doctor' if i % 2 else 'Patient'}: sentence number {i} about the cough and the fever" for i in range(60)))
    lines = compact(tr, "conversation")
    pieces = chunks(lines, 120, overlap=2)
    assert len(pieces) > 3
    for p in pieces:
        assert sum(estimate_tokens(ln.render()) + 1 for ln in p) <= 120 + 2 * 20
    for a, b in zip(pieces, pieces[1:]):
        assert b[:2] == a[-2:]  # a question keeps its answer across the cut
    assert {ln.segment_id for p in pieces for ln in p} == {ln.segment_id for ln in lines}
    assert chunks([], 100) == [] and len(chunks(lines, 10**6)) == 1
