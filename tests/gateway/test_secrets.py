"""Generated-once secrets: private files under secrets_dir, never a fixed default; settings win."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from gateway.secrets import action_token, load_or_create_secret, rasa_auth_token, with_secrets
from tests.support import make_settings


def test_a_secret_is_generated_once_private_and_then_reused(tmp_path: Path):
    path = tmp_path / "secrets" / "rasa_auth_token"
    first = load_or_create_secret(path)
    assert len(first) >= 40
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert load_or_create_secret(path) == first
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


def test_two_places_get_different_random_values(tmp_path: Path):
    assert load_or_create_secret(tmp_path / "a") != load_or_create_secret(tmp_path / "b")


def test_a_file_readable_by_others_is_made_private(tmp_path: Path):
    path = tmp_path / "action_token"
    value = load_or_create_secret(path)
    path.chmod(0o644)
    assert load_or_create_secret(path) == value
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_empty_or_short_file_is_refused(tmp_path: Path):
    path = tmp_path / "action_token"
    path.write_text("short\n")
    path.chmod(0o600)
    with pytest.raises(ValueError, match="no usable secret"):
        load_or_create_secret(path)


def test_settings_win_over_the_files_and_unset_ones_are_generated(tmp_path: Path):
    settings = make_settings(tmp_path)
    assert rasa_auth_token(settings) == settings.rasa.auth_token.get_secret_value()
    assert not (tmp_path / "secrets").exists()
    settings.rasa.auth_token, settings.gateway.action_token = None, SecretStr("")
    resolved = with_secrets(settings)
    assert resolved.rasa.auth_token is not None and resolved.gateway.action_token is not None
    assert resolved.rasa.auth_token.get_secret_value() == (tmp_path / "secrets" / "rasa_auth_token").read_text().strip()
    assert action_token(resolved) == action_token(settings)  # the same file, read again
    assert rasa_auth_token(resolved) != action_token(resolved)
