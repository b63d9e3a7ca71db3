"""`medasr batch` as a user runs it (a subprocess, the real bundled tiny.en, espeak-ng audio), on the
local engine: outputs identical to `medasr transcribe`, bad files reported while the rest finish,
a SIGKILL halfway loses nothing, a rerun skips what is done, bad input says what is wrong."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from medasr.bench.outputs import normalized_outputs

pytestmark = pytest.mark.integration

SENTENCES = (
    "The patient is stable and takes an aspirin every morning.",
    "Blood pressure is one hundred and twenty over eighty.",
    "Review in one week with blood tests.",
    "The wound is healing well and the stitches can come out.",
    "Start amoxicillin five hundred milligrams three times a day.",
    "There is no chest pain and no shortness of breath.",
)
FAST = ("--model", "tiny.en", "--beam-size", "1")
# None of these makes tiny.en fall back to sampling (temperature > 0). One that does ("She has a
# history of asthma and hay fever." at 170 words a minute) decodes differently with what the same
# process decoded before it, in medasr transcribe as in a batch worker: no test of identity can hold there.


@pytest.fixture(scope="module")
def clips(tts_wav) -> list[Path]:
    return [tts_wav(s, rate=170) for s in SENTENCES]


def _folder(root: Path, clips: list[Path], names: list[str]) -> Path:
    for clip, name in zip(clips, names):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(clip, root / name)
    return root


def ledger(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "ledger.jsonl").read_text().splitlines()]


def _err(proc) -> str:
    return proc.stderr.decode()


def test_outputs_identical_to_transcribe(cli, clips, tmp_path: Path) -> None:
    src = _folder(tmp_path / "visits", clips, ["a.wav", "b.wav", "c.wav", "sub/a.wav"])  # two a.wav: a and a-1
    flags = ("-f", "all", "--correct", "lexicon", "--note", "--model", "tiny.en")
    t = cli("transcribe", str(src), "-o", str(tmp_path / "t"), *flags)
    b = cli("batch", str(src), "-o", str(tmp_path / "b"), "--engine", "local", "--workers", "2", *flags)
    assert t.returncode == 0 and b.returncode == 0, _err(t) + _err(b)
    want, got = normalized_outputs(tmp_path / "t"), normalized_outputs(tmp_path / "b")
    assert len(want) == 4 * 7 and "a-1.note.md" in want  # txt json srt vtt tsv + the note's md and json, each file
    assert got == want
    assert json.loads((tmp_path / "b" / "a-1.json").read_text())["audio"] == str(src / "sub" / "a.wav")  # the label transcribe writes
    rows = [json.loads(line) for line in (tmp_path / "b" / "results.jsonl").read_text().splitlines()]
    assert [(r["file"], r["status"]) for r in rows] == [(str(src / n), "done") for n in ("a.wav", "b.wav", "c.wav", "sub/a.wav")]
    assert all(r["text"] and r["duration"] > 1 and r["pipeline"] == "asr+lexicon" and len(r["sha256"]) == 64 and "asr" in r["timings"]
               for r in rows)
    assert "4 files: 4 done, 0 skipped, 0 failed" in _err(b) and "x real time" in _err(b)


def test_bad_files_reported_the_rest_written_and_rerun_retries_only_them(cli, clips, tmp_path: Path) -> None:
    src = _folder(tmp_path / "in", clips, ["a.wav", "b.wav"])
    (src / "corrupt.wav").write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(256)) * 4)
    (src / "notes.wav").write_text("Patient notes, not audio.\n")
    manifest = src / "list.csv"
    manifest.write_text("audio,speaker\na.wav,dr\ncorrupt.wav,dr\nnotes.wav,dr\ngone.wav,dr\nb.wav,dr\n")
    out = tmp_path / "out"
    proc = cli("batch", str(manifest), "-o", str(out), "--engine", "local", "-f", "txt,json", *FAST)
    err = _err(proc)
    assert proc.returncode == 1 and "Traceback" not in err
    assert f"medasr: error: {src / 'corrupt.wav'}: cannot decode audio" in err
    assert f"{src / 'notes.wav'}: looks like a text file" in err and f"{src / 'gone.wav'}: file not found" in err
    assert sorted(p.name for p in out.glob("*.txt")) == ["a.txt", "b.txt"]
    assert "5 files: 2 done, 0 skipped, 3 failed" in err
    rows = {Path(r["file"]).name: r for r in map(json.loads, (out / "results.jsonl").read_text().splitlines())}
    assert {n: r["status"] for n, r in rows.items()} == {"a.wav": "done", "corrupt.wav": "failed", "notes.wav": "failed",
                                                        "gone.wav": "failed", "b.wav": "done"}
    assert "cannot decode audio" in rows["corrupt.wav"]["error"] and rows["a.wav"]["outputs"] == ["a.txt", "a.json"]
    first = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}

    shutil.copy(clips[2], src / "corrupt.wav")  # the bad file mended; the others still bad
    again = cli("batch", str(manifest), "-o", str(out), "--engine", "local", "-f", "txt,json", *FAST)
    assert again.returncode == 1 and "5 files: 1 done, 2 skipped, 2 failed" in _err(again)
    assert "one week" in (out / "corrupt.txt").read_text().lower()
    assert all(out.joinpath(n).stat().st_mtime_ns == first[n] for n in ("a.txt", "a.json", "b.txt", "b.json"))  # not rewritten
    done = [Path(r["file"]).name for r in ledger(out) if r["status"] == "done"]
    assert sorted(done) == ["a.wav", "b.wav", "corrupt.wav"]  # each done once, over both runs
    statuses = {Path(r["file"]).name: r["status"] for r in map(json.loads, (out / "results.jsonl").read_text().splitlines())}
    assert statuses == {"a.wav": "skipped", "corrupt.wav": "done", "notes.wav": "failed", "gone.wav": "failed", "b.wav": "skipped"}


def test_killed_halfway_then_rerun_loses_nothing_and_redoes_nothing(clips, tmp_path: Path) -> None:
    names = [f"visit{i}.wav" for i in range(len(clips))]
    src = _folder(tmp_path / "in", clips, names)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "medasr", "batch", str(src), "-o", str(out), "--engine", "local", "-f", "txt,json", *FAST]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if (out / "ledger.jsonl").is_file() and sum(r["status"] == "done" for r in ledger(out)) >= 2:
                break
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the driver and its workers, as a crash or an OOM kill would
        proc.wait()
    first = {Path(r["file"]).name for r in ledger(out) if r["status"] == "done"}
    assert 2 <= len(first) < len(names), "the job should have been killed halfway"
    for n in first:  # what the ledger says is done is whole
        stem = n[:-4]
        assert json.loads((out / f"{stem}.json").read_text())["audio"] == str(src / n) and (out / f"{stem}.txt").read_text()
    mtimes = {f"{n[:-4]}.{ext}": (out / f"{n[:-4]}.{ext}").stat().st_mtime_ns for n in first for ext in ("txt", "json")}

    rerun = subprocess.run(cmd, capture_output=True, timeout=300)
    err = rerun.stderr.decode()
    assert rerun.returncode == 0, err
    assert f"{len(names)} files: {len(names) - len(first)} done, {len(first)} skipped, 0 failed" in err
    done = sorted(Path(r["file"]).name for r in ledger(out) if r["status"] == "done")
    assert done == sorted(names)  # every file done exactly once over the two runs
    assert {n: (out / n).stat().st_mtime_ns for n in mtimes} == mtimes  # finished files were not redone
    assert sorted(p.name for p in out.glob("*.txt")) == sorted(n.replace(".wav", ".txt") for n in names)
    assert not list(out.glob("*.part"))


def test_bad_input_says_what_is_wrong_and_keeps_what_was_written(cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    kept = {"ledger.jsonl": '{"file": "x.wav", "status": "done"}\n', "results.jsonl": "{}\n", "x.txt": "earlier work\n"}
    for name, text in kept.items():
        (out / name).write_text(text)
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "readme.txt").write_text("no audio here")
    (tmp_path / "bad.jsonl").write_text('{"path": "a.wav"}\n')
    cases = [
        (("batch", str(tmp_path / "empty"), "-o", str(out), "--engine", "local"), 1, f"{tmp_path / 'empty'}: folder has no audio files"),
        (("batch", str(tmp_path / "bad.jsonl"), "-o", str(out), "--engine", "local"), 1, "bad.jsonl, line 1: no 'audio' column (columns: path)"),
        (("batch", str(tmp_path / "nope*.wav"), "-o", str(out), "--engine", "local"), 1, "nope*.wav: no files match this pattern"),
        (("batch", "s3://bucket/a.wav", "-o", str(out), "--engine", "local"), 2, "the local engine reads local files only; URLs need --engine ray"),
        (("batch", str(tmp_path), "-o", str(out), "--engine", "local", "--address", "auto"), 2, "--address joins a Ray cluster"),
        (("batch", "-", "-o", str(out), "--engine", "local"), 1, "not stdin"),
        (("batch", str(tmp_path / "a.wav"), "-o", str(out), "--engine", "local", "--model", "large-v3"), 1, "Names that work offline: tiny.en"),
        (("batch", str(tmp_path / "a.wav"), "-o", str(out), "--engine", "local", "--device", "cpu", "--num-gpus", "1"), 2,
         "--num-gpus 1 asks for GPU workers, but --device is cpu"),
    ]
    for args, code, message in cases:
        proc = cli(*args)
        assert proc.returncode == code and message in _err(proc) and "Traceback" not in _err(proc), (args, _err(proc))
    assert {p.name: p.read_text() for p in out.iterdir()} == kept  # nothing already written is lost


def test_help_documents_every_option_in_readme() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    from medasr.cli.batch import batch

    for p in batch.params:
        for opt in [*getattr(p, "opts", []), *getattr(p, "secondary_opts", [])]:
            if opt.startswith("--"):
                assert opt in readme, f"medasr batch {opt} is not documented in README.md"
