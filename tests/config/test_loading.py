"""Configuration: sources and their precedence, paths, and one clear error per bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from nocp.config import Settings, load_settings
from nocp.errors import ConfigError


@pytest.fixture(autouse=True)
def _no_nocp_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests start from a clean environment: a developer's NOCP_* must not leak in."""
    import os

    for name in list(os.environ):
        if name.startswith("NOCP_"):
            monkeypatch.delenv(name)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_any_source(tmp_path: Path) -> None:
    settings = load_settings(cwd=tmp_path)
    assert settings == Settings()
    assert settings.tools.timeout_s == 60.0
    assert settings.tokens.encoding == "o200k_base"
    assert settings.tools.modules == ()
    assert settings.stats.path().name == "nocp.db"


def test_precedence_env_over_file_over_pyproject_over_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[tool.nocp.tools]\ntimeout_s = 10\n[tool.nocp.tokens]\nencoding = "cl100k_base"\n'
        '[tool.nocp.log]\nlevel = "INFO"\n',
    )
    write(tmp_path / "nocp.toml", '[tools]\ntimeout_s = 20\n[log]\nlevel = "ERROR"\n')
    settings = load_settings(cwd=tmp_path)
    assert settings.tools.timeout_s == 20  # nocp.toml beats pyproject
    assert settings.log.level == "ERROR"
    assert settings.tokens.encoding == "cl100k_base"  # pyproject beats the default
    assert settings.stats.db is None  # the default where nobody says anything

    monkeypatch.setenv("NOCP_TOOLS__TIMEOUT_S", "30")
    settings = load_settings(cwd=tmp_path)
    assert settings.tools.timeout_s == 30  # the environment beats every file
    assert settings.log.level == "ERROR"


def test_config_flag_replaces_the_cwd_nocp_toml(tmp_path: Path) -> None:
    write(tmp_path / "nocp.toml", "[tools]\ntimeout_s = 20\n")
    explicit = write(tmp_path / "other" / "custom.toml", '[log]\nlevel = "DEBUG"\n')
    settings = load_settings(explicit, cwd=tmp_path)
    assert settings.log.level == "DEBUG"
    assert settings.tools.timeout_s == 60.0  # ./nocp.toml was not read


def test_nocp_db_variable_and_per_tool_timeouts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "nocp.toml", '[stats]\ndb = "here.db"\n[per_tool.slow]\ntimeout_s = 5\n')
    assert load_settings(cwd=tmp_path).stats.path() == tmp_path / "here.db"
    monkeypatch.setenv("NOCP_DB", str(tmp_path / "env.db"))
    settings = load_settings(cwd=tmp_path)
    assert settings.stats.path() == tmp_path / "env.db"
    assert settings.timeout_for("slow") == 5
    assert settings.timeout_for("other", declared=7) == 7
    assert settings.timeout_for("other") == 60.0


def test_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    config = write(
        tmp_path / "conf" / "nocp.toml",
        '[tools]\nmodules = ["tools/mine.py", "pkg.module", "../up.py"]\n'
        '[stats]\ndb = "data/nocp.db"\n[log]\nfile = "logs/nocp.log"\n',
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    settings = load_settings(config, cwd=elsewhere)
    assert settings.tools.modules == (
        str(tmp_path / "conf" / "tools" / "mine.py"),
        "pkg.module",  # a dotted name is imported, not resolved as a path
        str(tmp_path / "conf" / ".." / "up.py"),
    )
    assert settings.stats.path() == tmp_path / "conf" / "data" / "nocp.db"
    assert settings.log.file == tmp_path / "conf" / "logs" / "nocp.log"


def test_pyproject_paths_are_relative_to_the_pyproject(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.nocp.tools]\nmodules = ["t.py"]\n')
    assert load_settings(cwd=tmp_path).tools.modules == (str(tmp_path / "t.py"),)


def test_pyproject_without_a_nocp_section_is_ignored(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
    assert load_settings(cwd=tmp_path) == Settings()


def error_of(config: Path | None, cwd: Path) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_settings(config, cwd=cwd)
    return info.value


def test_bad_toml_names_the_file(tmp_path: Path) -> None:
    bad = write(tmp_path / "nocp.toml", "[tools\n")
    error = error_of(bad, tmp_path)
    assert error.source == str(bad)
    assert str(error).startswith(f"{bad}: invalid TOML: ")


def test_unknown_key_names_the_file_and_the_key(tmp_path: Path) -> None:
    bad = write(tmp_path / "nocp.toml", "[tools]\ntimeout = 3\n")
    assert str(error_of(None, tmp_path)) == (
        f"{bad}: tools.timeout: unknown key (see docs/configuration.md for the keys nocp reads)"
    )


def test_unknown_section_in_pyproject_names_the_pyproject(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.nocp.cache]\nsize = 3\n")
    error = error_of(None, tmp_path)
    assert error.source == f"{tmp_path / 'pyproject.toml'} [tool.nocp]"
    assert error.key == "cache"


def test_bad_value_names_the_file_key_and_value(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.nocp.tools]\ntimeout_s = 5\n")
    bad = write(tmp_path / "nocp.toml", "[tools]\ntimeout_s = -1\n")
    assert str(error_of(None, tmp_path)) == (
        f"{bad}: tools.timeout_s: Input should be greater than 0 (got -1)"
    )
    write(bad, '[tokens]\nencoding = "gpt2"\n')
    assert "tokens.encoding: Value error, unknown encoding 'gpt2'; use one of" in str(
        error_of(None, tmp_path)
    )


def test_missing_config_file(tmp_path: Path) -> None:
    error = error_of(tmp_path / "nope.toml", tmp_path)
    assert str(error) == f"{tmp_path / 'nope.toml'}: no such file (check the --config path)"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "NOCP_TOOLS__TIMEOUT_S",
            "soon",
            "environment variable NOCP_TOOLS__TIMEOUT_S: tools.timeout_s: Input should be a "
            "valid number, unable to parse string as a number (got 'soon')",
        ),
        (
            "NOCP_TOOLS__BOGUS",
            "1",
            "environment variable NOCP_TOOLS__BOGUS: tools.bogus: unknown key "
            "(see docs/configuration.md for the keys nocp reads)",
        ),
        (
            "NOCP_LOG__LEVEL",
            "loud",
            "environment variable NOCP_LOG__LEVEL: log.level: Input should be 'DEBUG', 'INFO', "
            "'WARNING' or 'ERROR' (got 'loud')",
        ),
        (
            "NOCP_TOOLS",
            "{not json",
            "environment variable NOCP_TOOLS: tools: not a valid JSON object; set one key "
            "instead, e.g. NOCP_TOOLS__KEY=…",
        ),
    ],
)
def test_bad_environment_variable_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    write(tmp_path / "nocp.toml", "[tools]\ntimeout_s = 5\n")
    monkeypatch.setenv(variable, value)
    assert str(error_of(None, tmp_path)) == message
