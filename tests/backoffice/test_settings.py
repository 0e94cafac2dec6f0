"""The back office's settings group, composed into the gateway's settings."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from gateway.settings import Settings

TOKEN = "a-real-editor-token-of-enough-length"


def test_defaults_are_secure_and_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("CITIZENBOT_BACKOFFICE__MAX_FAILED_SIGN_INS", "7")
    settings = Settings(_env_file=None)
    assert settings.backoffice.cookie_secure
    assert (settings.backoffice.max_failed_sign_ins, settings.backoffice.lockout_minutes) == (7, 15)
    assert settings.store.staff_url.endswith("var/staff.db")


def test_an_insecure_cookie_is_refused_in_production_only():
    insecure = {"editor": {"token": TOKEN}, "backoffice": {"cookie_secure": False}}
    assert not Settings(_env_file=None, environment="development", **insecure).backoffice.cookie_secure
    with pytest.raises(ValidationError, match="COOKIE_SECURE=false is refused in production"):
        Settings(_env_file=None, environment="production", **insecure)
