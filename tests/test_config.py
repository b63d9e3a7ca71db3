from pathlib import Path

import pytest

from medasr.config import Settings
from medasr.errors import ConfigError


def test_precedence_flag_over_env_over_file_over_default(tmp_path: Path):
    cfg = tmp_path / "config.toml"
    cfg.write_text('model = "base"\nbeam_size = 3\nvad = false\n')
    env = {"MEDASR_HOME": str(tmp_path), "MEDASR_BEAM_SIZE": "2"}
    s = Settings.resolve({"beam_size": None}, env=env)
    assert s.model == "base"  # file
    assert s.beam_size == 2  # env beats file
    assert s.vad is False  # file beats default
    assert s.home == tmp_path
    s2 = Settings.resolve({"beam_size": 7, "model": "tiny.en"}, env=env)
    assert (s2.beam_size, s2.model) == (7, "tiny.en")  # flag beats all
    default = Settings.resolve({}, env={"MEDASR_HOME": str(tmp_path / "none")})
    assert (default.model, default.correct) == ("tiny.en-medical+tiny.en", "both")  # defaults
    assert Settings.resolve({"model": "tiny.en", "correct": "none"}, env={}).correct == "none"  # one flag away


def test_explicit_config_file_and_env_var(tmp_path: Path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('device = "cpu"\n')
    assert Settings.resolve(env={"MEDASR_CONFIG": str(cfg), "MEDASR_HOME": str(tmp_path)}).device == "cpu"
    assert Settings.resolve(config_file=cfg, env={}).device == "cpu"


@pytest.mark.parametrize(
    "content, message",
    [('nonsense = 1\n', "unknown setting 'nonsense'"), ('beam_size = "many"\n', "beam_size"), ("model = \n", "not valid TOML")],
)
def test_bad_config_files_are_named(tmp_path: Path, content: str, message: str):
    cfg = tmp_path / "config.toml"
    cfg.write_text(content)
    with pytest.raises(ConfigError, match=message):
        Settings.resolve(env={"MEDASR_HOME": str(tmp_path)})


def test_bad_values_rejected():
    with pytest.raises(ConfigError, match="device"):
        Settings.resolve({"device": "tpu"}, env={})
    with pytest.raises(ConfigError, match="bool|vad"):
        Settings.resolve(env={"MEDASR_VAD": "maybe"})
    with pytest.raises(ConfigError, match="missing.toml"):
        Settings.resolve(config_file="missing.toml", env={})
