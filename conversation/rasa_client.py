"""Talking to the Rasa server over HTTP (REST channel and status API)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import httpx

from conversation.rasa_replicas import Replica, ReplicaPool, ReplicaState, replica_failed, retry_is_safe

__all__ = ["RasaClient", "RasaUnavailableError"]


class RasaUnavailableError(RuntimeError):
    """Rasa did not answer: not started, still loading, crashed or too slow."""

    def __init__(self, message: str, *, timeout: bool = False) -> None:
        super().__init__(message)
        self.timeout = timeout


class RasaClient:
    """One Rasa server, or several replicas sharing a tracker and lock store (conversation/rasa_replicas.py):
    each call goes to the least busy replica that is up, and moves to another one where that is safe."""

    def __init__(
        self,
        base_url: str | Sequence[str],
        timeout_seconds: float,
        auth_token: str | None = None,
        *,
        down_seconds: float = 5.0,
    ) -> None:
        # Rasa's HTTP API (`rasa run --auth-token`) reads the token from the `token` query parameter;
        # sent on every call, the REST channel ignores it.
        params = {"token": auth_token} if auth_token else None
        urls = [base_url] if isinstance(base_url, str) else list(base_url)
        # A replica that does not take the connection within a few seconds is as good as down: fail
        # over then, rather than after the whole turn's timeout.
        timeout = httpx.Timeout(timeout_seconds, connect=min(timeout_seconds, 3.0))
        self._pool = ReplicaPool.create(urls, timeout, params, down_seconds=down_seconds)

    async def aclose(self) -> None:
        await self._pool.aclose()

    @property
    def replica_states(self) -> list[ReplicaState]:
        """Up or down per replica, as the last calls (and :meth:`status`) found them."""
        return self._pool.states()

    async def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        """One citizen message in, the bot's messages out (REST channel)."""
        payload = {"sender": sender, "message": text, "metadata": metadata}
        body = _json(await self._request("POST", "/webhooks/rest/webhook", json=payload))
        if not isinstance(body, list) or not all(isinstance(message, dict) for message in body):
            raise RasaUnavailableError(f"unexpected Rasa reply: {type(body).__name__}")
        return body

    async def status(self) -> dict[str, Any] | None:
        """The loaded model (of the first replica serving one), or None while no replica has a model.

        Asks every replica at once and records which are up, so /health reports each of them."""
        answers = await asyncio.gather(*(self._replica_status(r) for r in self._pool.replicas))
        return next((body for body in answers if body is not None), None)

    async def _replica_status(self, replica: Replica) -> dict[str, Any] | None:
        try:
            response = await replica.client.get("/status", timeout=3.0)
            response.raise_for_status()
            body: dict[str, Any] = response.json()
        except (httpx.HTTPError, ValueError) as error:
            if len(self._pool.replicas) > 1:
                self._pool.mark_down(replica, f"status: {type(error).__name__}")
            return None
        if not body.get("model_file"):
            return None
        self._pool.mark_up(replica)
        return body

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

    async def append_event(self, sender: str, event: dict[str, Any]) -> None:
        """Append one event to the conversation's tracker (POST .../tracker/events), e.g.
        ``{"event": "pause"}`` while an officer holds the conversation and ``{"event": "resume"}``
        when they hand it back: Rasa keeps the slots and records messages but predicts nothing."""
        path = f"/conversations/{quote(sender, safe=':')}/tracker/events"
        # Pausing or resuming twice is the same as once: safe to repeat on another replica.
        await self._request("POST", path, idempotent=True, json=event)

    async def _tracker_call(self, method: str, sender: str, **kwargs: Any) -> httpx.Response:
        # Rasa's router (sanic 21.12) does not unquote path parameters: "web%3Aabc" would be another
        # conversation. The ids the gateway makes (web:/line: with URL-safe characters) pass unchanged;
        # quoting only keeps anything else from breaking the URL.
        path = f"/conversations/{quote(sender, safe=':')}/tracker" + ("/events" if method == "PUT" else "")
        # Reading a tracker, or replacing its events with none, may be repeated on another replica.
        return await self._request(method, path, idempotent=True, **kwargs)

    async def _request(self, method: str, path: str, *, idempotent: bool = False, **kwargs: Any) -> httpx.Response:
        """One call to Rasa, moved to another replica where that is safe (conversation/rasa_replicas.py);
        every failure (timeout, HTTP error, no connection) is a RasaUnavailableError."""
        last: httpx.HTTPError | None = None
        for replica in self._pool.order():
            replica.in_flight += 1
            try:
                response = await replica.client.request(method, path, **kwargs)
                response.raise_for_status()
            except httpx.HTTPStatusError as error:  # it answered: no other replica would do better
                self._pool.mark_up(replica)
                # Its text holds the URL, and with it the token.
                raise RasaUnavailableError(f"Rasa request failed: HTTP {error.response.status_code}") from error
            except httpx.HTTPError as error:
                last = error
                if replica_failed(error):
                    self._pool.mark_down(replica, type(error).__name__)
                if retry_is_safe(error, idempotent=idempotent):
                    continue
                break
            finally:
                replica.in_flight -= 1
            self._pool.mark_up(replica)
            return response
        if isinstance(last, httpx.TimeoutException):
            raise RasaUnavailableError(f"Rasa timed out: {last}", timeout=True) from last
        raise RasaUnavailableError(f"Rasa request failed: {last}") from last


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as error:  # e.g. a proxy's HTML error page sent with 200
        raise RasaUnavailableError(f"unexpected Rasa reply: not JSON ({error})") from error
