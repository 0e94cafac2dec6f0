"""The LINE channel's settings group; the gateway's ``Settings`` composes it as ``line``.

Nested groups use ``__`` too: ``CITIZENBOT_LINE__QUEUE__LEASE_SECONDS``,
``CITIZENBOT_LINE__USER_LIMIT__COUNT``.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr

__all__ = ["LineQueueSettings", "LineSettings", "LineUserLimit"]


class LineQueueSettings(BaseModel):
    """The durable event queue (:mod:`channels.line.queue`): how long a worker may hold an event
    before another may take it over, how often workers look, and how long answered ids are kept."""

    # A worker renews its lease every third of this while a turn runs, so it only has to outlast a
    # stalled (crashed) worker, not the slowest turn.
    lease_seconds: float = Field(default=30.0, gt=0)
    poll_seconds: float = Field(default=1.0, gt=0)  # expired leases and other replicas' events
    concurrency: int = Field(default=8, ge=1)  # chats answered at once by one gateway process
    # A crash loop on one event (it kills the process each time) stops after this many tries.
    max_attempts: int = Field(default=5, ge=1)
    # An event older than this when a worker gets to it (the gateway was down for a while) is dropped
    # with a log line instead of answered: an answer an hour late to a question the citizen has
    # probably asked elsewhere is noise, and it costs a push message.
    max_age_seconds: float = Field(default=900.0, gt=0)
    retention_days: float = Field(default=7.0, gt=0)  # far longer than LINE keeps redelivering


class LineUserLimit(BaseModel):
    """At most ``count`` answered events per LINE user in any ``seconds``; then one notice and silence."""

    count: int = Field(default=20, ge=1)
    seconds: int = Field(default=60, ge=1)


class LineSettings(BaseModel):
    """LINE Messaging API; the webhook refuses every event while the secret is unset."""

    channel_secret: SecretStr | None = None
    channel_access_token: SecretStr | None = None
    api_base_url: str = "https://api.line.me"
    data_api_base_url: str = "https://api-data.line.me"  # rich-menu images go here
    # Every LINE API call gives up after this (the SDK's own default is 300 s, while a chat waits).
    request_timeout_seconds: float = Field(default=10.0, gt=0)
    queue: LineQueueSettings = LineQueueSettings()
    user_limit: LineUserLimit = LineUserLimit()
