"""`medasr batch --engine ray` for real: a private local Ray (offline: no dashboard, no usage
statistics) runs the Ray Data stages with two transcription actors; outputs equal `medasr
transcribe`'s, a corrupt file and a URL that is not there are reported, the rest written, and
Ray is gone when the command ends."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from medasr.bench.outputs import normalized_outputs as outputs

pytestmark = [pytest.mark.integration, pytest.mark.ray]


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmdline:
            found.append(f"{pid}: {cmdline[:120]}")
    return found


def test_ray_engine_outputs_errors_and_clean_shutdown(cli, tts_wav, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(tts_wav("The patient is stable and takes an aspirin every morning.", rate=170), src / "a.wav")
    shutil.copy(tts_wav("Please take a deep breath and hold it.", rate=170), src / "b.wav")
    (src / "corrupt.wav").write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(256)) * 4)
    remote = tmp_path / "remote"
    remote.mkdir()
    shutil.copy(tts_wav("The wound is healing well and the stitches can come out.", rate=170), remote / "c.wav")
    url, gone = (remote / "c.wav").as_uri(), (remote / "gone.wav").as_uri()  # file:// URLs: fetched by Ray's reader
    ray_tmp = tempfile.mkdtemp(prefix="mr", dir="/tmp")  # short: Ray's socket paths must fit in 107 bytes
    try:
        t = cli("transcribe", str(src / "a.wav"), str(src / "b.wav"), str(remote / "c.wav"), "-o", str(tmp_path / "t"), "-f", "txt,json")
        assert t.returncode == 0, t.stderr.decode()
        b = cli("batch", str(src), url, gone, "-o", str(tmp_path / "b"), "--engine", "ray", "--workers", "2", "-f", "txt,json",
                env={"RAY_TMPDIR": ray_tmp})
        err = b.stderr.decode()
        assert b.returncode == 1 and "Traceback" not in err, err
        assert f"medasr: error: {src / 'corrupt.wav'}: cannot decode audio" in err
        assert f"medasr: error: {gone}: not read: missing or unreadable at the source" in err
        assert "5 files: 3 done, 0 skipped, 2 failed" in err and "engine ray (2 workers)" in err
        want, got = outputs(tmp_path / "t"), outputs(tmp_path / "b")
        assert {n: got[n] for n in ("a.txt", "a.json", "b.txt", "b.json", "c.txt")} == {n: want[n] for n in ("a.txt", "a.json", "b.txt", "b.json", "c.txt")}
        cj = json.loads(got["c.json"])
        assert cj["audio"] == url and cj == {**json.loads(want["c.json"]), "audio": url}  # the URL is the label
        rows = [json.loads(line) for line in (tmp_path / "b" / "results.jsonl").read_text().splitlines()]
        assert {Path(r["file"]).name: r["status"] for r in rows} == {"a.wav": "done", "b.wav": "done", "corrupt.wav": "failed",
                                                                    "c.wav": "done", "gone.wav": "failed"}
        # offline and gone: usage statistics off, and no process of that Ray left
        (session,) = [p for p in Path(ray_tmp).glob("ray/session_2*") if p.is_dir() and not p.is_symlink()]
        assert "Usage reporting is disabled" in (session / "logs" / "dashboard.log").read_text()
        assert _processes_mentioning(ray_tmp) == []
    finally:
        shutil.rmtree(ray_tmp, ignore_errors=True)
    # the engine is not part of the settings: the local engine skips what Ray did
    again = cli("batch", str(src), "-o", str(tmp_path / "b"), "--engine", "local", "-f", "txt,json")
    assert again.returncode == 1 and "3 files: 0 done, 2 skipped, 1 failed" in again.stderr.decode()
