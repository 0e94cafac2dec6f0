"""The two internal secrets: Rasa's HTTP API token and the action endpoint token.

Each comes from settings when given (``CITIZENBOT_RASA__AUTH_TOKEN``,
``CITIZENBOT_GATEWAY__ACTION_TOKEN``); otherwise it is generated on first start
and kept in ``secrets_dir`` (default ``var/secrets/``, file mode 0600), so there
is never a fixed default and a restart keeps the same value. The supervisor
resolves both once and hands them to Rasa and the gateway; a gateway started on
its own reads the same files. See docs/runbook-secrets.md.

The gateway's own key for signing web conversation ids (``CITIZENBOT_WEB__SENDER_KEY``,
:func:`web_sender_key`) follows the same pattern; only the gateway uses it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import stat
from pathlib import Path

from pydantic import SecretStr

from gateway.settings import Settings

__all__ = [
    "ACTION_TOKEN_FILE",
    "DASHBOARD_LINK_KEY_FILE",
    "RASA_AUTH_TOKEN_FILE",
    "WEB_SENDER_KEY_FILE",
    "action_token",
    "dashboard_link_secret",
    "load_or_create_secret",
    "rasa_auth_token",
    "web_sender_key",
    "with_secrets",
]

logger = logging.getLogger(__name__)

RASA_AUTH_TOKEN_FILE = "rasa_auth_token"
ACTION_TOKEN_FILE = "action_token"
WEB_SENDER_KEY_FILE = "web_sender_key"
DASHBOARD_LINK_KEY_FILE = "dashboard_link_key"  # the citizens' dashboard links (conversation/citizens/signed_links.py)
_MIN_STORED_CHARS = 24  # a shorter file was not written by us: refuse it rather than trust it


def load_or_create_secret(path: Path) -> str:
    """The secret stored at ``path``, generated (32 random bytes, URL-safe) if the file does not exist.

    Written to a private temporary file and hard-linked into place, so two processes starting at
    once agree on one value and nobody ever reads a half-written file.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "w", encoding="ascii") as handle:
                handle.write(secrets.token_urlsafe(32) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(FileExistsError):  # another process won the race: use its value
                os.link(temporary, path)
                logger.info("generated a new secret in %s", path)
        finally:
            temporary.unlink(missing_ok=True)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        logger.warning("%s was readable by others (mode %o); setting it to 0600", path, mode)
        path.chmod(0o600)
    value = path.read_text(encoding="ascii").strip()
    if len(value) < _MIN_STORED_CHARS:
        raise ValueError(f"{path} holds no usable secret (fewer than {_MIN_STORED_CHARS} characters); delete it")
    return value


def _resolve(given: SecretStr | None, path: Path) -> str:
    if given is not None and given.get_secret_value().strip():
        return given.get_secret_value()
    return load_or_create_secret(path)


def rasa_auth_token(settings: Settings) -> str:
    """The token Rasa's HTTP API requires (``rasa run --auth-token``)."""
    return _resolve(settings.rasa.auth_token, settings.secrets_dir / RASA_AUTH_TOKEN_FILE)


def action_token(settings: Settings) -> str:
    """The token Rasa sends to ``POST /webhook/actions``."""
    return _resolve(settings.gateway.action_token, settings.secrets_dir / ACTION_TOKEN_FILE)


def web_sender_key(settings: Settings) -> str:
    """The key that signs the web's conversation ids and pseudonymises client addresses."""
    return _resolve(settings.web.sender_key, settings.secrets_dir / WEB_SENDER_KEY_FILE)


def dashboard_link_secret(settings: Settings) -> str:
    """The key that seals the citizens' dashboard links (``CITIZENBOT_CITIZENS__DASHBOARD_SECRET``)."""
    return _resolve(settings.citizens.dashboard_secret, settings.secrets_dir / DASHBOARD_LINK_KEY_FILE)


def with_secrets(settings: Settings) -> Settings:
    """A copy of ``settings`` with both secrets filled in, so every process started from it agrees."""
    rasa = settings.rasa.model_copy(update={"auth_token": SecretStr(rasa_auth_token(settings))})
    gateway = settings.gateway.model_copy(update={"action_token": SecretStr(action_token(settings))})
    return settings.model_copy(update={"rasa": rasa, "gateway": gateway})
