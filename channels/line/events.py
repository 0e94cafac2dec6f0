"""What the bot does with each LINE webhook event.

Text and button taps go through the same turn pipeline as the web chat
(:func:`conversation.turn.run_turn`); the rest (a new friend, a sticker, a shared
location) is answered here. Every event is handled once, even when LINE
redelivers it, and events from one chat are handled in order.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from linebot.v3.messaging import LocationMessage, Message, PostbackAction, QuickReplyItem
from linebot.v3.webhooks import (
    Event,
    FollowEvent,
    GroupSource,
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
from channels.line.delivery import LineMessenger
from channels.line.offices import nearest_offices, offices_text
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
from conversation.messages import TurnStatus, canned_reply
from conversation.rasa_client import RasaClient
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
        """Rasa's sender id: the person in a one-to-one chat, the group or room otherwise."""
        return self.to


def life_event_items(lang: Lang) -> list[QuickReplyItem]:
    """Life events as quick replies, then "share my location" and a switch to the other language."""
    options = [{"label": b["title"], "payload": b["payload"]} for b in life_event_buttons(lang)]
    items = quick_reply_items(options, lang)
    other: Lang = "en" if lang == "th" else "th"
    items.append(location_item(lang))
    switch_label = texts.text("line.switch_language", other)
    switch = PostbackAction(
        label=truncate_label(switch_label),
        data=postback_data(lang=other, menu=LIFE_EVENTS_MENU),
        display_text=switch_label,
    )
    items.append(QuickReplyItem(action=switch))
    return items


@dataclass
class _ChatTurn:
    """One chat's lock, and how many events hold or await it (forgotten when none do)."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class LineEventHandler:
    """Handles parsed webhook events; owns no connections, so tests can drive it directly."""

    def __init__(
        self,
        messenger: LineMessenger,
        rasa: RasaClient,
        list_services: Callable[[], list[Service]],
        claim: Callable[[str], bool],
        max_text_chars: int,
        languages: LanguageMemory | None = None,
        turn: Callable[[TurnRequest, RasaClient], Awaitable[TurnResult]] = run_turn,
    ) -> None:
        self.messenger = messenger
        self.rasa = rasa
        self.list_services = list_services
        self.claim = claim
        self.max_text_chars = max_text_chars
        self.languages = languages or LanguageMemory()
        self._turn = turn
        self._locks: dict[str, _ChatTurn] = {}

    # --- entry points ------------------------------------------------------------------

    async def handle_events(self, raw_events: list[Any]) -> None:
        """All events of one webhook request, in order; one failing event never stops the rest."""
        for raw in raw_events:
            try:
                await self.handle_raw(raw)
            except Exception:
                logger.exception("LINE event failed: %s", raw.get("type") if isinstance(raw, dict) else "?")

    async def handle_raw(self, raw: Any) -> None:
        if not isinstance(raw, dict):
            logger.warning("LINE sent an event that is not an object; ignored")
            return
        event_id = raw.get("webhookEventId")
        if isinstance(event_id, str) and event_id and not await asyncio.to_thread(self.claim, event_id):
            logger.info("LINE event %s was already handled (redelivery); skipped", event_id)
            return
        if raw.get("mode") == "standby":  # another channel module owns the chat right now
            return
        try:
            event = Event.from_dict(raw)
        except ValueError as error:  # a type this SDK version does not know, or a malformed event
            logger.warning("LINE event of type %r not understood: %s", raw.get("type"), str(error)[:200])
            if raw.get("type") == "message":
                await self._unsupported_raw(raw)
            return
        chat = Chat.of(event)
        key = chat.to or ""
        turn = self._locks.get(key)
        if turn is None:
            turn = self._locks[key] = _ChatTurn()
        turn.users += 1
        try:
            async with turn.lock:
                await self.handle(event, chat)
        finally:
            turn.users -= 1
            if turn.users == 0:
                del self._locks[key]

    async def handle(self, event: Any, chat: Chat) -> None:
        if isinstance(event, MessageEvent):
            await self._on_message(event, chat)
        elif isinstance(event, PostbackEvent):
            await self._on_postback(event, chat)
        elif isinstance(event, FollowEvent):
            await self._on_follow(event, chat)
        elif isinstance(event, UnfollowEvent):
            # Blocked: nothing can be sent. Keep the conversation and the event ids: if they
            # unblock us, a follow event arrives and the greeting starts over.
            logger.info("a LINE user unfollowed the account")
        else:
            logger.debug("LINE event %s needs no answer", type(event).__name__)

    # --- events ----------------------------------------------------------------------

    async def _on_follow(self, event: FollowEvent, chat: Chat) -> None:
        greeting = text_message(texts.bilingual("line.greeting"), life_event_items("th"))
        await self.messenger.send(chat.to, event.reply_token, [greeting])

    async def _on_message(self, event: MessageEvent, chat: Chat) -> None:
        content = event.message
        if not chat.private and not (isinstance(content, TextMessageContent) and _mentions_us(content)):
            return  # in a group or room, speak only when spoken to
        if isinstance(content, TextMessageContent):
            await self._answer_text(event, chat, _without_mentions(content))
        elif isinstance(content, LocationMessageContent):
            await self._answer_location(event, chat, content)
        elif isinstance(content, StickerMessageContent):
            await self.messenger.send(chat.to, event.reply_token, [text_message(texts.bilingual("line.sticker"))])
        else:  # image, video, audio, file
            await self.messenger.send(chat.to, event.reply_token, [text_message(texts.bilingual("line.not_text"))])

    async def _on_postback(self, event: PostbackEvent, chat: Chat) -> None:
        command = parse_postback(event.postback.data or "")
        if command.lang:
            self.languages.remember(chat.user_id, command.lang)
        if command.menu == LIFE_EVENTS_MENU:
            lang = command.lang or self.languages.get(chat.user_id)
            menu = text_message(texts.text("line.pick_life_event", lang), life_event_items(lang))
            await self.messenger.send(chat.to, event.reply_token, [menu])
        elif command.text:
            await self._run_turn(event, chat, command.text, command.lang)
        # a bare language (the rich menu's language switch) needs no answer: the menu itself changes

    async def _unsupported_raw(self, raw: dict[str, Any]) -> None:
        source = raw.get("source") or {}
        if source.get("type") != "user":
            return
        to = source.get("userId")
        reply_token = raw.get("replyToken")
        await self.messenger.send(to, reply_token, [text_message(texts.bilingual("line.not_text"))])

    # --- answers ---------------------------------------------------------------------

    async def _answer_text(self, event: MessageEvent, chat: Chat, text: str) -> None:
        if not text.strip():
            return
        if len(text) > self.max_text_chars:
            lang = reply_language(detect_language(text, default=self.languages.get(chat.user_id)))
            reply = text_message(texts.text("line.too_long", lang, limit=self.max_text_chars))
            await self.messenger.send(chat.to, event.reply_token, [reply])
            return
        await self._run_turn(event, chat, text, None)

    async def _run_turn(self, event: Any, chat: Chat, text: str, lang: Lang | None) -> None:
        if not chat.conversation:
            return
        loading = asyncio.create_task(self.messenger.show_loading(chat.to)) if chat.private and chat.to else None
        request = TurnRequest(sender=chat.conversation, text=text, channel="line", language=lang)
        try:
            result = await self._turn(request, self.rasa)
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
        outcome = await self.messenger.send(chat.to, getattr(event, "reply_token", None), messages)
        logger.info(
            "LINE turn answered",
            extra={"status": str(result.status), "messages": len(messages), "outcome": outcome},
        )

    async def _answer_location(self, event: MessageEvent, chat: Chat, content: LocationMessageContent) -> None:
        lang = self.languages.get(chat.user_id)
        services = await asyncio.to_thread(self.list_services)
        offices = nearest_offices(services, content.latitude, content.longitude, lang, limit=_MAX_OFFICES)
        messages: list[Message] = [text_message(offices_text(offices, lang))]
        for office in offices:
            messages.append(_location_message(office.name, office.address, office.latitude, office.longitude))
        await self.messenger.send(chat.to, event.reply_token, messages)


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
