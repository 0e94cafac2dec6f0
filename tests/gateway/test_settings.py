"""Settings from the environment, and the guard that keeps placeholder secrets out of production.

Each test starts from a clean slate: no ``CITIZENBOT_*`` variables and no ``.env`` file
(it is read from the working directory, so the tests run in an empty one).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from gateway.settings import Settings

PLACEHOLDER = "dev-editor-token"
REAL_TOKEN = "k7Qx2-editor-9fLm0Zp4-Vw8sT3nB"  # 29 characters, at least 24


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.upper().startswith("CITIZENBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_production_refuses_the_placeholder_editor_token_with_a_clear_message(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CITIZENBOT_ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match="CITIZENBOT_EDITOR__TOKEN must be set to a real secret in production"):
        Settings()


def test_production_refuses_the_placeholder_even_when_set_explicitly(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CITIZENBOT_ENVIRONMENT", "production")
    monkeypatch.setenv("CITIZENBOT_EDITOR__TOKEN", PLACEHOLDER)
    with pytest.raises(ValidationError, match="real secret in production"):
        Settings()


def test_production_accepts_a_real_token_and_keeps_it_out_of_logs(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CITIZENBOT_ENVIRONMENT", "production")
    monkeypatch.setenv("CITIZENBOT_EDITOR__TOKEN", REAL_TOKEN)
    settings = Settings()
    assert settings.environment == "production"
    assert settings.editor.token.get_secret_value() == REAL_TOKEN
    assert REAL_TOKEN not in repr(settings) and REAL_TOKEN not in str(settings)


def test_development_is_the_default_and_runs_with_the_placeholder():
    settings = Settings()
    assert settings.environment == "development"
    assert settings.editor.token.get_secret_value() == PLACEHOLDER


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
@pytest.mark.parametrize("token", [PLACEHOLDER, "", "short-token"])
def test_development_on_loopback_accepts_a_weak_token(monkeypatch: pytest.MonkeyPatch, host: str, token: str):
    monkeypatch.setenv("CITIZENBOT_ENVIRONMENT", "development")
    monkeypatch.setenv("CITIZENBOT_GATEWAY__HOST", host)
    monkeypatch.setenv("CITIZENBOT_EDITOR__TOKEN", token)
    assert Settings().environment == "development"


@pytest.mark.parametrize(
    ("token", "problem"),
    [(PLACEHOLDER, "the development placeholder"), ("", "empty"), ("   ", "empty"), ("a" * 23, "shorter than 24")],
)
@pytest.mark.parametrize("environment", ["test", "production"])
def test_outside_development_a_weak_token_is_refused_at_start_up(
    monkeypatch: pytest.MonkeyPatch, environment: str, token: str, problem: str
):
    monkeypatch.setenv("CITIZENBOT_ENVIRONMENT", environment)
    monkeypatch.setenv("CITIZENBOT_EDITOR__TOKEN", token)
    with pytest.raises(ValidationError, match=f"real secret in {environment} \\(it is {problem}"):
        Settings()


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "bot.example.go.th"])
def test_development_listening_beyond_loopback_refuses_the_placeholder(monkeypatch: pytest.MonkeyPatch, host: str):
    monkeypatch.setenv("CITIZENBOT_GATEWAY__HOST", host)
    with pytest.raises(ValidationError, match="Only environment=development with the gateway on loopback"):
        Settings()
    monkeypatch.setenv("CITIZENBOT_EDITOR__TOKEN", "a" * 24)
    assert Settings().gateway.host == host


def test_the_internal_secrets_have_no_default_and_live_under_var():
    settings = Settings()
    assert settings.rasa.auth_token is None and settings.gateway.action_token is None
    assert settings.secrets_dir.parts[-2:] == ("var", "secrets")


def test_the_guard_also_holds_for_settings_built_in_code():
    with pytest.raises(ValidationError, match="real secret in production"):
        Settings.model_validate({"environment": "production"})
    assert Settings.model_validate({"environment": "production", "editor": {"token": REAL_TOKEN}})


@pytest.mark.parametrize("environment", ["staging", "Production", "prod"])
def test_an_unknown_environment_name_is_refused_not_treated_as_development(
    monkeypatch: pytest.MonkeyPatch, environment: str
):
    monkeypatch.setenv("CITIZENBOT_ENVIRONMENT", environment)
    with pytest.raises(ValidationError, match="environment"):
        Settings()


def test_production_refuses_an_empty_editor_token(monkeypatch: pytest.MonkeyPatch):
    """An empty token would let ``Authorization: Bearer`` with nothing after it into the editor API."""
    monkeypatch.setenv("CITIZENBOT_ENVIRONMENT", "production")
    monkeypatch.setenv("CITIZENBOT_EDITOR__TOKEN", "")
    with pytest.raises(ValidationError, match="it is empty"):
        Settings()


# --- nested groups from the environment ------------------------------------------------------


def test_double_underscore_variables_reach_their_group(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CITIZENBOT_RASA__URL", "http://rasa.internal:5005")
    monkeypatch.setenv("CITIZENBOT_RASA__TIMEOUT_SECONDS", "12.5")
    monkeypatch.setenv("CITIZENBOT_LINE__CHANNEL_SECRET", "line-secret-abc")
    monkeypatch.setenv("CITIZENBOT_GATEWAY__PORT", "8080")
    settings = Settings()
    assert settings.rasa.url == "http://rasa.internal:5005"
    assert settings.rasa.timeout_seconds == 12.5
    assert settings.line.channel_secret is not None
    assert settings.line.channel_secret.get_secret_value() == "line-secret-abc"
    assert settings.gateway.port == 8080
    # Only what was set changes: the rest of each group keeps its defaults.
    assert settings.line.channel_access_token is None
    assert settings.line.api_base_url == "https://api.line.me"
    assert settings.gateway.host == "127.0.0.1"


def test_a_variable_for_one_group_does_not_leak_into_another(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CITIZENBOT_LINE__CHANNEL_SECRET", "line-secret-abc")
    settings = Settings()
    assert settings.rasa.url == "http://127.0.0.1:5005"
    assert settings.editor.token.get_secret_value() == PLACEHOLDER


def test_a_bad_value_names_the_nested_setting(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CITIZENBOT_RASA__TIMEOUT_SECONDS", "0")
    with pytest.raises(ValidationError, match=r"rasa\.timeout_seconds"):
        Settings()


def test_a_dotenv_file_in_the_working_directory_is_read(tmp_path: Path):
    (tmp_path / ".env").write_text("CITIZENBOT_RASA__URL=http://from-dotenv:5005\n", encoding="utf-8")
    assert Settings().rasa.url == "http://from-dotenv:5005"


# --- misspelt Thai ---------------------------------------------------------------------------


def test_spelling_settings_reach_the_search(monkeypatch: pytest.MonkeyPatch):
    import json

    from knowledge.search.spelling import DEFAULT_SPELLING
    from nlu.phonetic import SOUNDEX_ENGINES

    assert Settings().search.spelling_config() == DEFAULT_SPELLING
    monkeypatch.setenv("CITIZENBOT_SEARCH__SPELLING", "expand")
    monkeypatch.setenv("CITIZENBOT_SEARCH__SOUNDEX_ENGINES", '["udom83", "metasound"]')
    monkeypatch.setenv("CITIZENBOT_SEARCH__SPELLING_MAX_EDITS", "2")
    config = Settings().search.spelling_config()
    assert config is not None
    assert (config.sound_engines, config.max_edits, config.correct_query) == (("udom83", "metasound"), 2, False)
    monkeypatch.setenv("CITIZENBOT_SEARCH__SPELLING", "off")
    assert Settings().search.spelling_config() is None
    # Every engine the setting accepts is one PyThaiNLP has, and a typo is refused at start-up.
    monkeypatch.setenv("CITIZENBOT_SEARCH__SOUNDEX_ENGINES", json.dumps(SOUNDEX_ENGINES))
    assert Settings().search.soundex_engines == SOUNDEX_ENGINES
    monkeypatch.setenv("CITIZENBOT_SEARCH__SOUNDEX_ENGINES", '["soundex"]')
    with pytest.raises(ValidationError, match=r"search\.soundex_engines"):
        Settings()
