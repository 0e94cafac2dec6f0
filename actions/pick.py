"""A pick among the services the bot has just offered, typed instead of tapped.

After an ask-back (or a life event's list of services) the citizen may tap a quick reply, whose
payload names the service (:func:`actions.context.chosen_service`), or type: the service's name, an
ordinal ("อันแรก", "ข้อ 2", "the second one", "the last one"), or a word that tells one offered
service from the others ("ต่ออายุ", "หาย", "lost"). Only the offered services are weighed, so
"ต่ออายุ" after a choice between passports is the passport renewal, not whichever renewal the whole
catalogue ranks first.

What was offered is read from the bot's previous turn in the tracker (its last message with quick
replies, when every one of them picks a service), so no slot is needed and the Rasa model does not
change.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker

from knowledge.schema import Service
from knowledge.search.question_words import squash
from knowledge.service_search import CatalogueSearch

__all__ = ["Offer", "Pick", "offered", "ordinal", "parse_offer", "picked", "typed_pick"]

# A message that says more than this many words none of the offered services uses is a new
# question, not a pick ("แล้วใบขับขี่ล่ะ" after a choice of passports).
MAX_OTHER_WORDS = 2

_PAYLOAD = re.compile(r"^/(?P<intent>[\w-]+)(?P<entities>\{.*\})?$", re.DOTALL)

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_ORDINAL_WORDS = {
    "แรก": 0,
    "หนึ่ง": 0,
    "สอง": 1,
    "สาม": 2,
    "สี่": 3,
    "ห้า": 4,
    "สุดท้าย": -1,
    "first": 0,
    "1st": 0,
    "one": 0,
    "second": 1,
    "2nd": 1,
    "two": 1,
    "third": 2,
    "3rd": 2,
    "three": 2,
    "fourth": 3,
    "4th": 3,
    "four": 3,
    "fifth": 4,
    "5th": 4,
    "five": 4,
    "last": -1,
}
_POLITE = r"(?:ครับผม|ครับ|คับ|ค่ะ|คะ|ค่า|จ้า|จ้ะ|จ๊ะ|นะ|ฮะ|หน่อย|ด้วย|please|pls|thanks|thank you|thx|ka|krub|na|!|\.|,)"
_LEAD = (
    r"(?:เอา|ขอ|เลือก|เป็น|คือ|ตอบ|i want|i'd like|i would like|i'll take|i choose|i pick|i mean|"
    r"choose|pick|select|give me|let's do|maybe|okay|ok|โอเค)"
)
_ORDINAL = "|".join(sorted((re.escape(w) for w in _ORDINAL_WORDS), key=len, reverse=True))
_THAI_ORDINAL = re.compile(
    rf"^(?:อัน|ข้อ|ตัว|แบบ|รายการ|ตัวเลือก|ตัวเลือกที่|บริการ|หมายเลข|เบอร์|ลำดับ)?\s*(?:ที่)?\s*(?P<n>{_ORDINAL}|\d)$"
)
_ENGLISH_ORDINAL = re.compile(
    rf"^(?:the\s+)?(?:option|number|no\.?|choice|#)?\s*(?P<n>{_ORDINAL}|\d)(?:\s+(?:one|option|choice|service))?$"
)


@dataclass(frozen=True)
class Offer:
    """One quick reply that picks a service; ``intent`` is the question it answers (``ask_fee``)."""

    service_id: str
    intent: str


@dataclass(frozen=True)
class Pick:
    """The offered service the citizen typed, and the question the offer was for."""

    service: Service
    intent: str


def parse_offer(payload: str) -> Offer | None:
    """The service a quick reply's payload picks (``/ask_fee{"service":"passport-renewal"}``), or None."""
    match = _PAYLOAD.match(payload.strip())
    if match is None or not match.group("entities"):
        return None
    try:
        entities = json.loads(match.group("entities"))
    except ValueError:
        return None
    service = entities.get("service") if isinstance(entities, dict) else None
    return Offer(service, match.group("intent")) if isinstance(service, str) and service else None


def offered(tracker: Tracker) -> list[Offer]:
    """The services the bot offered in its previous turn, in order: its last message with quick
    replies, when every quick reply picks a service and the turn asked which one; [] otherwise
    (follow-up questions, life events, and an answer's card with related services: the next words
    are a follow-up about the answered service unless the citizen taps one)."""
    events = list(tracker.events or [])
    users = [i for i, event in enumerate(events) if event.get("event") == "user"]
    if not users:
        return []
    previous_user = users[-2] if len(users) > 1 else -1
    turn = events[previous_user + 1 : users[-1]]
    if any(_is_card(event) for event in turn):
        return []
    for event in reversed(turn):
        buttons = (event.get("data") or {}).get("buttons") if event.get("event") == "bot" else None
        if not buttons:
            continue
        offers = [parse_offer(str(button.get("payload") or "")) for button in buttons if isinstance(button, Mapping)]
        return [offer for offer in offers if offer is not None] if all(offers) else []
    return []


def _is_card(event: Mapping[str, Any]) -> bool:
    custom = (event.get("data") or {}).get("custom") if event.get("event") == "bot" else None
    return isinstance(custom, Mapping) and custom.get("type") == "service_card"


def _bare(text: str) -> str:
    """The message without politeness and lead-in words ("เอาอันแรกค่ะ" -> "อันแรก")."""
    said = " ".join(text.translate(_THAI_DIGITS).casefold().split())
    for _ in range(3):
        before = said
        said = re.sub(rf"^(?:{_LEAD})\s*", "", said)
        said = re.sub(rf"\s*(?:{_POLITE})+$", "", said).strip()
        if said == before:
            break
    return said


def ordinal(text: str) -> int | None:
    """The position a message names among offered choices (0 the first, -1 the last), or None.

    >>> ordinal("เอาอันแรกค่ะ"), ordinal("ข้อ ๒"), ordinal("the second one"), ordinal("อันสุดท้าย")
    (0, 1, 1, -1)
    >>> ordinal("ทำครั้งแรก") is None
    True
    """
    said = _bare(text)
    found = _THAI_ORDINAL.match(said.replace(" ", "")) or _ENGLISH_ORDINAL.match(said)
    if found is None:
        return None
    number = found.group("n")
    return int(number) - 1 if number.isdigit() else _ORDINAL_WORDS[number]


def typed_pick(text: str, services: Sequence[Service], catalogue: CatalogueSearch) -> int | None:
    """Which of ``services`` (as offered, in order) a typed message picks, or None: an ordinal, a
    title typed whole, or words that only one of them uses while the message says little else."""
    if not services or not text.strip() or text.strip().startswith("/"):
        return None
    position = ordinal(text)
    if position is not None:
        index = position if position >= 0 else len(services) + position
        return index if 0 <= index < len(services) else None
    squashed = squash(text)
    titled = [
        i for i, s in enumerate(services) if any(t and t in squashed for t in (squash(s.title.th), squash(s.title.en)))
    ]
    if len(titled) == 1:
        return titled[0]
    words, used = catalogue.words_used(text, services)
    if len(words - frozenset().union(*used)) > MAX_OTHER_WORDS:
        return None
    own = [u - frozenset().union(*(other for j, other in enumerate(used) if j != i)) for i, u in enumerate(used)]
    telling = [i for i, distinct in enumerate(own) if distinct]
    return telling[0] if len(telling) == 1 else None


def picked(tracker: Tracker, catalogue: CatalogueSearch) -> Pick | None:
    """The offered service the latest message picks by typing, with the question it was offered for."""
    text = str(tracker.latest_message.get("text") or "")
    offers = [(offer, catalogue.get(offer.service_id)) for offer in offered(tracker)]
    available = [(offer, service) for offer, service in offers if service is not None]
    index = typed_pick(text, [service for _, service in available], catalogue)
    if index is None:
        return None
    offer, service = available[index]
    return Pick(service, offer.intent)
