"""The house's rooms stay as issue 21 left them: runtime never imports training, one owner for
each shared constant and format, small modules, no fakes in the package, no scripts among results."""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PKG = REPO / "medasr"
MODULES = sorted(PKG.rglob("*.py"))


def _imports(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out |= {f"{node.module}.{a.name}" for a in node.names}
    return out


def _rel(p: Path) -> str:
    return p.relative_to(REPO).as_posix()


def test_runtime_never_imports_training_and_correction_and_note_never_import_bench() -> None:
    # the commands that train, and the benchmark's transformers peer (a lazy, optional dev tool)
    allowed = {"medasr/cli/train.py", "medasr/cli/train_corrector.py", "medasr/bench/peers.py"}
    bad = [_rel(p) for p in MODULES if not _rel(p).startswith("medasr/train/") and _rel(p) not in allowed
           and any(m == "medasr.train" or m.startswith("medasr.train.") for m in _imports(p))]
    assert bad == []
    upward = [_rel(p) for p in MODULES if _rel(p).startswith(("medasr/correction/", "medasr/note/"))
              and any(m.startswith("medasr.bench") for m in _imports(p))]
    assert upward == []


def test_no_fakes_in_the_package_and_no_scripts_among_results() -> None:
    assert [_rel(p) for p in MODULES if "fake" in p.name] == []
    assert not any("fake" in m for p in MODULES for m in _imports(p))
    assert sorted(_rel(p) for p in (REPO / "benchmarks" / "results").rglob("*.py")) == []
    assert not (PKG / "ui" / "server.py").exists()  # the test server is ui/thread_server.py


def test_one_owner_for_each_shared_definition() -> None:
    defs: dict[str, list[str]] = {}
    for p in MODULES:
        tree = ast.parse(p.read_text(encoding="utf-8"))
        for node in tree.body:
            names = []
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names = [node.name]
            elif isinstance(node, ast.Assign):
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            for n in names:
                defs.setdefault(n, []).append(_rel(p))
    assert defs["SAMPLE_RATE"] == ["medasr/audio.py"] and "SR" not in defs
    assert defs["resample"] == ["medasr/audio.py"] and defs["decode_pcm"] == ["medasr/audio.py"]
    assert defs["sha256_file"] == ["medasr/files.py"]
    assert defs["read_manifest"] == ["medasr/manifest.py"] and defs["ManifestRow"] == ["medasr/manifest.py"]
    assert "Utterance" not in defs  # the manifest row is ManifestRow; a synth plan item is PlannedUtterance
    assert defs["MODES"] == ["medasr/correction/modes.py"] and defs["norm_word"] == ["medasr/text.py"]
    assert len(defs["build_pipeline"]) == 1 and "TrainConfig" not in defs  # one config type per job, each named for it


def test_no_stray_sample_rates_or_mode_lists() -> None:
    for p in MODULES:
        text = p.read_text(encoding="utf-8")
        if _rel(p) != "medasr/audio.py":
            assert not re.search(r"(?<![\w.])16_?000(?![\w.])", text), f"{_rel(p)}: a bare 16000 (use medasr.audio.SAMPLE_RATE)"
        if _rel(p) != "medasr/correction/modes.py":
            assert '"lexicon", "bart", "both"' not in text, f"{_rel(p)}: a copy of the correction modes"


def test_modules_stay_small() -> None:
    sizes = {_rel(p): len(p.read_text(encoding="utf-8").splitlines()) for p in MODULES}
    assert {k: v for k, v in sizes.items() if v > 400} == {}
    median = sorted(sizes.values())[len(sizes) // 2]
    assert median <= 170, median
