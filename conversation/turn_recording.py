"""Recording each turn for the analytics, without making the citizen wait for it.

:func:`outcome_of` reads what became of a message from the reply itself (a card, an ask-back, the
"not in the catalogue" sentence, a hand-off ticket ...): the replies are the one thing every path
of a turn has in common, whether Rasa's actions or the gateway's own catalogue search answered.
The sentences are the ones of the table in :mod:`texts`, matched as templates, so a wording change
there keeps the classification right.

:class:`TurnRecorder` is handed the finished turn by :func:`conversation.turn.run_turn` and writes
it in a thread of its own: the reply goes out at once, and a slow or broken store costs the turn
nothing (a failed write is logged by its kind only, never with the message; docs/analytics.md).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import cache
from typing import Any

from conversation.messages import TurnStatus
from conversation.turn import TurnRequest, TurnResult
from conversation.turn_events import Outcome, TurnEvent, TurnEventStore
from knowledge.service_search import CatalogueSearch
from nlu.normalize import remove_zero_width
from nlu.pii import mask_pii
from texts import LANGUAGES
from texts.table import table

__all__ = ["TurnRecorder", "catalogue_scorer", "is_tapped", "outcome_of"]

logger = logging.getLogger(__name__)

# A quick-reply tap comes back as its payload: ``/intent`` or ``/intent{"entity": "value"}``.
_PAYLOAD = re.compile(r"^/\w+(\{.*\})?$", re.DOTALL)
_PLACEHOLDER = re.compile(r"\{\w+\}")
_FAILED = frozenset({TurnStatus.RASA_UNAVAILABLE, TurnStatus.RASA_TIMEOUT, TurnStatus.NO_REPLY})
# The bot's offer of a person after two misses in a row (bot/domain utter_offer_human): yes / no.
_OFFER_HUMAN_PAYLOADS = frozenset({"/affirm", "/deny"})
# Outcomes whose search score says something (a search ran for these words).
_SEARCHED = frozenset({Outcome.ANSWERED, Outcome.ASKED_BACK, Outcome.OUT_OF_CATALOGUE})


@cache
def _template(key: str) -> tuple[re.Pattern[str], ...]:
    """The sentence ``key`` of the texts table in each language, its placeholders matching anything."""
    patterns = []
    for lang in LANGUAGES:
        parts = _PLACEHOLDER.split(table()[key][lang])
        patterns.append(re.compile(".*?".join(re.escape(part) for part in parts), re.DOTALL))
    return tuple(patterns)


def _says(texts: list[str], key: str) -> bool:
    return any(pattern.match(said) for said in texts for pattern in _template(key))


def _offers_a_person(messages: list[dict[str, Any]]) -> bool:
    for message in messages:
        if message.get("type") == "quick_replies":
            payloads = {str(option.get("payload") or "") for option in message.get("options") or []}
            if payloads and payloads <= _OFFER_HUMAN_PAYLOADS and "/affirm" in payloads:
                return True
    return False


def outcome_of(result: TurnResult) -> tuple[Outcome, str | None]:
    """What became of the message, and the service answered (from its card), from the reply."""
    if result.status in _FAILED:
        return Outcome.FALLBACK, None
    messages = result.messages
    for message in messages:
        card = message.get("card") if message.get("type") == "card" else None
        if isinstance(card, dict):
            service_id = card.get("service_id")
            return Outcome.ANSWERED, str(service_id) if service_id else None
    said = [str(message.get("text") or "") for message in messages]
    if result.status == TurnStatus.WITH_OFFICER or any(
        _says(said, key) for key in ("answers.handoff_done", "handoff.received", "handoff.out_of_hours")
    ):
        return Outcome.HANDOFF, None
    if _offers_a_person(messages):  # the second miss in a row: unmatched, with a person offered
        return Outcome.OUT_OF_CATALOGUE, None
    if _says(said, "answers.no_match") or _says(said, "answers.referral"):
        return Outcome.OUT_OF_CATALOGUE, None
    if _says(said, "answers.ask_which_of") or _says(said, "answers.ask_which_service"):
        return Outcome.ASKED_BACK, None
    if _says(said, "answers.error"):
        return Outcome.FALLBACK, None
    return Outcome.OTHER, None


def is_tapped(text: str) -> bool:
    """A quick-reply payload rather than typed words."""
    return bool(_PAYLOAD.match(text))


def catalogue_scorer(catalogue: CatalogueSearch) -> Callable[[str], float | None]:
    """The top search score of a message, as the lookup that answered it scored it in this process.

    No second search: a turn's record would otherwise cost as much CPU as the search that answered
    it (benchmarks/turn_cpu.py). None when this process made no lookup of exactly these words lately
    (the action ran in another worker, or it searched other words, e.g. with the ID masked differently)."""

    def score(text: str) -> float | None:
        return catalogue.recent_top_score(text)

    return score


class TurnRecorder:
    """Turns into :class:`~conversation.turn_events.TurnEvent` rows, written by one thread.

    ``scorer`` adds the top search score to turns the catalogue was searched for. At most
    ``max_pending`` writes wait; beyond that (a store that hangs) turns go unrecorded, and say so
    in the log, rather than piling up in memory."""

    def __init__(
        self,
        store: TurnEventStore,
        scorer: Callable[[str], float | None] | None = None,
        max_pending: int = 1000,
    ) -> None:
        self.store = store
        self.scorer = scorer
        self.max_pending = max_pending
        self.dropped = 0  # turns not recorded because too many writes were waiting
        self._pending = 0
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="turn-events")

    def record(self, request: TurnRequest, result: TurnResult) -> None:
        """Queue the turn's event; returns at once and never raises."""
        try:
            event = self._event(request, result)
        except Exception:
            logger.exception("could not describe a turn for the analytics")
            return
        with self._lock:
            if self._pending >= self.max_pending:
                self.dropped += 1
                logger.warning("turn events are not being written fast enough; %d turns unrecorded", self.dropped)
                return
            self._pending += 1
        try:
            self._executor.submit(self._write, event)
        except RuntimeError:  # shutting down
            with self._lock:
                self._pending -= 1

    def flush(self, timeout: float = 30.0) -> None:
        """Wait until every event queued so far is written (tests, shutdown)."""
        self._executor.submit(lambda: None).result(timeout)

    def close(self) -> None:
        """Write what is queued, then stop the thread."""
        self._executor.shutdown(wait=True)

    @staticmethod
    def _event(request: TurnRequest, result: TurnResult) -> TurnEvent:
        typed = remove_zero_width(request.text).strip()
        outcome, service_id = outcome_of(result)
        return TurnEvent(
            conversation_id=request.sender,
            channel=request.channel,
            language=result.language,
            message=mask_pii(typed),
            outcome=outcome,
            status=result.status.value,
            duration_ms=result.duration_ms,
            service_id=service_id,
            tapped=is_tapped(typed),
        )

    def _write(self, event: TurnEvent) -> None:
        try:
            if self.scorer is not None and event.outcome in _SEARCHED and not event.tapped:
                event = replace(event, top_score=self._score(event.message))
            self.store.record(event)
        except Exception as error:  # the kind only: a SQL error's text carries the message
            logger.warning("could not record a turn event (%s); the turn itself was answered", type(error).__name__)
        finally:
            with self._lock:
                self._pending -= 1

    def _score(self, text: str) -> float | None:
        assert self.scorer is not None
        try:
            return self.scorer(text)
        except Exception as error:
            logger.warning("no search score for a turn event (%s)", type(error).__name__)
            return None
