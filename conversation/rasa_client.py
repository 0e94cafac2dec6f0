"""Talking to the Rasa server over HTTP (REST channel and status API)."""

from __future__ import annotations

from typing import Any

import httpx

__all__ = ["RasaClient", "RasaUnavailableError"]


class RasaUnavailableError(RuntimeError):
    """Rasa did not answer: not started, still loading, crashed or too slow."""

    def __init__(self, message: str, *, timeout: bool = False) -> None:
        super().__init__(message)
        self.timeout = timeout


class RasaClient:
    def __init__(self, base_url: str, timeout_seconds: float, auth_token: str | None = None) -> None:
        # Rasa's HTTP API (`rasa run --auth-token`) reads the token from the `token` query parameter;
        # sent on every call, the REST channel ignores it.
        params = {"token": auth_token} if auth_token else None
        self._client = httpx.AsyncClient(base_url=base_url, timeout=timeout_seconds, params=params)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        """One citizen message in, the bot's messages out (REST channel)."""
        payload = {"sender": sender, "message": text, "metadata": metadata}
        try:
            response = await self._client.post("/webhooks/rest/webhook", json=payload)
            response.raise_for_status()
        except httpx.TimeoutException as error:
            raise RasaUnavailableError(f"Rasa timed out: {error}", timeout=True) from error
        except httpx.HTTPStatusError as error:  # its text holds the URL, and with it the token
            raise RasaUnavailableError(f"Rasa request failed: HTTP {error.response.status_code}") from error
        except httpx.HTTPError as error:
            raise RasaUnavailableError(f"Rasa request failed: {error}") from error
        try:
            body = response.json()
        except ValueError as error:  # e.g. a proxy's HTML error page sent with 200
            raise RasaUnavailableError(f"unexpected Rasa reply: not JSON ({error})") from error
        if not isinstance(body, list) or not all(isinstance(message, dict) for message in body):
            raise RasaUnavailableError(f"unexpected Rasa reply: {type(body).__name__}")
        return body

    async def status(self) -> dict[str, Any] | None:
        """The loaded model, or None while Rasa is down or has no model."""
        try:
            response = await self._client.get("/status", timeout=3.0)
            response.raise_for_status()
            body: dict[str, Any] = response.json()
        except (httpx.HTTPError, ValueError):
            return None
        return body if body.get("model_file") else None
