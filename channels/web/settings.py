"""The web widget's settings group; the gateway's ``Settings`` composes it as ``web``."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["WebSettings"]


class WebSettings(BaseModel):
    """The web widget: which sites may embed it and call the chat API from a browser."""

    # Origins (scheme://host[:port]) whose pages may call /api/chat; the gateway's own pages
    # need no entry (same origin). ["*"] lets any site embed it: the API uses no cookies.
    allowed_origins: list[str] = Field(default_factory=lambda: ["http://localhost:8000", "http://127.0.0.1:8000"])
    # How long browsers reuse widget.js/.css before revalidating (the embed URL has no version).
    asset_max_age_seconds: int = Field(default=300, ge=0)
