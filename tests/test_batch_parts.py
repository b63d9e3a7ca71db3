"""`medasr batch`'s parts without a model: listing inputs (folders, globs, manifests, URLs), the
ledger's skip rule, the settings hash, worker placement (GPU actors float16, CPU int8), the results table."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from medasr.asr.base import TranscribeOptions
from medasr.batch.inputs import list_inputs
from medasr.batch.ledger import Ledger, file_stat
from medasr.batch.ray_engine import check_resources, url_key
from medasr.batch.results import table_row, write_results
from medasr.batch.spec import JobSpec, placement
from medasr.config import Settings
from medasr.errors import ConfigError
from medasr.inputs import Input, expand_inputs


def _touch(p: Path, data: bytes = b"RIFF....WAVE") -> Path:
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    return p


def test_folders_globs_manifests_and_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("visits/a.wav", "visits/deep/a.flac", "visits/b.mp3", "visits/notes.txt", "more/c.wav", "lists/d.wav"):
        _touch(tmp_path / name)
    Path("lists/m.jsonl").write_text('{"audio": "d.wav", "id": 1}\n{"audio": "s3://bucket/calls/e.m4a"}\n')
    Path("lists/m.csv").write_text("audio,text\nd.wav,x\n")
    items, errors = list_inputs(["visits", "more/*.wav", "lists/m.jsonl", "lists/m.csv", "https://x.org/f.wav?sig=1", "-"])
    got = [(i.label, i.stem, i.url) for i in items]
    assert got == [
        ("visits/a.wav", "a", None), ("visits/b.mp3", "b", None), ("visits/deep/a.flac", "a-1", None),  # recursive, unique stems
        ("more/c.wav", "c", None),
        ("lists/d.wav", "d", None), ("s3://bucket/calls/e.m4a", "e", "s3://bucket/calls/e.m4a"),  # relative to the manifest
        ("https://x.org/f.wav?sig=1", "f", "https://x.org/f.wav?sig=1"),
    ]
    assert errors == ["-: medasr batch reads files, folders, globs, manifests and URLs, not stdin (use medasr transcribe -)"]
    # plain paths expand exactly as medasr transcribe expands them
    paths = ["visits", "more/*.wav"]
    assert [(i.label, i.stem) for i in list_inputs(paths)[0]] == [(i.label, i.stem) for i in expand_inputs(paths)[0]]
    # a stem another input already has naturally is never given twice
    _touch(tmp_path / "x/a-1.wav")
    assert [i.stem for i in list_inputs(["visits/a.wav", "visits/deep/a.flac", "x/a-1.wav"])[0]] == ["a", "a-1", "a-1-1"]



def test_parquet_manifest(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    _touch(tmp_path / "audio" / "c.wav")
    pq.write_table(pa.table({"audio": ["audio/c.wav", str(tmp_path / "audio" / "c.wav")], "text": ["a", "b"]}), tmp_path / "m.parquet")
    items, errors = list_inputs([str(tmp_path / "m.parquet")])
    assert errors == [] and [(i.label, i.stem) for i in items] == [(str(tmp_path / "audio/c.wav"), "c")]  # named twice: done once


@pytest.mark.parametrize("name, content, message", [
    ("bad.jsonl", '{"audio": "a.wav"}\n{"file": "b.wav"}\n', "bad.jsonl, line 2: no 'audio' column (columns: file)"),
    ("bad.csv", "path,text\na.wav,hi\n", "bad.csv, line 2: no 'audio' column (columns: path, text)"),
    ("cell.csv", "audio\n\n ,\n", "cell.csv, line 3: 'audio' must be a path or URL, not ' '"),
    ("empty.jsonl", "\n", "empty.jsonl: has no rows"),
    ("json.jsonl", '{"audio": "a.wav"\n', "json.jsonl, line 1: not valid JSON"),
    ("num.jsonl", '{"audio": 3}\n', "num.jsonl, line 1: 'audio' must be a path or URL, not 3"),
    ("junk.parquet", "not parquet", "junk.parquet: not a readable Parquet file"),
])
def test_bad_manifests_are_one_clear_line_each(tmp_path: Path, name: str, content: str, message: str) -> None:
    if name.endswith(".parquet"):
        pytest.importorskip("pyarrow")
    p = tmp_path / name
    p.write_text(content)
    good = _touch(tmp_path / "good.wav")
    items, errors = list_inputs([str(p), str(good)])
    assert [i.label for i in items] == [str(good)]  # the other arguments still run
    assert len(errors) == 1 and message in errors[0] and errors[0].startswith(f"manifest {p}")


def test_ledger_skip_rule(tmp_path: Path) -> None:
    audio = _touch(tmp_path / "in" / "a.wav", b"RIFF-one")
    out = tmp_path / "out"
    _touch(out / "a.txt", b"hello\n")
    item = Input(str(audio), audio, "a")
    ledger = Ledger(out / "ledger.jsonl")
    from medasr.files import sha256_file

    stat = file_stat(item)
    ledger.append({"file": item.label, "stem": "a", "status": "done", "settings": "h1", "sha256": sha256_file(audio),
                   "size": stat[0], "mtime_ns": stat[1], "outputs": ["a.txt"]})
    again = Ledger(out / "ledger.jsonl")  # read back from disk
    assert again.done(item, "h1", out, stat)
    assert not again.done(item, "h2", out, stat)  # other settings: redo
    assert not again.done(Input(item.label, audio, "a-1"), "h1", out, stat)  # another output name: redo
    os.utime(audio, ns=(stat[1] + 10**9, stat[1] + 10**9))  # touched, same content: skipped, and the new time recorded
    stat2 = file_stat(item)
    assert again.done(item, "h1", out, stat2) and Ledger(out / "ledger.jsonl").latest[item.label]["mtime_ns"] == stat2[1]
    audio.write_bytes(b"RIFF-two")  # new content: redo
    assert not again.done(item, "h1", out, file_stat(item))
    audio.write_bytes(b"RIFF-one")
    (out / "a.txt").unlink()  # an output gone: redo
    assert not again.done(item, "h1", out, file_stat(item))
    with open(out / "ledger.jsonl", "a") as fh:  # a line cut short by a kill is ignored
        fh.write('{"file": "in/b.wav", "stat')
    torn = Ledger(out / "ledger.jsonl")
    assert torn.torn == 1 and set(torn.latest) == {item.label}
    failed = Ledger(tmp_path / "f.jsonl")
    failed.append({"file": item.label, "stem": "a", "status": "failed", "settings": "h1", "outputs": []})
    assert not failed.done(item, "h1", out, file_stat(item))  # failures are tried again


def test_settings_hash_and_placement() -> None:
    s = Settings.resolve({"model": "tiny.en"})
    base = JobSpec(s, TranscribeOptions(), ("txt",))
    h = base.settings_hash()
    assert JobSpec(s.with_overrides(threads=3), TranscribeOptions(), ("txt",)).settings_hash() == h  # speed only
    assert JobSpec(s.with_overrides(home=Path("/elsewhere")), TranscribeOptions(), ("txt",)).settings_hash() == h
    for other in (JobSpec(s, TranscribeOptions(), ("txt", "json")), JobSpec(s, TranscribeOptions(beam_size=1), ("txt",)),
                  JobSpec(s, TranscribeOptions(hotwords="metformin"), ("txt",)), JobSpec(s, TranscribeOptions(), ("txt",), note=True),
                  JobSpec(s.with_overrides(correct="lexicon"), TranscribeOptions(), ("txt",)),
                  JobSpec(s.with_overrides(compute_type="float16"), TranscribeOptions(), ("txt",)),
                  JobSpec(s, TranscribeOptions(), ("txt",), model_id="tiny.en@other")):
        assert other.settings_hash() != h
    # GPU actors: CUDA float16 (or the compute type asked for); CPU actors int8
    gpu, n = placement(s, 0.5)
    assert (gpu.device, gpu.compute_type, n) == ("cuda", "float16", 0.5)
    assert placement(s.with_overrides(compute_type="int8_float16"), 1)[0].compute_type == "int8_float16"
    cpu, n = placement(s, None)
    assert (cpu.device, cpu.compute_type, n) == ("cpu", "int8", 0.0)
    assert placement(s.with_overrides(device="cuda"), None)[1] == 1.0  # --device cuda: one GPU a worker
    with pytest.raises(ConfigError, match="--num-gpus 1 asks for GPU workers, but --device is cpu"):
        placement(s.with_overrides(device="cpu"), 1)
    check_resources(0.5, 1, 2, {"GPU": 1.0, "CPU": 3.0})  # two actors on one GPU
    with pytest.raises(ConfigError, match="--workers 2 with --num-gpus 1 each needs 2 GPUs; the Ray cluster has 0"):
        check_resources(1, 1, 2, {"CPU": 16.0})
    with pytest.raises(ConfigError, match="--workers 4 with 2 CPU each .* need 9.25 CPUs; the Ray cluster has 8"):
        check_resources(0, 2, 4, {"CPU": 8.0})
    assert url_key("s3://bucket/a.wav") == "bucket/a.wav" == url_key("bucket/a.wav") and url_key("file:///tmp/a.wav") == "tmp/a.wav"


def test_results_table_jsonl_and_parquet(tmp_path: Path) -> None:
    rec = {"status": "done", "sha256": "ab", "settings": "h", "duration": 1.5, "model": "tiny.en cpu/int8", "pipeline": "asr",
           "text": "hello", "timings": {"asr": 0.4}, "outputs": ["a.txt"], "engine": "local", "at": "now"}
    rows = [table_row("in/a.wav", "a", "done", rec), table_row("in/b.wav", "b", "pending", None)]
    paths = write_results(rows, tmp_path)
    back = [json.loads(line) for line in (tmp_path / "results.jsonl").read_text().splitlines()]
    assert back[0]["timings"] == {"asr": 0.4} and back[1] == {**dict.fromkeys(back[1]), "file": "in/b.wav", "stem": "b",
                                                              "status": "pending", "error": "", "outputs": [], "timings": {}}
    if len(paths) == 2:  # pyarrow installed (the batch extra)
        import pyarrow.parquet as pq

        t = pq.read_table(tmp_path / "results.parquet").to_pylist()
        assert [r["status"] for r in t] == ["done", "pending"] and t[0]["outputs"] == ["a.txt"] and json.loads(t[0]["timings"]) == {"asr": 0.4}
    assert not list(tmp_path.glob("*.part"))
