"""`import medasr` must stay light: no torch, no model, no CTranslate2."""

import subprocess
import sys

HEAVY = ["torch", "transformers", "ctranslate2", "faster_whisper", "gradio", "onnxruntime"]


def _imported_after(stmt: str) -> list[str]:
    code = f"import sys\n{stmt}\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return [m for m in out.stdout.strip().split(",") if m]


def test_import_medasr_loads_no_torch_or_model():
    assert _imported_after("import medasr") == []


def test_core_modules_and_cli_stay_light():
    stmt = "import medasr, medasr.schema, medasr.config, medasr.errors, medasr.audio, medasr.writers, medasr.pipeline, medasr.cli, medasr.asr, medasr.asr.base, medasr.asr.models"
    assert _imported_after(stmt) == []


def test_subpackages_import_without_torch():
    stmt = "import medasr.asr, medasr.correction, medasr.vocab, medasr.synth, medasr.ui"
    loaded = _imported_after(stmt)
    assert "torch" not in loaded and "transformers" not in loaded and "gradio" not in loaded
