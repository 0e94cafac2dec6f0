"""The web widget's settings group; the gateway's ``Settings`` composes it as ``web``."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr

__all__ = ["WebSettings"]


class WebSettings(BaseModel):
    """The web widget: which sites may embed it and call the chat API from a browser."""

    # Origins (scheme://host[:port]) whose pages may call /api/chat; the gateway's own pages
    # need no entry (same origin). ["*"] lets any site embed it: the API uses no cookies.
    allowed_origins: list[str] = Field(default_factory=lambda: ["http://localhost:8000", "http://127.0.0.1:8000"])
    # How long browsers reuse widget.js/.css before revalidating (the embed URL has no version).
    asset_max_age_seconds: int = Field(default=300, ge=0)
    # The agency's privacy policy, linked from the widget's and the demo page's privacy notice
    # (http or https). Unset: the notice has no link; set it before going live.
    privacy_policy_url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    # "Keep this conversation on this device" keeps it in the browser's localStorage this many
    # days after the last message; without that choice it lives in the tab (sessionStorage) only.
    keep_history_days: int = Field(default=7, ge=1, le=90)
    # Signs the conversation ids the gateway issues (channels/web/sender_ids.py) and pseudonymises client
    # addresses. Unset: generated once into secrets_dir (gateway/secrets.py). Changing it starts every
    # open web conversation afresh.
    sender_key: SecretStr | None = None
