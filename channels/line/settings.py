"""The LINE channel's settings group; the gateway's ``Settings`` composes it as ``line``."""

from __future__ import annotations

from pydantic import BaseModel, SecretStr

__all__ = ["LineSettings"]


class LineSettings(BaseModel):
    """LINE Messaging API; the webhook refuses every event while the secret is unset."""

    channel_secret: SecretStr | None = None
    channel_access_token: SecretStr | None = None
    api_base_url: str = "https://api.line.me"
    data_api_base_url: str = "https://api-data.line.me"  # rich-menu images go here
