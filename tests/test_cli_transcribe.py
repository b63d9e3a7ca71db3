"""`medasr transcribe` as a user runs it: real subprocess, real bundled tiny.en, real TTS audio."""

import json
import os
from pathlib import Path

import numpy as np
import pytest

from medasr.audio import write_wav
from medasr.schema import Transcript

pytestmark = pytest.mark.integration


def _err(proc) -> str:
    return proc.stderr.decode()


def test_transcribes_tts_sentence_to_stdout(cli, tts_wav):
    proc = cli("transcribe", str(tts_wav("The patient is stable.")))
    assert proc.returncode == 0, _err(proc)
    assert "patient is stable" in proc.stdout.decode().lower()
    summary = _err(proc).strip().splitlines()[-1]
    for part in ("audio", "wall", "RTF", "tiny.en-medical+tiny.en (repo+bundled)", "cpu/int8", "correct both"):
        assert part in summary


def test_all_formats_and_json_schema(cli, tts_wav, tmp_path: Path):
    wav = tts_wav("Please take a deep breath.")
    proc = cli("transcribe", str(wav), "-f", "all", "-o", str(tmp_path), "--beam-size", "2")
    assert proc.returncode == 0, _err(proc)
    stem = wav.stem
    for ext in ("txt", "json", "srt", "vtt", "tsv"):
        assert (tmp_path / f"{stem}.{ext}").stat().st_size > 0
    d = json.loads((tmp_path / f"{stem}.json").read_text())
    tr = Transcript.from_dict(d)
    assert tr.model.name == "tiny.en-medical+tiny.en" and tr.model.compute_type == "int8"  # the default: two models
    assert [(p.name, p.source) for p in tr.model.parts] == [("tiny.en-medical", "repo"), ("tiny.en", "bundled")]
    assert d["options"]["pipeline"] == "asr+lexicon+bart" and d["options"]["hybrid"]["general"] == "tiny.en"
    assert d["options"]["beam_size"] == 2 and d["options"]["vad"] is True
    words = [w for s in tr.segments for w in s.words]
    assert words and all(0.0 <= w.probability <= 1.0 for w in words)
    for s in tr.segments:  # segment text equals its joined words
        assert "".join(w.text for w in s.words).strip() == s.text.strip()
    assert "deep breath" in tr.text.lower()


def test_stdin_and_glob(cli, tts_wav, tmp_path: Path):
    wav = tts_wav("Good morning doctor.")
    proc = cli("transcribe", "-", input=wav.read_bytes())
    assert proc.returncode == 0, _err(proc)
    assert "good morning" in proc.stdout.decode().lower()
    (tmp_path / "in").mkdir()
    for i in range(2):
        (tmp_path / "in" / f"a{i}.wav").write_bytes(wav.read_bytes())
    proc = cli("transcribe", str(tmp_path / "in" / "*.wav"), "-o", str(tmp_path / "out"))
    assert proc.returncode == 0, _err(proc)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a0.txt", "a1.txt"]


def test_silent_audio_gives_empty_transcript(cli, tmp_path: Path):
    p = tmp_path / "silence.wav"
    write_wav(p, np.zeros(16000 * 5, dtype=np.float32))
    proc = cli("transcribe", str(p), "-f", "json")
    assert proc.returncode == 0, _err(proc)
    d = json.loads(proc.stdout)
    assert d["segments"] == [] and d["text"] == ""


def test_low_noise_gives_no_invented_words(cli, tmp_path: Path):
    p = tmp_path / "hiss.wav"
    write_wav(p, (np.random.default_rng(0).standard_normal(16000 * 5) * 0.002).astype(np.float32))
    proc = cli("transcribe", str(p))
    assert proc.returncode == 0, _err(proc)
    assert proc.stdout.decode().strip() == ""


def _bad_inputs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    (tmp_path / "empty.wav").write_bytes(b"")
    (tmp_path / "notes.wav").write_text("Patient notes, not audio.\n")
    (tmp_path / "corrupt.wav").write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(256)) * 4)
    (tmp_path / "noaudio").mkdir()
    (tmp_path / "noaudio" / "readme.txt").write_text("nothing here")
    return {
        "missing": (tmp_path / "missing.wav", "file not found"),
        "zero-length": (tmp_path / "empty.wav", "file is empty"),
        "text-as-wav": (tmp_path / "notes.wav", "looks like a text file"),
        "corrupt": (tmp_path / "corrupt.wav", "cannot decode audio"),
        "folder-without-audio": (tmp_path / "noaudio", "folder has no audio files"),
    }


@pytest.mark.parametrize("case", ["missing", "zero-length", "text-as-wav", "corrupt", "folder-without-audio"])
def test_bad_input_one_clear_line_and_nonzero_exit(cli, tmp_path: Path, case: str):
    path, message = _bad_inputs(tmp_path)[case]
    proc = cli("transcribe", str(path))
    err = _err(proc)
    assert proc.returncode == 1
    assert f"medasr: error: {path}: {message}" in err
    assert "Traceback" not in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(cli, tts_wav, tmp_path: Path):
    p = tmp_path / "locked.wav"
    p.write_bytes(tts_wav("hi").read_bytes())
    p.chmod(0)
    proc = cli("transcribe", str(p))
    assert proc.returncode == 1 and "cannot read file" in _err(proc)


def test_batch_reports_bad_file_and_finishes_the_rest(cli, tts_wav, tmp_path: Path):
    bad = _bad_inputs(tmp_path)
    good = tts_wav("Blood pressure is normal.")
    proc = cli("transcribe", str(bad["text-as-wav"][0]), str(good), str(bad["missing"][0]), "-o", str(tmp_path / "out"))
    err = _err(proc)
    assert proc.returncode == 1
    assert "looks like a text file" in err and "file not found" in err and "Traceback" not in err
    assert "blood pressure" in (tmp_path / "out" / f"{good.stem}.txt").read_text().lower()
    assert "1 file, 2 failed" in err


def test_unknown_model_offline_names_what_works(cli, tts_wav):
    proc = cli("transcribe", "--model", "large-v3", str(tts_wav("hi")))
    err = _err(proc)
    assert proc.returncode == 1 and "Traceback" not in err
    assert "Names that work offline: tiny.en, base" in err


def test_bad_option_values(cli, tts_wav):
    wav = str(tts_wav("hi"))
    proc = cli("transcribe", wav, "--format", "docx")
    assert proc.returncode == 2 and "unknown format 'docx'" in _err(proc)
    proc = cli("transcribe", wav, "--device", "cuda")
    assert proc.returncode != 0 and "no CUDA device" in _err(proc) and "Traceback" not in _err(proc)


def test_help_documents_every_option_in_readme():
    """datasette-style: every `medasr transcribe` option appears in the README's CLI reference."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    from medasr.cli.transcribe import transcribe

    for p in transcribe.params:
        for opt in [*getattr(p, "opts", []), *getattr(p, "secondary_opts", [])]:
            if opt.startswith("--"):
                assert opt in readme, f"{opt} is not documented in README.md"
