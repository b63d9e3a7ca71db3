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
    stmt = ("import medasr, medasr.schema, medasr.config, medasr.errors, medasr.audio, medasr.writers, medasr.pipeline, medasr.cli, "
            "medasr.asr, medasr.asr.base, medasr.store, medasr.store.whisper, medasr.manifest, medasr.text, medasr.correction.modes")
    assert _imported_after(stmt) == []


def test_subpackages_import_without_torch():
    stmt = "import medasr.asr, medasr.correction, medasr.correction.bart, medasr.vocab, medasr.synth, medasr.ui, medasr.train"
    loaded = _imported_after(stmt)
    assert "torch" not in loaded and "transformers" not in loaded and "gradio" not in loaded


def test_public_names_are_lazy_and_light():
    """Every name of ``medasr.__all__`` resolves, and touching them loads no torch, CTranslate2 or model."""
    stmt = ("import medasr\n_ = [getattr(medasr, n) for n in medasr.__all__]\n"
            "assert set(medasr.__all__) == {'__version__', 'transcribe', *medasr._LAZY} and len(medasr.__all__) == len(set(medasr.__all__))")
    assert _imported_after(stmt) == []


def test_public_api_transcribes_real_audio_with_the_bundled_model(aspirin_wav, tiny_transcriber):
    import pytest

    import medasr

    t = medasr.transcribe(aspirin_wav, model="tiny.en", device="cpu", compute_type="int8")
    assert isinstance(t, medasr.Transcript) and t.audio == str(aspirin_wav)
    assert {"patient", "aspirin"} <= {w.strip(".,").lower() for w in t.text.split()}, t.text
    assert t.options["pipeline"] == "asr+lexicon+bart" and t.model.name == "tiny.en"  # the default correction: both
    pipe = medasr.load_pipeline(model="tiny.en", device="cpu", compute_type="int8")
    assert isinstance(pipe, medasr.Pipeline) and pipe.transcriber is tiny_transcriber  # the loaded model is reused
    with pytest.raises(AttributeError):
        medasr.no_such_name  # noqa: B018
