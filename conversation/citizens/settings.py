"""The citizens store's settings group; the gateway's ``Settings`` composes it as ``citizens``
(``CITIZENBOT_CITIZENS__LINK_CODE_MINUTES=10``, ``CITIZENBOT_CITIZENS__DASHBOARD_SECRET=...``)."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr

__all__ = ["CitizensSettings"]


class CitizensSettings(BaseModel):
    """How long what a citizen consented to is kept, and how links, codes and reminders behave."""

    # Which consent text (texts: citizens.consent_*) a citizen is shown; a new wording gets a new version,
    # and the consent record says which one the citizen agreed to.
    consent_wording_version: str = Field(default="2026-12-03", min_length=1, max_length=20)
    # A profile, journey progress and saved services untouched this long are erased (PDPA s.37(3));
    # the consent text says so.
    kept_days: int = Field(default=365, ge=1, le=3650)
    # A one-time code linking a second conversation (LINE and web) to the citizen lasts this long.
    link_code_minutes: float = Field(default=10.0, gt=0, le=60)
    # A wrong code is refused; after this many wrong codes in a conversation in link_code_minutes the
    # conversation may not try again until they pass (codes are 6 digits: guessing must not pay).
    link_code_attempts: int = Field(default=5, ge=1, le=20)
    # The dashboard's signed link lasts this long; the key signs it (empty: one generated into
    # secrets_dir, shared by the replicas of one machine; set it when replicas run on several machines).
    dashboard_link_minutes: float = Field(default=30.0, gt=0, le=24 * 60)
    dashboard_secret: SecretStr = SecretStr("")
    # Where citizens open the gateway's pages (the dashboard link in the chat and on LINE): its public
    # address, https in production (LINE opens only http(s) links). The default is `make run`'s.
    public_url: str = Field(default="http://localhost:8000", pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$")
    # The scheduler looks for due reminders this often; a claimed reminder not sent within the lease is
    # claimed again by any replica (a replica that died while sending).
    scheduler_interval_seconds: float = Field(default=60.0, gt=0, le=3600)
    reminder_lease_seconds: float = Field(default=120.0, gt=0, le=3600)
    reminder_max_attempts: int = Field(default=5, ge=1, le=50)
    # A document-expiry reminder is sent this many days before the document expires.
    expiry_reminder_days: int = Field(default=30, ge=1, le=365)
