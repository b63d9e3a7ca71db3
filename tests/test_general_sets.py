"""general-dev / general-test (medasr.bench.general): one fixed split rule, no utterance or digit
speaker in both parts; on the real shared data when it is there."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from medasr.audio import write_wav
from medasr.bench.general import general_manifest, sources, split
from medasr.errors import InputError


def _tree(root: Path) -> tuple[Path, Path]:
    """A miniature real-speech folder and pocketsphinx data folder, with real (silent) WAVs."""
    rs, sphinx = root / "real-speech", root / "sphinx"
    tone = np.zeros(1600, dtype=np.float32)
    rows = [{"id": "jfk", "audio": "jfk.wav", "text": "ask not"}]
    rows += [{"id": f"LJ001-000{i}", "audio": f"LJ001-000{i}.wav", "text": f"line {i}"} for i in range(1, 5)]
    rows += [{"id": f"fsdd-{d}-{s}-{k}", "audio": f"{d}_{s}_{k}.wav", "text": str(d)} for s in ("amy", "bob", "cid") for d in (1, 2) for k in (0, 1)]
    (rs / "ljspeech-more").mkdir(parents=True)
    (rs / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    more = [{"id": "LJ001-0009", "audio": "LJ001-0009.wav", "text": "line nine"}]
    (rs / "ljspeech-more" / "manifest.jsonl").write_text(json.dumps(more[0]) + "\n")
    for r in rows:
        write_wav(rs / r["audio"], tone)
    write_wav(rs / "ljspeech-more" / "LJ001-0009.wav", tone)
    for folder, trans, ids in (("librivox", "transcription", ["a", "b", "c"]), ("cards", "cards.transcription", ["001", "002"])):
        (sphinx / folder).mkdir(parents=True)
        (sphinx / folder / trans).write_text("".join(f"<s> words of {i}  </s> ({i})\n" for i in ids))
        for i in ids:
            write_wav(sphinx / folder / f"{i}.wav", tone)
    return rs, sphinx


def test_split_rule(tmp_path: Path) -> None:
    rs, sphinx = _tree(tmp_path)
    by = sources(rs, sphinx)
    assert set(by) == {"jfk", "ljspeech", "librivox", "cards", "digits"}
    dev, test = list(split(by, "dev")), list(split(by, "test"))
    ids = lambda rows: [r["id"] for r in rows]  # noqa: E731
    assert not set(ids(dev)) & set(ids(test)) and len(dev) + len(test) == sum(map(len, by.values()))
    assert "jfk" in ids(test)
    assert [i for i in ids(test) if i.startswith("LJ")] == ["LJ001-0001", "LJ001-0003", "LJ001-0009"]  # alternate, sorted by id
    speakers = lambda rows: {r["id"].split("-")[2] for r in rows if r["group"] == "digits"}  # noqa: E731
    assert speakers(test) == {"amy", "cid"} and speakers(dev) == {"bob"}
    assert {r["text"] for r in test if r["group"] == "cards"} == {"words of 001"}  # whitespace collapsed
    assert ids(split(by, "dev")) == ids(dev)  # deterministic
    with pytest.raises(InputError, match="dev or test"):
        list(split(by, "train"))


def test_manifest_and_missing_sources(tmp_path: Path) -> None:
    from medasr.bench.datasets import load_manifest

    rs, sphinx = _tree(tmp_path)
    bset = load_manifest(general_manifest("dev", rs, tmp_path / "out", sphinx), "general-dev")
    assert {u.group for u in bset.utterances} == {"ljspeech", "librivox", "cards", "digits"}
    assert all(u.audio.is_file() for u in bset.utterances)
    only_sphinx = list(split(sources(tmp_path / "nowhere", sphinx), "test"))
    assert {r["group"] for r in only_sphinx} == {"librivox", "cards"}
    with pytest.raises(InputError, match="no general speech"):
        general_manifest("dev", tmp_path / "nowhere", tmp_path / "out", tmp_path / "nothing")


def test_manifest_split_filter(tmp_path: Path) -> None:
    from medasr.bench.datasets import resolve_set
    from medasr.config import Settings

    write_wav(tmp_path / "a.wav", np.zeros(1600, dtype=np.float32))
    rows = [{"audio": "a.wav", "text": "x", "id": f"u{i}", "split": s} for i, s in enumerate(["train", "dev", "test", "dev"])]
    (tmp_path / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    s = Settings.resolve({"home": str(tmp_path / "home")})
    assert [u.id for u in resolve_set(f"synth-dev={tmp_path / 'manifest.jsonl'}@dev", s).utterances] == ["u1", "u3"]
    assert [u.id for u in resolve_set(f"{tmp_path / 'manifest.jsonl'}@test:1", s).utterances] == ["u2"]
    with pytest.raises(InputError, match="split 'val'"):
        resolve_set(f"{tmp_path / 'manifest.jsonl'}@val", s)


def test_real_general_sets(real_speech_dir: Path, tmp_home: Path) -> None:
    """On ../shared/data (and pocketsphinx-testdata when installed): the two parts as committed
    in benchmarks/README.md, disjoint."""
    from medasr.bench.datasets import resolve_set
    from medasr.bench.general import POCKETSPHINX_DATA
    from medasr.config import Settings

    s = Settings.resolve()
    dev, test = resolve_set("general-dev", s), resolve_set("general-test", s)
    assert not {u.id for u in dev.utterances} & {u.id for u in test.utterances}
    assert "jfk" in {u.id for u in test.utterances}
    if (real_speech_dir / "ljspeech-more" / "manifest.jsonl").is_file() and (POCKETSPHINX_DATA / "cards").is_dir():
        assert (len(dev.utterances), len(test.utterances)) == (166, 169)


def test_prompts_split_and_filter(tmp_path: Path) -> None:
    """prompts-dev / prompts-test (medasr.bench.prompts): plain-word prompts only, the digits and
    letters folders and "[tone]" or symbol texts left out, sorted ids alternating test/dev."""
    import gzip

    from medasr.bench.prompts import prompt_rows, prompts_manifest

    sounds = tmp_path / "sounds"
    lines = ["; Core Asterisk Sounds in English", "", "activated: Activated.", "added: Added.",
             "beep: [this is a simple beep tone]", "dictate/pause: pause", "digits/1: one", "letters/a: a",
             "conf-star: press * to leave", "welcome: Welcome to the system...", "missing: No audio for this one."]
    for name in ("activated", "added", "beep", "dictate/pause", "digits/1", "letters/a", "conf-star", "welcome"):
        (sounds / name).parent.mkdir(parents=True, exist_ok=True)
        write_wav(sounds / f"{name}.wav", np.zeros(1600, dtype=np.float32))
    index = tmp_path / "core-sounds-en.txt.gz"
    with gzip.open(index, "wt") as f:
        f.write("\n".join(lines) + "\n")
    rows = prompt_rows(sounds, index)
    assert [r["id"] for r in rows] == ["prompt-activated", "prompt-added", "prompt-dictate-pause", "prompt-welcome"]
    assert rows[-1]["text"] == "Welcome to the system"
    test = [json.loads(x)["id"] for x in prompts_manifest("test", tmp_path / "o", sounds, index).read_text().splitlines()]
    dev = [json.loads(x)["id"] for x in prompts_manifest("dev", tmp_path / "o", sounds, index).read_text().splitlines()]
    assert test == ["prompt-activated", "prompt-dictate-pause"] and dev == ["prompt-added", "prompt-welcome"]
    with pytest.raises(InputError, match="asterisk-core-sounds-en-wav"):
        prompt_rows(tmp_path / "nowhere", index)


def test_prompts_on_the_installed_package() -> None:
    from medasr.bench.prompts import INDEX, SOUNDS, prompt_rows

    if not INDEX.is_file() or not SOUNDS.is_dir():
        pytest.skip("apt-get install asterisk-core-sounds-en asterisk-core-sounds-en-wav for the real prompts")
    rows = prompt_rows()
    assert len(rows) >= 250 and len({r["id"] for r in rows}) == len(rows)
    assert all(Path(r["audio"]).is_file() and r["text"][0].isalpha() for r in rows)
