"""The reports desk's settings group; the gateway's ``Settings`` composes it as ``reports``
(``CITIZENBOT_REPORTS__DUPLICATE_METRES=50``, ``CITIZENBOT_REPORTS__DUPLICATE_DAYS=3``)."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr

__all__ = ["ReportsSettings"]


class ReportsSettings(BaseModel):
    """When two reports are one case, and who may update status from outside."""

    # A new report of the same type within this distance and this many days of an open one joins its
    # case, and the citizen is told the problem is already known (issue 18).
    duplicate_metres: float = Field(default=50.0, ge=0, le=5000)
    duplicate_days: float = Field(default=3.0, ge=0, le=60)
    # The organisation a report goes to when no routing rule matches.
    default_organisation: str = Field(default="สำนักงานเขต / องค์กรปกครองส่วนท้องถิ่นในพื้นที่", min_length=1)
    # A photo larger than this is refused with a clear message (the widget checks it before sending too).
    photo_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=50 * 1024 * 1024)
    # A report the citizen stopped telling the bot about for this long is dropped; nothing is filed.
    draft_minutes: float = Field(default=30.0, gt=0, le=24 * 60)
    # Outside case systems that may change a report's status through /api/reports/{ticket}/status,
    # each by its own bearer token: {"traffy": "<token>"} (CITIZENBOT_REPORTS__STATUS_API_TOKENS as JSON).
    # Empty: the API answers 503, nothing outside can change a status.
    status_api_tokens: dict[str, SecretStr] = Field(default_factory=dict)
    # The optional forwarder to an external case system (Traffy Fondue's exchange API); off by default.
    forwarder_enabled: bool = False
    forwarder_url: str = ""  # the API's base URL, e.g. https://<host>/api/v1
    forwarder_token: SecretStr = SecretStr("")
    forwarder_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
