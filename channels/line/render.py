"""The gateway's channel-neutral messages as LINE messages, within LINE's limits.

Cards become a Flex carousel, texts are split under 5,000 UTF-16 units without
breaking a Thai character cluster, quick replies (at most 13, labels of at most
20 graphemes) ride on the last message, and a reply never exceeds 5 messages.
Postback data carries the text to send to the bot and the language it was
offered in, so a tap is answered in the same language.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import unicodedata
from dataclasses import dataclass
from typing import Any

from linebot.v3.messaging import (
    CameraAction,
    CameraRollAction,
    FlexContainer,
    FlexMessage,
    ImageMessage,
    LocationAction,
    Message,
    PostbackAction,
    QuickReply,
    QuickReplyItem,
    TextMessage,
)

import texts
from texts import MAX_QUICK_REPLIES, Lang

__all__ = [
    "MAX_LABEL",
    "MAX_MESSAGES",
    "MAX_QUICK_REPLIES",
    "MAX_TEXT",
    "PostbackCommand",
    "card_bubble",
    "clip",
    "fit_messages",
    "graphemes",
    "location_item",
    "parse_postback",
    "postback_data",
    "quick_reply_items",
    "render_messages",
    "report_items",
    "split_text",
    "text_message",
    "truncate_label",
    "utf16_len",
]

logger = logging.getLogger(__name__)

MAX_MESSAGES = 5  # per reply or push request
MAX_TEXT = 5000  # UTF-16 code units per text message
MAX_LABEL = 20  # graphemes, for action labels
MAX_POSTBACK_DATA = 300
MAX_DISPLAY_TEXT = 300
MAX_ALT_TEXT = 400
MAX_BUBBLES = 12  # per carousel
MAX_URI = 1000
_ELLIPSIS = "…"
_CARD_FACTS = ("fees", "processing_time", "where_to_apply")
_FACT_VALUE_LINES = 4


# --- counting the way LINE counts ------------------------------------------------------


def utf16_len(text: str) -> int:
    """LINE counts message text in UTF-16 code units (an emoji counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def _extends(char: str) -> bool:
    """Characters that belong to the cluster before them: Thai vowels and tone marks above
    and below the line, SARA AM, variation selectors, emoji modifiers, zero-width joiners."""
    return (
        unicodedata.category(char) in ("Mn", "Mc", "Me")
        or char in "\u0e33\u0eb3\u200d"
        or "\U0001f3fb" <= char <= "\U0001f3ff"
    )


def graphemes(text: str) -> list[str]:
    """User-perceived characters, close enough to UAX #29 for Thai, Latin and emoji.

    LINE counts action labels in graphemes, and a cut inside one would leave a
    tone mark floating without its consonant.
    """
    clusters: list[str] = []
    for char in text:
        if clusters and (_extends(char) or clusters[-1].endswith("\u200d")):
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


def _word_ends(text: str) -> list[int]:
    """Offsets where a word ends, from PyThaiNLP (Thai has no spaces between words)."""
    try:
        from nlu.tokens import tokenize_with_offsets

        return [word.end for word in tokenize_with_offsets(text)]
    except Exception:  # segmentation is a nicety; a grapheme cut is still correct
        logger.debug("word segmentation unavailable for a label", exc_info=True)
        return []


def truncate_label(label: str, limit: int = MAX_LABEL) -> str:
    """Shorten a label to ``limit`` graphemes, at a word end when one is close, with an ellipsis."""
    label = " ".join(label.split())
    clusters = graphemes(label)
    if len(clusters) <= limit:
        return label
    keep = limit - 1  # room for the ellipsis
    hard_cut = "".join(clusters[:keep])
    budget = len(hard_cut)
    ends = [end for end in _word_ends(label) if end <= budget]
    # A word end is nicer, but not at the price of half the label.
    cut = label[: ends[-1]] if ends and ends[-1] >= budget * 0.6 else hard_cut
    return cut.rstrip(" ,.;:-/(") + _ELLIPSIS


def _cut_point(text: str, limit: int) -> int:
    """The largest safe index ``i`` with ``utf16_len(text[:i]) <= limit``: at a line break,
    else a space, else a cluster boundary."""
    units = 0
    last_boundary = 0
    position = 0
    for cluster in graphemes(text):
        size = utf16_len(cluster)
        if units + size > limit:
            break
        units += size
        position += len(cluster)
        last_boundary = position
    window = text[:last_boundary]
    for separator in ("\n", " "):
        found = window.rfind(separator)
        if found > last_boundary // 2:
            return found + 1
    return last_boundary


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split a long text into pieces LINE accepts, preferring line breaks and spaces."""
    pieces: list[str] = []
    rest = text.strip()
    while rest:
        if utf16_len(rest) <= limit:
            pieces.append(rest)
            break
        cut = _cut_point(rest, limit) or 1
        piece, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        if piece:
            pieces.append(piece)
    return pieces


def clip(text: str, limit: int) -> str:
    """Clip to ``limit`` UTF-16 units at a cluster boundary, with an ellipsis when cut."""
    if utf16_len(text) <= limit:
        return text
    return text[: _cut_point(text, limit - 1)].rstrip() + _ELLIPSIS


# --- postback data ---------------------------------------------------------------------


@dataclass(frozen=True)
class PostbackCommand:
    """What a tapped button asks for: a text for the bot, a local menu, or just a language."""

    text: str | None = None
    lang: Lang | None = None
    menu: str | None = None


def postback_data(text: str | None = None, lang: Lang | None = None, menu: str | None = None) -> str:
    """Compact JSON within LINE's 300-character limit (a long text is clipped, never the JSON)."""
    data: dict[str, str] = {}
    if menu:
        data["menu"] = menu
    if lang:
        data["lang"] = lang
    if text is None:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    data["text"] = text
    encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    overflow = utf16_len(encoded) - MAX_POSTBACK_DATA
    if overflow > 0:
        data["text"] = clip(text, max(1, utf16_len(text) - overflow - 8))
        encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return encoded


def parse_postback(data: str) -> PostbackCommand:
    """Read our JSON; anything else (an older menu, a hand-made button) is text for the bot."""
    try:
        parsed = json.loads(data)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        return PostbackCommand(text=data.strip() or None)
    lang = parsed.get("lang")
    text = parsed.get("text")
    menu = parsed.get("menu")
    return PostbackCommand(
        text=text.strip() or None if isinstance(text, str) else None,
        lang=lang if lang in ("th", "en") else None,
        menu=menu if isinstance(menu, str) else None,
    )


def _postback(label: str, text: str, lang: Lang, display: str | None = None) -> PostbackAction:
    return PostbackAction(
        label=truncate_label(label),
        data=postback_data(text, lang),
        display_text=clip(display or text, MAX_DISPLAY_TEXT),
    )


# --- quick replies -----------------------------------------------------------------------


def quick_reply_items(options: list[dict[str, Any]], lang: Lang) -> list[QuickReplyItem]:
    """Options ``{"label", "payload"}`` as postback quick replies: the citizen sees the full label
    as their message, the bot gets the payload."""
    items: list[QuickReplyItem] = []
    for option in options:
        label = str(option.get("label") or "").strip()
        payload = str(option.get("payload") or label).strip()
        if not label or not payload:
            continue
        items.append(QuickReplyItem(action=_postback(label, payload, lang, display=label)))
    return items[:MAX_QUICK_REPLIES]


def location_item(lang: Lang) -> QuickReplyItem:
    """Opens LINE's location picker; the location comes back as a location message."""
    return QuickReplyItem(action=LocationAction(label=truncate_label(texts.text("line.share_location", lang))))


def report_items(ask: object, lang: Lang) -> list[QuickReplyItem]:
    """LINE's own pickers for a report's question (conversation/reports/desk.py marks it with ``ask``):
    the location picker for "where", the camera and the photo library for "a photo"."""
    if ask == "location":
        return [location_item(lang)]
    if ask == "photo":
        return [
            QuickReplyItem(action=CameraAction(label=truncate_label(texts.text("reports.button_take_photo", lang)))),
            QuickReplyItem(
                action=CameraRollAction(label=truncate_label(texts.text("reports.button_choose_photo", lang)))
            ),
        ]
    return []


def text_message(text: str, items: list[QuickReplyItem] | None = None) -> TextMessage:
    quick = QuickReply(items=items[:MAX_QUICK_REPLIES]) if items else None
    return TextMessage(text=clip(text, MAX_TEXT), quick_reply=quick)


# --- cards -------------------------------------------------------------------------------


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "text", "text": text.strip() or "-", "wrap": True, **style}


def _https(url: object) -> str | None:
    value = str(url or "")
    if value.startswith(("https://", "http://")) and len(value) <= MAX_URI:
        return value
    return None


def _checked_line(card: dict[str, Any], lang: Lang) -> str:
    """When the facts were last checked: the card's own sentence (the same the widget shows); for a
    card without one, its ``last_reviewed`` date, and a null date says nobody has checked yet."""
    sentence = card.get("last_checked_text")
    if isinstance(sentence, str) and sentence.strip():
        return sentence
    if "last_reviewed" not in card:
        return ""
    reviewed = card.get("last_reviewed")
    if not reviewed:
        return texts.text("card.unchecked", lang)
    try:
        date = texts.format_date(dt.date.fromisoformat(str(reviewed)), lang)
    except ValueError:
        date = str(reviewed)
    return texts.text("card.reviewed", lang, date=date)


def card_bubble(card: dict[str, Any]) -> dict[str, Any]:
    """One service card as a Flex bubble: title, key facts, follow-up buttons and official links."""
    lang: Lang = "en" if card.get("lang") == "en" else "th"
    title = str(card.get("title") or card.get("service_id") or "-")
    body: list[dict[str, Any]] = [_text(title, weight="bold", size="lg", maxLines=3)]
    summary = str(card.get("summary") or "")
    if summary:
        body.append(_text(summary, size="sm", color="#555555", maxLines=3, margin="sm"))
    facts = [fact for fact in card.get("facts") or [] if fact.get("key") in _CARD_FACTS]
    if facts:
        body.append({"type": "separator", "margin": "md"})
    for fact in facts:
        body.append(
            {
                "type": "box",
                "layout": "vertical",
                "margin": "md",
                "contents": [
                    _text(str(fact.get("label") or ""), size="xs", color="#888888"),
                    _text(str(fact.get("value") or ""), size="sm", maxLines=_FACT_VALUE_LINES),
                ],
            }
        )
    note = str(card.get("verify_note") or "")
    if note:  # the card's own sentence, the same the web widget shows
        body.append(_text("⚠️ " + note, size="xs", color="#B45309", margin="md"))
    reviewed = _checked_line(card, lang)
    if reviewed:
        body.append(_text(reviewed, size="xxs", color="#999999", margin="sm"))

    buttons: list[dict[str, Any]] = []
    for key in ("documents", "fees", "where"):
        question = texts.text(f"line.ask_{key}", lang, title=title)
        action = _postback(texts.text(f"line.button_{key}", lang), question, lang)
        buttons.append({"type": "button", "style": "secondary", "height": "sm", "action": action.to_dict()})
    for link in (card.get("links") or [])[:2]:
        uri = _https(link.get("url"))
        if uri:
            label = truncate_label(str(link.get("label") or uri))
            buttons.append(
                {
                    "type": "button",
                    "style": "link",
                    "height": "sm",
                    "action": {"type": "uri", "label": label, "uri": uri},
                }
            )
    return {
        "type": "bubble",
        "size": "mega",
        "body": {"type": "box", "layout": "vertical", "spacing": "none", "contents": body},
        "footer": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": buttons},
    }


def _cards_message(cards: list[dict[str, Any]]) -> FlexMessage:
    lang: Lang = "en" if cards[0].get("lang") == "en" else "th"
    titles = ", ".join(str(card.get("title") or "") for card in cards)
    alt = clip(texts.text("line.cards_alt", lang, titles=titles), MAX_ALT_TEXT)
    contents = {"type": "carousel", "contents": [card_bubble(card) for card in cards]}
    return FlexMessage(alt_text=alt, contents=FlexContainer.from_dict(contents))


# --- whole replies -----------------------------------------------------------------------


def render_messages(messages: list[dict[str, Any]], lang: Lang) -> list[Message]:
    """Channel-neutral messages in, at most five LINE messages out."""
    parts: list[Message] = []
    items: list[QuickReplyItem] = []
    cards: list[dict[str, Any]] = []

    def flush_cards() -> None:
        for start in range(0, len(cards), MAX_BUBBLES):
            parts.append(_cards_message(cards[start : start + MAX_BUBBLES]))
        cards.clear()

    for message in messages:
        kind = message.get("type")
        if kind == "card" and isinstance(message.get("card"), dict):
            cards.append(message["card"])
            continue
        flush_cards()
        if kind == "my_services":  # dashboard helper: the "My services" bubble (channels/line/my_services.py)
            from channels.line.my_services import my_services_message  # it uses this module's helpers

            parts.append(my_services_message(message))
            continue
        if kind in ("text", "quick_replies") and message.get("text"):
            parts.extend(TextMessage(text=piece) for piece in split_text(str(message["text"])))
        if kind == "quick_replies":
            # LINE shows only the last set; a report's question puts LINE's own pickers first.
            items = report_items(message.get("ask"), lang) + quick_reply_items(list(message.get("options") or []), lang)
            items = items[:MAX_QUICK_REPLIES]
        elif kind == "journey" and isinstance(message.get("journey"), dict):  # a carousel of its steps
            from channels.line.journey_render import journey_messages  # it draws with this module's helpers

            parts.extend(journey_messages(message["journey"]))
        elif kind == "image" and str(message.get("url") or "").startswith("https://"):  # LINE fetches only https
            url = str(message["url"])
            parts.append(ImageMessage(original_content_url=url, preview_image_url=url))
        elif kind not in ("text", "card", "journey"):
            logger.warning("LINE cannot show a %r message; skipped", kind)
    flush_cards()

    parts = fit_messages(parts)
    if items:
        if parts:
            parts[-1].quick_reply = QuickReply(items=items)
        else:
            parts.append(text_message(texts.text("line.choose", lang), items))
    return parts


def fit_messages(parts: list[Message], limit: int = MAX_MESSAGES) -> list[Message]:
    """Merge neighbouring texts until the reply fits; if it still does not, keep the first
    messages and the last one (it usually carries the next steps), and log what was dropped."""
    merged: list[Message] = list(parts)
    index = 0
    while len(merged) > limit and index < len(merged) - 1:
        first, second = merged[index], merged[index + 1]
        if isinstance(first, TextMessage) and isinstance(second, TextMessage):
            joined = f"{first.text}\n\n{second.text}"
            if utf16_len(joined) <= MAX_TEXT:
                merged[index : index + 2] = [TextMessage(text=joined)]
                continue
        index += 1
    if len(merged) > limit:
        logger.warning("a reply had %d LINE messages; dropped %d", len(merged), len(merged) - limit)
        merged = [*merged[: limit - 1], merged[-1]]
    return merged
