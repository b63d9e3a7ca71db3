"""Every output format round-trips through a parser."""

import json
import re

import pytest

from medasr.schema import Segment, Transcript, Word
from medasr.writers import WRITERS, get_writer
from medasr.errors import ConfigError

TS = re.compile(r"(\d\d):(\d\d):(\d\d)[,.](\d\d\d)")


def _secs(ts: str) -> float:
    h, m, s, ms = map(int, TS.fullmatch(ts).groups())
    return h * 3600 + m * 60 + s + ms / 1000


def parse_srt(text: str) -> list[tuple[float, float, str]]:
    cues = []
    for block in text.strip().split("\n\n"):
        lines = block.splitlines()
        assert lines[0].strip().isdigit() and int(lines[0]) == len(cues) + 1
        a, b = lines[1].split(" --> ")
        cues.append((_secs(a), _secs(b), "\n".join(lines[2:])))
    return cues


def parse_vtt(text: str) -> list[tuple[float, float, str]]:
    assert text.startswith("WEBVTT")
    cues = []
    for block in text.strip().split("\n\n")[1:]:
        lines = block.splitlines()
        a, b = lines[0].split(" --> ")
        cues.append((_secs(a), _secs(b), "\n".join(lines[1:])))
    return cues


def parse_tsv(text: str) -> list[tuple[float, float, str]]:
    lines = text.rstrip("\n").split("\n")
    assert lines[0] == "start\tend\ttext"
    return [(int(a) / 1000, int(b) / 1000, t) for a, b, t in (l.split("\t") for l in lines[1:])]


def check_cues(cues, transcript):
    assert [c[2] for c in cues] == [s.text.strip() for s in transcript.segments]
    last = -1.0
    for start, end, _ in cues:
        assert start >= last and end > start  # timestamps increase
        last = end


def make_transcript() -> Transcript:
    segs = []
    t = 0.0
    for i, text in enumerate([" Patient reports chest pain.", " Started on metformin 500 mg b.i.d.", " Follow up in 3,600 seconds\tok."]):
        words = tuple(Word(t + j * 0.4, t + j * 0.4 + 0.35, " " + w, 0.9, f"{i}.{j}") for j, w in enumerate(text.split()))
        segs.append(Segment(i, t, t + 2.0 + i, text, words, -0.2, 0.01, 1.1))
        t += 2.5 + i * 3700  # crosses the hour mark
    return Transcript(tuple(segs), "en", t, None, {"beam_size": 5}, audio="x.wav")


def test_srt_vtt_tsv_round_trip():
    tr = make_transcript()
    check_cues(parse_srt(get_writer("srt").format(tr)), tr)
    check_cues(parse_vtt(get_writer("vtt").format(tr)), tr)
    tsv = parse_tsv(get_writer("tsv").format(tr))
    assert [c[2] for c in tsv][:2] == [s.text.strip() for s in tr.segments][:2]
    assert tsv[2][2] == "Follow up in 3,600 seconds ok."  # tabs in text never break columns
    assert parse_srt(get_writer("srt").format(tr))[2][0] > 3600


def test_json_round_trip_is_exact():
    tr = make_transcript()
    d = json.loads(get_writer("json").format(tr))
    assert d["schema_version"] == "1" and d["text"] == tr.text
    assert Transcript.from_dict(d) == tr


def test_txt_and_empty_transcripts():
    tr = make_transcript()
    assert get_writer("txt").format(tr).splitlines() == [s.text.strip() for s in tr.segments]
    empty = Transcript(segments=())
    for fmt in WRITERS:
        out = get_writer(fmt).format(empty)
        assert isinstance(out, str)
    assert get_writer("txt").format(empty) == ""
    assert get_writer("srt").format(empty) == "" and get_writer("vtt").format(empty).strip() == "WEBVTT"


def test_overlapping_segments_are_made_monotonic():
    segs = (Segment(0, 0.0, 2.0, " a"), Segment(1, 1.5, 1.5, " b"))
    cues = parse_srt(get_writer("srt").format(Transcript(segs)))
    assert cues[1][0] >= cues[0][1] and cues[1][1] > cues[1][0]


def test_unknown_format():
    with pytest.raises(ConfigError, match="unknown output format 'docx'"):
        get_writer("docx")
