"""One conversation turn, as an ordered pipeline of small steps.

1. clean the text and detect the language, 2. ask Rasa, 3. render the reply
for channels and name the language it is in. A failing step stops the turn
with a canned bilingual reply and a machine-readable status, so a citizen
always gets an answer. With Rasa down or too slow, the gateway's own catalogue
search answers instead (:mod:`conversation.degraded`), marked ``degraded`` and
with a one-line notice first. The finished turn goes to the analytics' recorder
(:mod:`conversation.turn_recording`), which writes it after the reply, off the event loop.

Personal data never leaves this step in clear (PDPA): phones and e-mails are masked
before Rasa sees the text, so its tracker, its logs and the transcripts the actions
store hold only masked forms; a national ID is replaced by a surrogate with the same
checks, kept in the :class:`~actions.api.id_vault.IdVault` for the status form
(docs/privacy-masking.md).
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from actions.api.id_vault import IdVault
from conversation.citizens.desk import CitizenDesk
from conversation.citizens.journey_view import add_progress
from conversation.degraded import CatalogueFallback
from conversation.handoff.desk import HandoffDesk
from conversation.messages import TurnStatus, canned_reply
from conversation.picks import TypedPicks
from conversation.rasa_client import RasaClient, RasaUnavailableError
from conversation.rendering import render_rasa_messages
from conversation.reports.desk import ReportAnswer, ReportDesk
from nlu.language import Lang, detect_language, reply_language
from nlu.normalize import remove_zero_width
from nlu.pii import PiiMatch, mask_pii, with_digits

__all__ = ["TurnRecorder", "TurnRequest", "TurnResult", "masked_for_rasa", "run_turn"]

logger = logging.getLogger(__name__)

_URL = re.compile(r"https?://\S+")
_LETTER = re.compile(r"[A-Za-z\u0e01-\u0e4e]")
# Fewer letters than this ("OK", "👍") do not say which language the bot is speaking.
_MIN_REPLY_LETTERS = 8


@dataclass(frozen=True)
class TurnRequest:
    sender: str
    text: str
    channel: str = "web"
    language: Literal["th", "en"] | None = None  # an explicit choice (widget switch)
    # Who is asking, as a pseudonym (never a raw address): the status check counts attempts per client.
    client: str | None = None
    # LINE: the event's reply token, kept with a held conversation's request for the officer's answer.
    reply_token: str | None = None
    # A problem report's answers that are not text (conversation/reports/desk.py): a shared point
    # (latitude, longitude) and a stored photo's reference.
    location: tuple[float, float] | None = None
    photo_ref: str | None = None


@dataclass
class TurnResult:
    sender: str
    language: Literal["th", "en"]
    status: TurnStatus
    messages: list[dict[str, Any]] = field(default_factory=list)
    duration_ms: float = 0.0


class TurnRecorder(Protocol):
    """Where a finished turn is recorded for the analytics (:mod:`conversation.turn_recording`)."""

    def record(self, request: TurnRequest, result: TurnResult) -> None:
        """Take the turn and return at once; never raise."""
        ...


async def run_turn(
    request: TurnRequest,
    rasa: RasaClient,
    fallback: CatalogueFallback | None = None,
    vault: IdVault | None = None,
    picks: TypedPicks | None = None,
    recorder: TurnRecorder | None = None,
    desk: HandoffDesk | None = None,
    reports: ReportDesk | None = None,
    citizens: CitizenDesk | None = None,
) -> TurnResult:
    """``fallback``: the catalogue answer to give while Rasa cannot (none: the canned apology).
    ``vault``: where a typed national ID waits for the status form (none: IDs are masked, and
    the status check cannot match them). ``picks``: the services each conversation was just
    offered, so a typed pick ("อันแรก", "ต่ออายุ") goes to Rasa as the quick reply it names.
    ``recorder``: takes the finished turn for the analytics once its reply is computed; a
    recorder that fails costs the turn nothing. ``desk``: the hand-off desk, asked first: while an
    officer holds the conversation the message goes to them, Rasa is not asked and the turn ends
    with status ``with_officer`` and no messages; its commands (cancel, leave a contact) are answered
    by it (conversation/handoff/desk.py). ``reports``: the report desk, asked next: a report being
    told, its commands, and Rasa's ``{"report": "start" | "status"}`` reply (its report intents)
    hand the turn to it (conversation/reports/desk.py). ``citizens``: the citizens desk, asked last
    before Rasa: consent, profile, journey progress, reminders, the dashboard and account linking
    (conversation/citizens/desk.py)."""
    result = await _at_desk(request, desk) if desk is not None else None
    if result is None and reports is not None:
        result = await _at_report_desk(request, reports)
    if result is None and citizens is not None and request.location is None and request.photo_ref is None:
        result = await _at_citizen_desk(request, citizens)
    if result is None:
        result = await _answer(request, rasa, fallback, vault, picks, reports)
        # A journey Rasa told gets this citizen's progress and buttons (conversation/citizens/journey_view.py).
        result.messages = await add_progress(result.messages, citizens, request.sender)
    if recorder is not None:
        try:
            recorder.record(request, result)
        except Exception:
            logger.exception("the turn could not be recorded")
    return result


async def _at_desk(request: TurnRequest, desk: HandoffDesk) -> TurnResult | None:
    """The desk's answer to the turn, or None for Rasa to answer; a failing desk never stops the bot."""
    started = time.perf_counter()
    typed = remove_zero_width(request.text).strip()
    lang = request.language or reply_language(detect_language(typed))
    try:
        intercepted = await desk.intercept(request.sender, typed, lang, request.reply_token)
    except Exception:
        logger.exception("the hand-off desk could not look at the turn")
        return None
    if intercepted is None:
        return None
    status = TurnStatus.WITH_OFFICER if intercepted.with_officer else TurnStatus.OK
    result = TurnResult(request.sender, intercepted.language, status, list(intercepted.messages))
    result.duration_ms = (time.perf_counter() - started) * 1000
    return result


async def _at_report_desk(request: TurnRequest, reports: ReportDesk) -> TurnResult | None:
    """The report desk's answer, or None for Rasa; a failing desk never stops the bot."""
    started = time.perf_counter()
    typed = remove_zero_width(request.text).strip()
    # A command ("/report_problem", "/report_problem Report a problem") says nothing of the language;
    # the words after it may (the widget sends its button's label).
    words = (
        typed.split(maxsplit=1)[1]
        if typed.startswith("/") and " " in typed
        else ("" if typed.startswith("/") else typed)
    )
    lang = request.language or reply_language(detect_language(words))
    try:
        answer = await reports.intercept(
            request.sender,
            typed,
            lang,
            request.channel,
            location=request.location,
            photo_ref=request.photo_ref,
            explicit=request.language is not None,
        )
    except Exception:
        logger.exception("the report desk could not look at the turn")
        return None
    return _report_result(request, answer, started) if answer is not None else None


async def _at_citizen_desk(request: TurnRequest, citizens: CitizenDesk) -> TurnResult | None:
    """The citizens desk's answer, or None for Rasa; a failing desk never stops the bot."""
    started = time.perf_counter()
    typed = remove_zero_width(request.text).strip()
    lang = request.language or reply_language(detect_language(typed))
    try:
        answer = await citizens.intercept(
            request.sender, typed, lang, request.channel, explicit=request.language is not None
        )
    except Exception:
        logger.exception("the citizens desk could not look at the turn")
        return None
    if answer is None:
        return None
    result = TurnResult(request.sender, answer.language, TurnStatus.OK, list(answer.messages))
    result.duration_ms = (time.perf_counter() - started) * 1000
    return result


def _report_result(request: TurnRequest, answer: ReportAnswer, started: float) -> TurnResult:
    result = TurnResult(request.sender, answer.language, TurnStatus.OK, list(answer.messages))
    result.duration_ms = (time.perf_counter() - started) * 1000
    return result


def _report_intent(raw: list[dict[str, Any]]) -> str | None:
    """``start`` or ``status`` when Rasa's reply is the report actions' custom payload."""
    for item in raw:
        custom = item.get("custom")
        if isinstance(custom, dict) and custom.get("report") in ("start", "status"):
            return str(custom["report"])
    return None


async def _answer(
    request: TurnRequest,
    rasa: RasaClient,
    fallback: CatalogueFallback | None,
    vault: IdVault | None,
    picks: TypedPicks | None,
    reports: ReportDesk | None = None,
) -> TurnResult:
    started = time.perf_counter()
    typed = remove_zero_width(request.text).strip()
    detected = detect_language(typed)
    payload = picks.payload_for(request.sender, typed) if picks is not None else None
    text = payload or masked_for_rasa(typed, request.sender, vault)
    lang = request.language or reply_language(detected)
    metadata: dict[str, Any] = {"channel": request.channel, "detected_language": detected}
    if request.language:
        metadata["language"] = request.language
    if request.client:
        metadata["client"] = request.client

    try:
        raw = await rasa.send(request.sender, text, metadata)
    except RasaUnavailableError as error:
        status = TurnStatus.RASA_TIMEOUT if error.timeout else TurnStatus.RASA_UNAVAILABLE
        logger.warning("turn failed: %s", error)
        degraded = await _degraded(fallback, text, lang, status)
        if degraded:
            result = TurnResult(request.sender, _answered_in(degraded, lang), TurnStatus.DEGRADED)
            notice = {"type": "text", "text": canned_reply(TurnStatus.DEGRADED, result.language)}
            result.messages = [notice, *degraded]
            result.duration_ms = (time.perf_counter() - started) * 1000
            return result
        return _canned(request, lang, status, started)

    intent = _report_intent(raw) if reports is not None else None
    if intent is not None and reports is not None:
        # Rasa recognised "I want to report a problem" / "what happened to my report": the desk takes
        # the turn, and the citizen's own words (unmasked: the desk masks what it keeps) may be the description.
        try:
            if intent == "start":
                answer = await reports.start(request.sender, typed, lang, request.channel)
            else:
                answer = await reports.status(request.sender, lang)
            return _report_result(request, answer, started)
        except Exception:
            logger.exception("the report desk could not take the turn Rasa gave it")
            return _canned(request, lang, TurnStatus.NO_REPLY, started)
    messages = render_rasa_messages(raw)
    if picks is not None:
        picks.remember(request.sender, messages)
    if not messages:
        return _canned(request, lang, TurnStatus.NO_REPLY, started)
    result = TurnResult(request.sender, _answered_in(messages, lang), TurnStatus.OK, messages)
    result.duration_ms = (time.perf_counter() - started) * 1000
    logger.info("turn done", extra={"status": result.status, "ms": round(result.duration_ms, 1)})
    return result


async def _degraded(
    fallback: CatalogueFallback | None, text: str, lang: Lang, cause: TurnStatus
) -> list[dict[str, Any]]:
    """The catalogue's own answer, or [] (no fallback, catalogue not ready, or it failed too)."""
    if fallback is None:
        return []
    try:
        messages = await fallback.answer(text, lang)
    except Exception:
        logger.exception("catalogue fallback failed too")
        return []
    if messages:
        logger.info("answered from the catalogue alone", extra={"cause": cause.value})
    return messages


def masked_for_rasa(text: str, sender: str, vault: IdVault | None) -> str:
    """What Rasa may see of ``text``: phones and e-mails masked, national IDs swapped for surrogates
    in the same layout (so Rasa's ID extractor and the status form work unchanged)."""

    def replace(match: PiiMatch) -> str:
        if match.kind == "national_id" and vault is not None:
            return with_digits(match.text, vault.stand_in(sender, match.digits))
        return match.masked

    return mask_pii(text, replace)


def _answered_in(messages: list[dict[str, Any]], expected: Lang) -> Lang:
    """The language the bot actually answered in, which channels label and follow: it differs
    from the message's own after "please answer in English" (or a Thai question while English
    is the citizen's choice). A card names its language; otherwise the reply's letters decide,
    and a reply too short or too mixed to tell keeps ``expected``."""
    for message in messages:
        card = message.get("card") if message.get("type") == "card" else None
        if isinstance(card, dict) and card.get("lang") in ("th", "en"):
            return "th" if card["lang"] == "th" else "en"
    said = _URL.sub(" ", " ".join(str(message.get("text") or "") for message in messages))
    if len(_LETTER.findall(said)) < _MIN_REPLY_LETTERS:
        return expected
    detected = detect_language(said)
    return expected if detected == "mixed" else reply_language(detected)


def _canned(request: TurnRequest, lang: Literal["th", "en"], status: TurnStatus, started: float) -> TurnResult:
    result = TurnResult(request.sender, lang, status, [{"type": "text", "text": canned_reply(status, lang)}])
    result.duration_ms = (time.perf_counter() - started) * 1000
    return result
