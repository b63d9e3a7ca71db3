"""Speakers without models: options, word assignment and splits, roles, labels, writers, schema, metrics."""

from __future__ import annotations

import json

import numpy as np
import pytest
from fakes.diarizer import FakeDiarizer

from medasr.config import Settings
from medasr.errors import AudioError, ConfigError
from medasr.schema import Segment, SpeakerTurn, Transcript, Word
from medasr.speakers.assign import split_by_speaker
from medasr.speakers.channels import check_channels, merge_channels
from medasr.speakers.cues import clinician_score, count
from medasr.speakers.labels import speaker_labels
from medasr.speakers.roles import label_roles
from medasr.speakers.spec import RoleSpec, SpeakerSpec, parse_roles, parse_speakers
from medasr.writers import get_writer


def seg(i: int, words: list[tuple[float, float, str]]) -> Segment:
    ws = tuple(Word(a, b, " " + t, 0.9, f"{i}.{j}") for j, (a, b, t) in enumerate(words))
    return Segment(i, words[0][0], words[-1][1], "".join(w.text for w in ws), ws)


# a clinician question and a patient answer that the recognizer put in one segment, then the clinician again
DOC1 = [(0.0, 0.4, "Hello,"), (0.4, 0.6, "I'm"), (0.6, 1.0, "Dr"), (1.0, 1.5, "Patel."), (1.6, 2.0, "What"), (2.0, 2.3, "brings"),
        (2.3, 2.5, "you"), (2.5, 2.9, "in?")]
PAT = [(3.5, 3.7, "I've"), (3.7, 4.0, "had"), (4.0, 4.2, "a"), (4.2, 4.7, "cough"), (4.7, 4.9, "for"), (4.9, 5.2, "two"),
       (5.2, 5.7, "weeks"), (5.7, 5.9, "and"), (5.9, 6.0, "my"), (6.0, 6.4, "chest"), (6.4, 6.9, "hurts.")]
DOC2 = [(7.5, 7.8, "Have"), (7.8, 8.0, "you"), (8.0, 8.3, "had"), (8.3, 8.5, "a"), (8.5, 9.0, "fever?"), (9.2, 9.4, "I'll"),
        (9.4, 9.9, "prescribe"), (9.9, 10.5, "amoxicillin.")]
TURNS = [(0.0, 3.0, "S1"), (3.4, 7.0, "S2"), (7.4, 10.6, "S1")]


def consult() -> Transcript:
    return Transcript(segments=(seg(0, DOC1 + PAT), seg(1, DOC2)), duration=11.0)


def test_parse_options():
    assert parse_speakers(None) == SpeakerSpec() and not parse_speakers("none").enabled
    assert parse_speakers("auto") == SpeakerSpec("auto") and parse_speakers("Channels") == SpeakerSpec("channels")
    assert parse_speakers("3") == SpeakerSpec("fixed", 3) and str(parse_speakers("3")) == "3"
    for bad in ("0x", "many", "11", "-1"):
        with pytest.raises(ConfigError, match="speakers"):
            parse_speakers(bad)
    assert parse_roles(None) == RoleSpec("auto") and parse_roles("clinician-first").mode == "clinician-first"
    assert parse_roles("s1=Clinician, S2=patient").mapping == {"S1": "clinician", "S2": "patient"}
    for bad in ("S1=doctor", "X=patient", "S1", "S1=patient,S1=other"):
        with pytest.raises(ConfigError, match="roles"):
            parse_roles(bad)
    with pytest.raises(ConfigError, match="speakers"):
        Settings.resolve({"speakers": "lots"}, env={})
    assert Settings.resolve(env={"MEDASR_SPEAKERS": "auto"}).speakers == "auto"


def test_split_at_speaker_change_keeps_word_ids():
    out = split_by_speaker(consult(), [SpeakerTurn(*t) for t in TURNS])
    assert [s.id for s in out.segments] == [0, 1, 2]
    assert [s.speaker for s in out.segments] == ["S1", "S2", "S1"]
    assert out.segments[0].text == " Hello, I'm Dr Patel. What brings you in?"
    assert out.segments[1].text == " I've had a cough for two weeks and my chest hurts."
    assert [w.id for w in out.segments[1].words][:2] == ["0.8", "0.9"]  # ids from the recognizer's segment 0
    assert out.segments[1].start == 3.5 and out.segments[0].end == 2.9
    assert all(w.speaker == s.speaker for s in out.segments for w in s.words)
    assert [w.id for w in out.words] == [w.id for w in consult().words]  # nothing lost, order kept
    for s in out.segments:  # the recognizer's rule still holds: text is the words joined
        assert s.text == "".join(w.text for w in s.words)


def test_word_in_gap_and_no_turns():
    t = Transcript(segments=(seg(0, [(20.0, 20.5, "late")]),))
    assert split_by_speaker(t, [SpeakerTurn(0, 1, "S1")]).segments[0].speaker is None  # 19 s away from any turn
    assert split_by_speaker(t, [SpeakerTurn(0, 19.4, "S1")]).segments[0].speaker == "S1"
    assert split_by_speaker(t, []).segments[0].speaker is None
    no_words = Transcript(segments=(Segment(0, 0.0, 3.0, " text only"),))
    assert split_by_speaker(no_words, [SpeakerTurn(0, 2.5, "S2")]).segments[0].speaker == "S2"


def test_roles_from_content_and_overrides():
    split = split_by_speaker(consult(), [SpeakerTurn(*t) for t in TURNS])
    auto = label_roles(split, RoleSpec("auto"))
    assert [s.role for s in auto.segments] == ["clinician", "patient", "clinician"]
    assert 0.5 < auto.segments[0].role_score <= 1.0 and all(w.role == "clinician" for w in auto.segments[0].words)
    swapped = label_roles(split, parse_roles("S1=patient,S2=clinician"))
    assert [s.role for s in swapped.segments] == ["patient", "clinician", "patient"] and swapped.segments[0].role_score == 1.0
    first = label_roles(split, RoleSpec("clinician-first"))
    assert first.segments[1].role == "patient"
    none = label_roles(split, RoleSpec("none"))
    assert all(s.role is None and s.role_score is None for s in none.segments)
    partial = label_roles(split, parse_roles("S1=clinician"))
    assert partial.segments[1].role == "other"


def test_more_than_two_voices_are_other():
    t = consult()
    third = seg(2, [(12.0, 12.3, "Is"), (12.3, 12.6, "he"), (12.6, 13.0, "alright"), (13.0, 13.5, "doctor?")])
    t = t.with_changes(segments=t.segments + (third,))
    out = label_roles(split_by_speaker(t, [SpeakerTurn(*x) for x in TURNS] + [SpeakerTurn(11.8, 13.6, "S3")]), RoleSpec("auto"))
    assert {s.speaker: s.role for s in out.segments} == {"S1": "clinician", "S2": "patient", "S3": "other"}
    assert speaker_labels(out) == {"S1": "Clinician", "S2": "Patient", "S3": "Other S3"}


def test_cues_lean_the_right_way():
    doc = "Hello, I'm Dr Jones. What brings you in today? How long have you had it? I'll prescribe ibuprofen."
    pat = "I've had a headache for three days. It started on Monday and my neck is stiff."
    assert clinician_score(count(doc)) > 0.5 > -0.5 > clinician_score(count(pat))
    assert clinician_score(count("")) == 0.0


def test_one_speaker_and_unknown_role():
    one = split_by_speaker(Transcript(segments=(seg(0, DOC2),)), [SpeakerTurn(7.0, 11.0, "S1")])
    lab = label_roles(one, RoleSpec("auto"))
    assert {s.speaker for s in lab.segments} == {"S1"}
    vague = Transcript(segments=(seg(0, [(0, 0.5, "The"), (0.5, 1, "weather"), (1, 1.5, "is"), (1.5, 2, "nice.")]),))
    lab = label_roles(split_by_speaker(vague, [SpeakerTurn(0, 2, "S1")]), RoleSpec("auto"))
    assert lab.segments[0].role is None and lab.segments[0].role_score is None
    assert speaker_labels(lab) == {"S1": "S1"}


def labelled() -> Transcript:
    return label_roles(split_by_speaker(consult(), [SpeakerTurn(*t) for t in TURNS]), RoleSpec("auto"))


def test_writers_show_speakers():
    t = labelled()
    txt = get_writer("txt").format(t).splitlines()
    assert txt[0].startswith("[Clinician] Hello") and txt[1].startswith("[Patient] I've had")
    srt = get_writer("srt").format(t)
    assert "\n[Patient] I've had a cough" in srt
    vtt = get_writer("vtt").format(t)
    assert "<v Clinician>Hello, I'm Dr Patel." in vtt and "<v Patient>I've had" in vtt
    tsv = get_writer("tsv").format(t).splitlines()
    assert tsv[0] == "start\tend\ttext\tspeaker" and tsv[2].endswith("\tPatient")
    unknown = label_roles(split_by_speaker(consult(), [SpeakerTurn(*x) for x in TURNS]), RoleSpec("none"))
    assert get_writer("txt").format(unknown).startswith("[S1] Hello")
    plain = consult()  # no speakers: outputs exactly as before
    assert get_writer("txt").format(plain).splitlines()[1] == "Have you had a fever? I'll prescribe amoxicillin."
    assert get_writer("tsv").format(plain).splitlines()[0] == "start\tend\ttext"
    assert "<v " not in get_writer("vtt").format(plain)


def test_schema_round_trip_and_old_json():
    t = labelled()
    d = json.loads(get_writer("json").format(t))
    s1 = d["segments"][1]
    assert s1["speaker"] == "S2" and s1["role"] == "patient" and 0 < s1["role_score"] <= 1
    assert s1["words"][0]["speaker"] == "S2" and s1["words"][0]["role"] == "patient"
    assert Transcript.from_dict(d) == t
    old = json.loads(get_writer("json").format(consult()))
    assert "role" not in old["segments"][0] and "speaker" not in old["segments"][0]["words"][0]
    assert old["segments"][0]["speaker"] is None  # the key older files always had
    old["segments"][0].pop("speaker")
    assert Transcript.from_dict(old).segments[0].role is None
    assert SpeakerTurn.from_dict(SpeakerTurn(1.0, 2.0, "S1").to_dict()) == SpeakerTurn(1.0, 2.0, "S1")


def test_channels_checks_and_merge():
    with pytest.raises(AudioError, match="1 channel"):
        check_channels(np.zeros((1, 16000), np.float32), "x.wav")
    same = np.random.default_rng(0).standard_normal(16000).astype(np.float32)
    with pytest.raises(AudioError, match="same signal"):
        check_channels(np.stack([same, same]), "x.wav")
    a = Transcript(segments=(seg(0, DOC1), seg(1, DOC2)), duration=11.0)
    b = Transcript(segments=(seg(0, PAT),), duration=10.0)
    m = merge_channels([a, b])
    assert [s.speaker for s in m.segments] == ["S1", "S2", "S1"] and m.duration == 11.0
    assert [s.id for s in m.segments] == [0, 1, 2] and m.segments[1].words[0].id == "1.0"
    assert len({w.id for w in m.words}) == len(m.words)


def test_pipeline_stage_with_fake_diarizer():
    from medasr.pipeline import build_pipeline
    from medasr.speakers.stage import Speakers

    class Recognizer:  # a transcriber that returns the fixed transcript
        def transcribe(self, audio, options=None, *, progress=None):
            return consult()

    fake = FakeDiarizer(TURNS)
    stage = Speakers(parse_speakers("2"), RoleSpec("auto"), _diarizer=fake)
    pipe = build_pipeline(Settings.resolve(env={}), transcriber=Recognizer(), speakers=stage)
    out = pipe.run(np.zeros(16000 * 11, np.float32)).transcript
    assert fake.calls == [(16000 * 11, 2)]
    assert [s.role for s in out.segments] == ["clinician", "patient", "clinician"]
    assert out.options["speakers"] == "2" and out.options["diarizer"] == "fake" and "diarize" in out.timings
    assert build_pipeline(Settings.resolve({"speakers": "auto"}, env={}), transcriber=Recognizer()).speakers.spec == SpeakerSpec("auto")
    assert build_pipeline(Settings.resolve(env={}), transcriber=Recognizer()).speakers is None
    text_only = pipe.process(consult())  # a finished stream: no audio, nothing to diarize, no crash
    assert all(s.speaker is None and s.role is None for s in text_only.segments)


def test_der_and_role_scores():
    from medasr.bench.consultations import RefTurn
    from medasr.bench.diarization import der, role_scores

    ref = [(0.0, 10.0, "doctor"), (10.0, 20.0, "patient")]
    assert der(ref, [SpeakerTurn(0, 10, "S2"), SpeakerTurn(10, 20, "S1")], collar=0)["der"] == 0.0  # labels mapped
    d = der(ref, [SpeakerTurn(0, 15, "S1"), SpeakerTurn(15, 20, "S2")], collar=0)
    assert d["confusion"] == pytest.approx(0.25, abs=0.01) and d["miss"] == 0.0
    d = der(ref, [SpeakerTurn(0, 10, "S1")], collar=0)
    assert d["miss"] == pytest.approx(0.5, abs=0.01) and d["der"] == pytest.approx(0.5, abs=0.01)
    assert der(ref, [SpeakerTurn(0, 15, "S1"), SpeakerTurn(15, 20, "S2")], collar=5.0)["der"] == 0.0  # all within the collar
    refs = [RefTurn("doctor", "clinician", 0.0, 3.0, "", "v"), RefTurn("patient", "patient", 3.4, 7.0, "", "v"),
            RefTurn("patient", "patient", 1.0, 1.4, "yes", "v", backchannel=True), RefTurn("doctor", "clinician", 7.4, 10.6, "", "v"),
            RefTurn("patient", "patient", 20.0, 21.0, "", "v")]
    r = role_scores(refs, labelled())
    assert (r["turns"], r["turns_right"], r["turns_with_words"], r["backchannels"]) == (4, 3, 3, 1)
    assert r["words"] == len(labelled().words) - 1 and r["word_accuracy"] == 1.0  # "Patel." lies in the overlap: not scored
    # where two speakers' turns overlap, the one whose voice is audible there holds the word
    a = RefTurn("doctor", "clinician", 0.0, 2.0, "", "v", speech=((0.0, 1.7),))
    b = RefTurn("patient", "patient", 1.8, 3.0, "yes", "v", speech=((1.85, 2.3),))
    yes = Transcript(segments=(Segment(id=0, start=1.9, end=2.0, text=" Yes.", speaker="S2", role="patient",
                                       words=(Word(1.9, 2.0, " Yes.", 0.9, "0.0", "S2", "patient"),)),))
    assert role_scores([a, b], yes)["turns_right"] == 1
    assert role_scores([a, RefTurn("patient", "patient", 1.8, 3.0, "yes", "v")], yes)["turns_with_words"] == 0  # neither audible: nobody's


def test_snap_moves_words_onto_their_channels_speech():
    from medasr.speakers.snap import snap_span, snap_words

    regions = [(1.0, 2.0), (5.0, 5.4)]
    assert snap_span(0.8, 1.3, regions) == pytest.approx((1.0, 1.3))  # overlapping: clipped to the speech
    assert snap_span(5.45, 5.75, regions) == pytest.approx((5.1, 5.4))  # just after the voice: onto its end, same length
    assert snap_span(4.6, 4.9, regions) == pytest.approx((5.0, 5.3))  # just before: onto its start
    assert snap_span(3.0, 3.3, regions) == pytest.approx((3.0, 3.3))  # far from any speech: left alone
    assert snap_span(1.5, 5.2, regions) == pytest.approx((1.5, 5.2))  # spans both: from the first's part to the last's
    t = Transcript(segments=(Segment(id=0, start=4.6, end=5.9, text=" Um, yes.", words=(
        Word(4.6, 4.9, " Um,", 0.9, "0.0"), Word(5.45, 5.9, " yes.", 0.8, "0.1"))),))
    out = snap_words(t, regions)
    (seg,) = out.segments
    assert [(w.start, w.end) for w in seg.words] == [(5.0, 5.3), (5.0, 5.4)] and (seg.start, seg.end) == (5.0, 5.4)
    assert [w.text for w in seg.words] == [" Um,", " yes."] and [w.id for w in seg.words] == ["0.0", "0.1"]
    assert snap_words(t, []) is t


def test_diarizer_registry_and_pyannote_errors(tmp_path):
    import importlib.util

    from medasr.speakers.base import diarizer_names, get_diarizer

    assert diarizer_names() == ["pyannote", "senko"]
    with pytest.raises(ConfigError, match="unknown diarizer 'nope'"):
        get_diarizer("nope", Settings.resolve(env={}))
    d = get_diarizer("pyannote", Settings.resolve({"pyannote_pipeline": str(tmp_path / "missing")}, env={}))
    audio = np.zeros(16000, np.float32)
    if importlib.util.find_spec("pyannote") is None:
        with pytest.raises(ConfigError, match="pyannote.audio is not installed"):
            d.diarize(audio)
    else:
        with pytest.raises(ConfigError, match="config.yaml"):
            d.diarize(audio)
