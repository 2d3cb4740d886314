"""Settings: declared once, layered defaults < TOML < environment < flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from atlas.errors import InvalidInputError
from atlas.settings import SETTINGS, Settings, load_settings, render_docs

DOCS = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_defaults_without_any_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(env={"ATLAS_HOME": str(tmp_path)})
    assert settings.port == 5555
    assert settings.host == "127.0.0.1"
    assert settings.resolved_db_url == f"sqlite:///{tmp_path / 'atlas.db'}"
    assert settings.resolved_artifacts == str(tmp_path / "artifacts")
    assert settings.spool_path == tmp_path / "spool"


def test_home_defaults_to_dot_atlas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(env={})
    assert settings.home_path == Path("~/.atlas").expanduser()


def test_layers_later_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "atlas.toml").write_text('[atlas]\nport = 6000\nhost = "127.0.0.2"\n')
    env = {"ATLAS_HOME": str(tmp_path), "ATLAS_PORT": "7000"}
    assert load_settings(env=env).port == 7000
    assert load_settings(env=env).host == "127.0.0.2"
    assert load_settings({"port": "8000"}, env=env).port == 8000
    assert load_settings({"port": None}, env=env).port == 7000


def test_config_file_from_env_and_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    (home / "atlas.toml").write_text("flush_interval = 0.25\n")
    assert load_settings(env={"ATLAS_HOME": str(home)}).flush_interval == 0.25
    other = tmp_path / "other.toml"
    other.write_text("flush_interval = 3\n")
    env = {"ATLAS_HOME": str(home), "ATLAS_CONFIG": str(other)}
    assert load_settings(env=env).flush_interval == 3.0


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"ATLAS_PORT": "eighty"}, "port"),
        ({"ATLAS_CAPTURE_OUTPUT": "maybe"}, "capture_output"),
        ({"ATLAS_BATCH_POINTS": "1.5"}, "batch_points"),
    ],
)
def test_bad_values_name_the_setting_and_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], needle: str
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InvalidInputError, match=needle) as caught:
        load_settings(env={"ATLAS_HOME": str(tmp_path), **env})
    assert "environment" in caught.value.message


def test_unknown_key_in_file_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "atlas.toml").write_text("prot = 1\n")
    with pytest.raises(InvalidInputError, match="unknown settings: prot"):
        load_settings(env={"ATLAS_HOME": str(tmp_path)})


def test_broken_toml_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "atlas.toml").write_text("port = \n")
    with pytest.raises(InvalidInputError, match="not valid TOML"):
        load_settings(env={"ATLAS_HOME": str(tmp_path)})


def test_every_setting_is_a_field_with_the_same_default() -> None:
    defaults = Settings()
    for setting in SETTINGS:
        assert getattr(defaults, setting.name) == setting.default, setting.name
        assert setting.help.endswith("."), setting.name


def test_configuration_docs_are_generated_from_settings() -> None:
    assert DOCS.read_text() == render_docs(), (
        "docs/configuration.md is stale: run `make docs` (python -m atlas.settings)"
    )
