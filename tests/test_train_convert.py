"""CTranslate2 <-> transformers round trip on the real bundled tiny.en (issue 8, part 1)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from medasr.config import Settings  # noqa: E402
from medasr.errors import ModelNotFoundError  # noqa: E402
from medasr.train.convert.ct2_reader import read_ct2_model  # noqa: E402


@pytest.fixture(scope="module")
def tiny_ct2() -> Path:
    from medasr.store.whisper import resolve_model

    return resolve_model("tiny.en", Settings.resolve({"model": "tiny.en"})).path


@pytest.fixture(scope="module")
def tiny_hf(tiny_ct2: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from medasr.train.convert.ct2_to_hf import convert_ct2_to_hf

    return convert_ct2_to_hf(tiny_ct2, tmp_path_factory.mktemp("hf") / "tiny-hf")


def test_reader_reads_every_tensor(tiny_ct2: Path) -> None:
    m = read_ct2_model(tiny_ct2)
    assert m.spec == "WhisperSpec"
    assert m.get("decoder/embeddings/weight").shape == (51864, 384)
    # the projection is an alias of the embeddings (tied weights)
    assert m.aliases["decoder/projection/weight"] == "decoder/embeddings/weight"
    assert m.get("decoder/projection/weight") is m.get("decoder/embeddings/weight")


def test_reader_rejects_missing_and_truncated(tmp_path: Path, tiny_ct2: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="no CTranslate2 model.bin"):
        read_ct2_model(tmp_path)
    bad = tmp_path / "model.bin"
    bad.write_bytes((tiny_ct2 / "model.bin").read_bytes()[:5000])
    with pytest.raises(ModelNotFoundError, match="truncated"):
        read_ct2_model(bad)


def test_hf_folder_loads_with_no_missing_keys(tiny_hf: Path) -> None:
    from transformers import WhisperForConditionalGeneration

    model, info = WhisperForConditionalGeneration.from_pretrained(tiny_hf, output_loading_info=True)
    assert not info["missing_keys"] and not info["unexpected_keys"]
    assert model.config.vocab_size == 51864 and model.config.decoder_start_token_id == 50257
    assert model.proj_out.weight.data_ptr() == model.model.decoder.embed_tokens.weight.data_ptr()
    for f in ("config.json", "generation_config.json", "tokenizer.json", "preprocessor_config.json", "model.safetensors"):
        assert (tiny_hf / f).is_file(), f


def test_converted_model_transcribes_jfk_exactly_as_ct2(tiny_ct2: Path, tiny_hf: Path, real_speech_dir: Path) -> None:
    from tokenizers import Tokenizer
    from transformers import WhisperForConditionalGeneration

    from medasr.audio import load_audio
    from medasr.train.convert.hf_decode import ct2_greedy, hf_greedy, log_mel, prompt_ids

    feats = log_mel(load_audio(real_speech_dir / "jfk" / "jfk.flac"))
    prompt = prompt_ids(tiny_ct2 / "tokenizer.json")
    ct2_ids = ct2_greedy(tiny_ct2, feats, prompt)
    hf_ids = hf_greedy(WhisperForConditionalGeneration.from_pretrained(tiny_hf).eval(), feats, prompt)
    text = Tokenizer.from_file(str(tiny_ct2 / "tokenizer.json")).decode(ct2_ids)
    assert "ask not what your country can do for you" in text
    assert hf_ids == ct2_ids


def test_export_back_is_tensor_identical_and_int8_transcribes(tiny_ct2: Path, tiny_hf: Path, tmp_path: Path, real_speech_dir: Path) -> None:
    from faster_whisper import WhisperModel

    from medasr.train.convert.export import export_ct2

    f16 = export_ct2(tiny_hf, tmp_path / "f16", "float16")
    orig, back = read_ct2_model(tiny_ct2), read_ct2_model(f16)
    for name, arr in orig.variables.items():
        assert back.variables[name].dtype == arr.dtype, name
        assert np.array_equal(back.variables[name], arr), name
    assert orig.aliases == back.aliases
    assert json.loads((f16 / "config.json").read_text()) == json.loads((tiny_ct2 / "config.json").read_text())

    i8 = export_ct2(tiny_hf, tmp_path / "i8", "int8")
    assert (i8 / "model.bin").stat().st_size < 45_000_000
    model = WhisperModel(str(i8), device="cpu", compute_type="int8")
    segs, _ = model.transcribe(str(real_speech_dir / "jfk" / "jfk.flac"), beam_size=1)
    text = " ".join(s.text for s in segs).lower()
    assert "fellow americans" in text and "your country" in text


@pytest.mark.slow
def test_base_converts_and_transcribes_jfk_exactly_as_ct2(real_speech_dir: Path) -> None:
    """The multilingual base (assembled from its two PyPI parts) maps the same way (~1-2 min)."""
    from medasr.store.whisper import resolve_model
    from medasr.audio import load_audio
    from medasr.train.convert.ct2_to_hf import load_hf_from_ct2
    from medasr.train.convert.hf_decode import ct2_greedy, hf_greedy, log_mel, prompt_ids

    path = resolve_model("base", Settings.resolve({})).path
    feats = log_mel(load_audio(real_speech_dir / "jfk" / "jfk.flac"))
    prompt = prompt_ids(path / "tokenizer.json")
    assert len(prompt) == 4  # <|startoftranscript|> <|en|> <|transcribe|> <|notimestamps|>
    assert hf_greedy(load_hf_from_ct2(path), feats, prompt) == ct2_greedy(path, feats, prompt)


def test_int8_release_reads_back_dequantized_and_quantizes_to_the_same_file(tmp_path: Path) -> None:
    """The released tiny.en-medical is int8: read back as float32 (int8 / scale), converted to
    transformers and exported to int8 again, it is the same model.bin byte for byte, so it can
    be interpolated with stock tiny.en (``medasr train merge``) without a second rounding."""
    from medasr.store.whisper import resolve_model
    from medasr.train.convert.ct2_to_hf import convert_ct2_to_hf
    from medasr.train.convert.export import export_ct2

    path = resolve_model("tiny.en-medical", Settings.resolve({})).path
    m = read_ct2_model(path)
    assert "decoder/embeddings/weight" in m.dequantized and not any(k.endswith("_scale") for k in m.variables)
    emb = m.get("decoder/embeddings/weight")
    assert emb.dtype == np.float32 and emb.shape == (51864, 384)
    assert np.all(np.abs(emb).max(axis=1) > 0)
    hf = convert_ct2_to_hf(path, tmp_path / "hf")
    back = export_ct2(hf, tmp_path / "i8", "int8")
    assert (back / "model.bin").read_bytes() == (path / "model.bin").read_bytes()
