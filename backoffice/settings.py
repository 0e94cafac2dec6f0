"""The back office's settings group; the gateway's ``Settings`` composes it as ``backoffice``
(``CITIZENBOT_BACKOFFICE__...``)."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["BackofficeSettings"]


class BackofficeSettings(BaseModel):
    """Sign-in, lock-out and session lifetimes of staff accounts (docs/adr/0010-staff-accounts.md)."""

    # This many wrong passwords in a row lock the account for lockout_minutes; a correct password
    # during the lock is refused too, so guessing cannot go on in the background.
    max_failed_sign_ins: int = Field(default=5, ge=1)
    lockout_minutes: float = Field(default=15, gt=0)
    # A session unused this long ends (a laptop left open); none lives longer than session_hours.
    session_idle_minutes: float = Field(default=30, gt=0)
    session_hours: float = Field(default=12, gt=0)
    # The session cookie is sent over HTTPS only. Browsers count http://localhost and 127.0.0.1 as secure,
    # so a developer's own gateway works with it on; turn it off only to serve plain http to another
    # machine in development (refused in production: gateway/settings.py).
    cookie_secure: bool = True
    # Sign-in attempts per client address: lock-out guards one account, this guards all of them.
    sign_in_count: int = Field(default=10, ge=1)
    sign_in_seconds: int = Field(default=60, ge=1)
