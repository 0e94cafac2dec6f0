"""What the bot does with each LINE webhook event.

Text and button taps go through the same turn pipeline as the web chat
(:func:`conversation.turn.run_turn`); the rest (a new friend, a sticker, a shared
location) is answered here. The durable queue (:mod:`channels.line.queue`) hands
each event over once, even when LINE redelivers it, and a chat's events in order;
every answer goes out through the event's delivery guard, so it is sent at most
once even when a crash makes another worker handle the event again.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from linebot.v3.messaging import LocationMessage, Message, PostbackAction, QuickReplyItem
from linebot.v3.webhooks import (
    FollowEvent,
    GroupSource,
    ImageMessageContent,
    LocationMessageContent,
    MessageEvent,
    PostbackEvent,
    RoomSource,
    StickerMessageContent,
    TextMessageContent,
    UnfollowEvent,
    UserSource,
)

import texts
from actions.service_answer import life_event_buttons
from channels.line.delivery import DeliveryGuard, LineMessenger
from channels.line.offices import has_office_coordinates, nearest_offices, offices_text
from channels.line.parsing import parse_event, raw_kind
from channels.line.render import (
    clip,
    location_item,
    parse_postback,
    postback_data,
    quick_reply_items,
    render_messages,
    text_message,
    truncate_label,
)
from channels.line.user_limit import UserLimit
from conversation.degraded import CatalogueFallback
from conversation.messages import TurnStatus, canned_reply
from conversation.rasa_client import RasaClient
from conversation.reports.desk import ReportDesk
from conversation.reports.photos import PhotoError, PhotoStore
from conversation.turn import TurnRequest, TurnResult, run_turn
from knowledge.schema import Service
from nlu.language import detect_language, reply_language
from texts import Lang

__all__ = ["Chat", "LanguageMemory", "LineEventHandler", "life_event_items"]

logger = logging.getLogger(__name__)

_MAX_OFFICES = 3
_MAX_PIN_TEXT = 100
LIFE_EVENTS_MENU = "life_events"


class LanguageMemory:
    """The language each citizen last used, for replies that carry no text of their own
    (a shared location). Bounded; Thai when unknown."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._capacity = capacity
        self._languages: OrderedDict[str, Lang] = OrderedDict()

    def get(self, user_id: str | None) -> Lang:
        return self._languages.get(user_id or "", "th")

    def remember(self, user_id: str | None, lang: Lang) -> None:
        if not user_id:
            return
        self._languages[user_id] = lang
        self._languages.move_to_end(user_id)
        while len(self._languages) > self._capacity:
            self._languages.popitem(last=False)


@dataclass(frozen=True)
class Chat:
    """Where an event came from: who to push to, whose conversation it is, and whether it is private."""

    to: str | None
    user_id: str | None
    private: bool

    @classmethod
    def of(cls, event: Any) -> Chat:
        source = getattr(event, "source", None)
        if isinstance(source, GroupSource):
            return cls(source.group_id, source.user_id, private=False)
        if isinstance(source, RoomSource):
            return cls(source.room_id, source.user_id, private=False)
        if isinstance(source, UserSource):
            return cls(source.user_id, source.user_id, private=True)
        return cls(None, None, private=False)

    @property
    def conversation(self) -> str | None:
        """Rasa's sender id: the person in a one-to-one chat, the group or room otherwise; namespaced
        (``line:``) so no other channel can name a LINE conversation (the web's are ``web:``)."""
        return f"line:{self.to}" if self.to else None


def life_event_items(lang: Lang, offer_location: bool = True) -> list[QuickReplyItem]:
    """Life events as quick replies, then "share my location" (only when some office has
    coordinates: ``offer_location``) and a switch to the other language."""
    options = [{"label": b["title"], "payload": b["payload"]} for b in life_event_buttons(lang)]
    items = quick_reply_items(options, lang)
    other: Lang = "en" if lang == "th" else "th"
    if offer_location:
        items.append(location_item(lang))
    switch_label = texts.text("line.switch_language", other)
    switch = PostbackAction(
        label=truncate_label(switch_label),
        data=postback_data(lang=other, menu=LIFE_EVENTS_MENU),
        display_text=switch_label,
    )
    items.append(QuickReplyItem(action=switch))
    return items


class LineEventHandler:
    """Handles parsed webhook events; owns no connections, so tests can drive it directly."""

    def __init__(
        self,
        messenger: LineMessenger,
        rasa: RasaClient,
        list_services: Callable[[], list[Service]],
        max_text_chars: int,
        languages: LanguageMemory | None = None,
        turn: Callable[[TurnRequest, RasaClient, CatalogueFallback | None], Awaitable[TurnResult]] = run_turn,
        fallback: CatalogueFallback | None = None,  # the catalogue's answer while Rasa is down or slow
        user_limit: UserLimit | None = None,
        on_unfollow: Callable[[str], Awaitable[None]] | None = None,  # erases the conversation (setting)
        reports: ReportDesk | None = None,  # problem reports: a location or photo may answer its question
        photos: PhotoStore | None = None,
        blob: Any | None = None,  # line-bot-sdk's AsyncMessagingApiBlob: an image message's content
    ) -> None:
        self.messenger = messenger
        self.rasa = rasa
        self.list_services = list_services
        self.max_text_chars = max_text_chars
        self.languages = languages or LanguageMemory()
        self._turn = turn
        self.fallback = fallback
        self.user_limit = user_limit
        self.on_unfollow = on_unfollow
        self.reports = reports
        self.photos = photos
        self.blob = blob

    # --- entry points ------------------------------------------------------------------

    async def handle_raw(self, raw: Any, guard: DeliveryGuard | None = None) -> None:
        """One event as LINE sent it; ``guard`` (from the queue) keeps its answer to one."""
        if not isinstance(raw, dict):
            logger.warning("LINE sent an event that is not an object; ignored")
            return
        if raw.get("mode") == "standby":  # another channel module owns the chat right now
            return
        event = parse_event(raw)
        if event is None:
            if raw_kind(raw) == "unknown_message":  # a message type newer than this SDK
                await self._unsupported_raw(raw, guard)
            return  # otherwise we cannot trust our reading: better no answer than another kind's
        await self.handle(event, Chat.of(event), guard)

    async def handle(self, event: Any, chat: Chat, guard: DeliveryGuard | None = None) -> None:
        if isinstance(event, MessageEvent):
            await self._on_message(event, chat, guard)
        elif isinstance(event, PostbackEvent):
            await self._on_postback(event, chat, guard)
        elif isinstance(event, FollowEvent):
            await self._on_follow(event, chat, guard)
        elif isinstance(event, UnfollowEvent):
            # Blocked: nothing can be sent. The backend may erase the conversation (setting
            # CITIZENBOT_PRIVACY__ERASE_ON_UNFOLLOW); a later follow starts the greeting over.
            logger.info("a LINE user unfollowed the account")
            if self.on_unfollow is not None and chat.conversation:
                await self.on_unfollow(chat.conversation)  # the same id as the turns' TurnRequest.sender
        else:
            logger.debug("LINE event %s needs no answer", type(event).__name__)

    # --- events ----------------------------------------------------------------------

    async def _on_follow(self, event: FollowEvent, chat: Chat, guard: DeliveryGuard | None) -> None:
        offer_location = await self._offices_known()
        key = "line.greeting" if offer_location else "line_safety.greeting_without_location"
        greeting = text_message(texts.bilingual(key), life_event_items("th", offer_location))
        await self.messenger.send(chat.to, event.reply_token, [greeting], guard)

    async def _on_message(self, event: MessageEvent, chat: Chat, guard: DeliveryGuard | None) -> None:
        content = event.message
        if not chat.private and not (isinstance(content, TextMessageContent) and _mentions_us(content)):
            return  # in a group or room, speak only when spoken to
        if not await self._within_limit(chat, event.reply_token, guard):
            return
        if isinstance(content, TextMessageContent):
            await self._answer_text(event, chat, _without_mentions(content), guard)
        elif isinstance(content, LocationMessageContent):
            if await self._report_open(chat):  # the answer to a report's "where is it?"
                where = (float(content.latitude), float(content.longitude))
                await self._run_turn(event, chat, "", None, guard, location=where)
            else:
                await self._answer_location(event, chat, content, guard)
        elif isinstance(content, ImageMessageContent):
            await self._answer_image(event, chat, content, guard)
        elif isinstance(content, StickerMessageContent):
            sticker = text_message(texts.bilingual("line.sticker"))
            await self.messenger.send(chat.to, event.reply_token, [sticker], guard)
        else:  # image, video, audio, file
            not_text = text_message(texts.bilingual("line.not_text"))
            await self.messenger.send(chat.to, event.reply_token, [not_text], guard)

    async def _on_postback(self, event: PostbackEvent, chat: Chat, guard: DeliveryGuard | None) -> None:
        if not await self._within_limit(chat, event.reply_token, guard):
            return
        command = parse_postback(event.postback.data or "")
        if command.lang:
            self.languages.remember(chat.user_id, command.lang)
        if command.menu == LIFE_EVENTS_MENU:
            lang = command.lang or self.languages.get(chat.user_id)
            items = life_event_items(lang, await self._offices_known())
            menu = text_message(texts.text("line.pick_life_event", lang), items)
            await self.messenger.send(chat.to, event.reply_token, [menu], guard)
        elif command.text:
            await self._run_turn(event, chat, command.text, command.lang, guard)
        # a bare language (the rich menu's language switch) needs no answer: the menu itself changes

    async def _unsupported_raw(self, raw: dict[str, Any], guard: DeliveryGuard | None) -> None:
        source = raw.get("source") or {}
        if source.get("type") != "user":
            return
        to = source.get("userId")
        reply_token = raw.get("replyToken")
        if not isinstance(to, str) or not await self._within_limit(Chat(to, to, private=True), reply_token, guard):
            return
        await self.messenger.send(to, reply_token, [text_message(texts.bilingual("line.not_text"))], guard)

    # --- checks ----------------------------------------------------------------------

    async def _within_limit(self, chat: Chat, reply_token: str | None, guard: DeliveryGuard | None) -> bool:
        """Count the event against its user's limit; past it, one notice (then nothing) and False."""
        if self.user_limit is None or not chat.user_id:
            return True
        verdict = await asyncio.to_thread(self.user_limit.check, chat.user_id)
        if verdict.answer:
            return True
        if verdict.notice_minutes is not None:
            logger.warning("a LINE user is over the message limit; told once, then not answered for a while")
            notice = text_message(texts.bilingual("line_safety.slow_down", minutes=verdict.notice_minutes))
            await self.messenger.send(chat.to, reply_token, [notice], guard)
        return False

    async def _offices_known(self) -> bool:
        """Whether "share my location" can lead anywhere: some office in the catalogue has coordinates."""
        try:
            return has_office_coordinates(await asyncio.to_thread(self.list_services))
        except Exception:
            logger.warning("could not read the catalogue's offices; not offering the location button", exc_info=True)
            return False

    # --- answers ---------------------------------------------------------------------

    async def _answer_text(self, event: MessageEvent, chat: Chat, text: str, guard: DeliveryGuard | None) -> None:
        if not text.strip():
            return
        if len(text) > self.max_text_chars:
            lang = reply_language(detect_language(text, default=self.languages.get(chat.user_id)))
            reply = text_message(texts.text("line.too_long", lang, limit=self.max_text_chars))
            await self.messenger.send(chat.to, event.reply_token, [reply], guard)
            return
        await self._run_turn(event, chat, text, None, guard)

    async def _report_open(self, chat: Chat) -> bool:
        if self.reports is None or not chat.conversation:
            return False
        try:
            return await self.reports.has_draft(chat.conversation)
        except Exception:
            logger.warning("could not read the conversation's report draft", exc_info=True)
            return False

    async def _answer_image(
        self, event: MessageEvent, chat: Chat, content: ImageMessageContent, guard: DeliveryGuard | None
    ) -> None:
        """A photo for the report being told: fetched from LINE, stored without its metadata, and its
        ref handed to the turn. Outside a report: a short note on how to send one."""
        lang = self.languages.get(chat.user_id)
        if self.photos is None or self.blob is None or not await self._report_open(chat):
            # The photo is not looked at; how to send one with a report follows, in both languages.
            both: tuple[Lang, Lang] = ("th", "en")
            said = [f"{texts.text('line.not_text', each)} {texts.text('reports.photo_outside', each)}" for each in both]
            outside = text_message("\n\n".join(said))
            await self.messenger.send(chat.to, event.reply_token, [outside], guard)
            return
        try:
            data = await self.blob.get_message_content(content.id, _request_timeout=30)
            stored = await asyncio.to_thread(self.photos.save, bytes(data))
        except PhotoError as error:
            limit_mb = round(self.photos.max_bytes / (1024 * 1024), 1)
            refused = text_message(texts.text(f"reports.{error.reason}", lang, limit_mb=limit_mb))
            await self.messenger.send(chat.to, event.reply_token, [refused], guard)
            return
        except Exception:
            logger.warning("could not fetch a LINE image's content", exc_info=True)
            failed = text_message(texts.text("reports.photo_unavailable", lang))
            await self.messenger.send(chat.to, event.reply_token, [failed], guard)
            return
        await self._run_turn(event, chat, "", None, guard, photo_ref=stored.ref)

    async def _run_turn(
        self,
        event: Any,
        chat: Chat,
        text: str,
        lang: Lang | None,
        guard: DeliveryGuard | None,
        location: tuple[float, float] | None = None,
        photo_ref: str | None = None,
    ) -> None:
        if not chat.conversation:
            return
        loading = asyncio.create_task(self.messenger.show_loading(chat.to)) if chat.private and chat.to else None
        client = f"line-user:{chat.user_id or chat.to}"  # the status check's attempts count per person
        reply_token = getattr(event, "reply_token", None)
        request = TurnRequest(
            sender=chat.conversation,
            text=text,
            channel="line",
            language=lang,
            client=client,
            reply_token=reply_token,
            location=location,
            photo_ref=photo_ref,
        )
        try:
            result = await self._turn(request, self.rasa, self.fallback)
            messages: list[Message] = render_messages(result.messages, result.language)
        except Exception:  # the citizen still gets an answer, as on the web
            logger.exception("a LINE turn failed")
            fallback = lang or reply_language(detect_language(text, default=self.languages.get(chat.user_id)))
            result = TurnResult(request.sender, fallback, TurnStatus.RASA_UNAVAILABLE)
            messages = [text_message(canned_reply(TurnStatus.RASA_UNAVAILABLE, fallback))]
        finally:
            if loading is not None:
                await loading
        self.languages.remember(chat.user_id, result.language)
        if result.status == TurnStatus.WITH_OFFICER and not messages:
            # An officer holds the conversation: no bot reply; the desk keeps the token for the officer's.
            logger.info("LINE turn held for an officer")
            return
        outcome = await self.messenger.send(chat.to, reply_token, messages, guard)
        logger.info(
            "LINE turn answered",
            extra={"status": str(result.status), "messages": len(messages), "outcome": outcome},
        )

    async def _answer_location(
        self, event: MessageEvent, chat: Chat, content: LocationMessageContent, guard: DeliveryGuard | None
    ) -> None:
        lang = self.languages.get(chat.user_id)
        services = await asyncio.to_thread(self.list_services)
        offices = nearest_offices(services, content.latitude, content.longitude, lang, limit=_MAX_OFFICES)
        messages: list[Message] = [text_message(offices_text(offices, lang))]
        for office in offices:
            messages.append(_location_message(office.name, office.address, office.latitude, office.longitude))
        await self.messenger.send(chat.to, event.reply_token, messages, guard)


def _location_message(name: str, address: str | None, latitude: float, longitude: float) -> Message:
    """A map pin the citizen can tap for directions."""
    return LocationMessage(
        title=clip(name, _MAX_PIN_TEXT),
        address=clip(address or name, _MAX_PIN_TEXT),
        latitude=latitude,
        longitude=longitude,
    )


def _mentions_us(content: TextMessageContent) -> bool:
    mention = content.mention
    return bool(mention and any(getattr(m, "is_self", False) for m in mention.mentionees or []))


def _without_mentions(content: TextMessageContent) -> str:
    """The text with @mentions of the bot removed, so "@bot passport" reads as "passport"."""
    text = content.text or ""
    mention = content.mention
    if not mention:
        return text
    spans = sorted(
        ((m.index, m.length) for m in mention.mentionees or [] if getattr(m, "is_self", False)), reverse=True
    )
    for index, length in spans:
        text = text[:index] + text[index + length :]
    return " ".join(text.split())
