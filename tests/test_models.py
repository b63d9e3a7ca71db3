"""The model store: bundled, assembled-from-parts, local folders, user registry, hub names offline."""

import json
from pathlib import Path

import pytest

from medasr.store.manifest import load_manifest, register_user_model
from medasr.store.whisper import resolve_model, verify_model
from medasr.config import Settings
from medasr.errors import ModelIntegrityError, ModelNotFoundError


def test_manifest_lists_models_with_source_size_and_sha256():
    entries = {m.name: m for m in load_manifest()}
    assert {"tiny.en", "base"} <= set(entries)
    for m in entries.values():
        assert m.source in ("bundled", "repo", "hub")
        if m.source != "hub":
            assert m.size_bytes > 0 and len(m.files["model.bin"]) == 64


def test_tiny_en_is_bundled_and_verifies(tmp_home):
    r = resolve_model("tiny.en", Settings.resolve())
    assert r.source == "bundled" and (r.path / "model.bin").is_file()
    assert verify_model(r).ok


def test_base_is_assembled_once_and_checked(tmp_home: Path):
    s = Settings.resolve()
    r = resolve_model("base", s)
    assert r.path == tmp_home / "models" / "base" and r.source == "bundled"
    mtime = (r.path / "model.bin").stat().st_mtime_ns
    assert resolve_model("base", s).path == r.path
    assert (r.path / "model.bin").stat().st_mtime_ns == mtime  # not assembled again
    assert verify_model(r).ok
    with open(r.path / "model.bin", "r+b") as fh:  # corrupt one byte: verify names the file
        fh.seek(1000)
        b = fh.read(1)
        fh.seek(1000)
        fh.write(bytes([b[0] ^ 0xFF]))
    with pytest.raises(ModelIntegrityError, match="model.bin"):
        verify_model(r)


def test_local_folder_and_user_registry(tmp_home: Path):
    s = Settings.resolve()
    tiny = resolve_model("tiny.en", s).path
    r = resolve_model(str(tiny), s)
    assert r.source == "local" and r.path == tiny.resolve()
    register_user_model(s.models_dir, {"name": "my-med", "path": str(tiny), "base": "tiny.en"})
    u = resolve_model("my-med", s)
    assert u.source == "user" and u.path == tiny
    data = json.loads((s.models_dir / "registry.json").read_text())
    assert [m["name"] for m in data["models"]] == ["my-med"]


def test_bad_local_paths(tmp_home: Path, tmp_path: Path):
    s = Settings.resolve()
    with pytest.raises(ModelNotFoundError, match="no model.bin"):
        resolve_model(str(tmp_path), s)
    f = tmp_path / "model.bin"
    f.write_bytes(b"x")
    with pytest.raises(ModelNotFoundError, match="is a file"):
        resolve_model(str(f), s)


def test_hub_names_fail_clearly_offline(tmp_home):
    with pytest.raises(ModelNotFoundError) as e:
        resolve_model("large-v3", Settings.resolve())
    msg = str(e.value)
    assert "HF_HUB_OFFLINE" in msg and "tiny.en" in msg and "base" in msg


def test_models_cli(cli, tmp_home):
    proc = cli("models", "list", "--json")
    assert proc.returncode == 0
    rows = {r["name"]: r for r in json.loads(proc.stdout)}
    assert rows["tiny.en"]["available"] == "yes" and rows["tiny.en"]["kind"] == "whisper"
    assert {r["kind"] for r in rows.values()} == {"whisper", "corrector", "note-llm"}  # one store, every kind
    assert rows["corrector-v2"]["available"] == "yes" and rows["qwen2.5-coder-0.5b-instruct"]["source"] == "bundled"
    proc = cli("models", "path", "tiny.en")
    assert proc.returncode == 0 and Path(proc.stdout.decode().strip(), "model.bin").is_file()
    assert "source: bundled" in proc.stderr.decode()
    proc = cli("models", "verify", "tiny.en")
    assert proc.returncode == 0 and "ok" in proc.stdout.decode()
    proc = cli("models", "path", "nonexistent-model")
    assert proc.returncode == 1 and "medasr: error:" in proc.stderr.decode()
