"""End to end on real audio: espeak-ng dictation -> the bundled tiny.en -> a grounded note
whose evidence points at Whisper's words (word ids) in the transcript."""

from __future__ import annotations

import pytest

from medasr.audio import load_audio
from medasr.config import Settings
from medasr.note import structure
from medasr.note.grounding import assert_grounded

pytestmark = pytest.mark.integration

DICTATION = (
    "The patient has had a cough and a fever for three days. "
    "She has a history of asthma. "
    "I think this is a chest infection. "
    "Plan: amoxicillin five hundred milligrams three times a day for seven days."
)


def test_tts_dictation_to_grounded_note(tts_wav, tiny_transcriber) -> None:
    audio = load_audio(tts_wav(DICTATION, voice="en-us", rate=140))
    tr = tiny_transcriber.transcribe(audio)
    assert tr.words, "word timestamps are needed for word-level evidence"
    note = structure(tr, Settings.resolve(), mode="dictation")
    assert_grounded(note, tr)
    items = note.all_items()
    assert items, tr.text
    # evidence resolves to Whisper word ids, i.e. to times in the audio
    for item in items:
        for ev in item.evidence:
            assert ev.word_ids, (item, ev)
            words = {w.id: w for w in tr.segment(ev.segment_id).words}
            assert all(words[i].end > words[i].start for i in ev.word_ids)
    text = tr.text.lower()
    if "amoxicillin" in text:  # tiny.en usually gets it; when it does, it must be a medication
        assert any(m.name.lower() == "amoxicillin" and m.drug_id for m in note.medications)
    if "asthma" in text:
        assert any(p.icd10.startswith("J45") for p in note.problems)
