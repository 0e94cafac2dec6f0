"""Talking to the Rasa server over HTTP (REST channel and status API)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

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
        body = _json(await self._request("POST", "/webhooks/rest/webhook", json=payload))
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

    # --- a conversation's tracker (Rasa's HTTP API, behind its token): export and erasure ----

    async def tracker(self, sender: str) -> dict[str, Any]:
        """The conversation's tracker with all its events (as Rasa stores them).

        Rasa creates an empty tracker for an id it does not know, so "not found" never happens."""
        body = _json(await self._tracker_call("GET", sender, params={"include_events": "ALL"}))
        if not isinstance(body, dict) or not isinstance(body.get("events", []), list):
            raise RasaUnavailableError(f"unexpected Rasa tracker: {type(body).__name__}")
        return body

    async def erase_tracker(self, sender: str) -> None:
        """Replace the conversation's events with none (PUT .../tracker/events with ``[]``).

        Rasa 3.6 has no delete; the in-memory and Redis tracker stores save the whole tracker, so
        this empties it. Rasa's SQL tracker store only appends, so there it erases nothing (ours,
        nlu/rasa_tracker_store.py, deletes the rows): callers check with :meth:`tracker` afterwards."""
        await self._tracker_call("PUT", sender, json=[])

    async def _tracker_call(self, method: str, sender: str, **kwargs: Any) -> httpx.Response:
        # Rasa's router (sanic 21.12) does not unquote path parameters: "web%3Aabc" would be another
        # conversation. The ids the gateway makes (web:/line: with URL-safe characters) pass unchanged;
        # quoting only keeps anything else from breaking the URL.
        path = f"/conversations/{quote(sender, safe=':')}/tracker" + ("/events" if method == "PUT" else "")
        return await self._request(method, path, **kwargs)

    async def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One call to Rasa; every failure (timeout, HTTP error, no connection) is a RasaUnavailableError."""
        try:
            response = await self._client.request(method, path, **kwargs)
            response.raise_for_status()
        except httpx.TimeoutException as error:
            raise RasaUnavailableError(f"Rasa timed out: {error}", timeout=True) from error
        except httpx.HTTPStatusError as error:  # its text holds the URL, and with it the token
            raise RasaUnavailableError(f"Rasa request failed: HTTP {error.response.status_code}") from error
        except httpx.HTTPError as error:
            raise RasaUnavailableError(f"Rasa request failed: {error}") from error
        return response


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as error:  # e.g. a proxy's HTML error page sent with 200
        raise RasaUnavailableError(f"unexpected Rasa reply: not JSON ({error})") from error
