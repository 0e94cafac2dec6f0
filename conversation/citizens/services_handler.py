"""The citizens desk's "บริการของฉัน / My services" and account linking (issue 17, points 5 and 6).

``/my_services`` ("บริการของฉัน", "my services"): on the web, the dashboard's signed link as a card
with one link button (the widget draws a card's links as buttons); on LINE, the "My services" bubble
(``{"type": "my_services"}``, drawn by channels/line/my_services.py) with a button to the same page.
Without the ``profile`` consent it says nothing is kept and offers the consent, and still shows the
reports the citizen filed.

``/link_account`` ("เชื่อมบัญชี", "link my account") gives a one-time code and waits for a code
typed back (a code from the other chat); ``/link <code>`` ("เชื่อมบัญชี 123456", "link 123456")
redeems one; ``/unlink_account`` ("ยกเลิกการเชื่อมบัญชี", "unlink my account") separates the chats.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

from conversation.citizens.consents import ConsentBook
from conversation.citizens.dashboard_view import DashboardSources, dashboard_view
from conversation.citizens.desk import CitizenAnswer, CitizenTurn
from conversation.citizens.linking import LinkCodes, LinkResult, as_code
from conversation.citizens.prompts import Prompt, PromptBook
from conversation.citizens.signed_links import DashboardLinks
from texts import Lang, text

__all__ = ["LINK_PROMPT", "ServicesHandler", "dashboard_url"]

_G = "citizens_dashboard"
LINK_PROMPT = "dashboard.link_code"
CONSENT_COMMAND = "/citizen_consent profile"

_PHRASES = {
    "บริการของฉัน": "/my_services",
    "my services": "/my_services",
    "เชื่อมบัญชี": "/link_account",
    "link my account": "/link_account",
    "link account": "/link_account",
    "link my accounts": "/link_account",
    "ยกเลิกการเชื่อมบัญชี": "/unlink_account",
    "unlink my account": "/unlink_account",
    "unlink account": "/unlink_account",
}
# "เชื่อมบัญชี 123456", "link 123456", "link my account 123 456"
_WITH_CODE = re.compile(r"^(?:เชื่อมบัญชี|link(?: my account)?)\s*([0-9๐-๙][0-9๐-๙ \-]*)$")


def dashboard_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/me?t={token}"


def _text(lang: Lang, key: str, **values: object) -> dict[str, Any]:
    return {"type": "text", "text": text(f"{_G}.{key}", lang, **values)}


def _consent_offer(lang: Lang, key: str) -> dict[str, Any]:
    option = {"label": text(f"{_G}.consent_button", lang), "payload": CONSENT_COMMAND}
    return {"type": "quick_replies", "text": text(f"{_G}.{key}", lang), "options": [option]}


class ServicesHandler:
    """The desk handler for ``/my_services``, ``/link_account``, ``/link`` and ``/unlink_account``."""

    name = "dashboard"
    commands: Sequence[str] = ("/my_services", "/link_account", "/link", "/unlink_account")

    def __init__(
        self,
        consents: ConsentBook,
        prompts: PromptBook,
        codes: LinkCodes,
        links: DashboardLinks,
        sources: DashboardSources,
        public_url: str | Callable[[], str],
    ) -> None:
        self.consents = consents
        self.prompts = prompts
        self.codes = codes
        self.links = links
        self.sources = sources
        self._public_url = public_url

    @property
    def public_url(self) -> str:
        return self._public_url() if callable(self._public_url) else self._public_url

    def phrase(self, folded: str) -> str | None:
        command = _PHRASES.get(folded)
        if command is not None:
            return command
        found = _WITH_CODE.match(folded)
        if found is not None and as_code(found.group(1)) is not None:
            return f"/link {as_code(found.group(1))}"
        return None

    async def handle(self, turn: CitizenTurn) -> CitizenAnswer | None:
        if turn.command == "/my_services":
            return await self._my_services(turn)
        if turn.command == "/link_account":
            return await self._link_account(turn)
        if turn.command == "/link":
            return await self._redeem(turn, turn.arguments)
        if turn.command == "/unlink_account":
            return await self._unlink(turn)
        return None

    async def answer(self, turn: CitizenTurn, prompt: Prompt) -> CitizenAnswer | None:
        if prompt.prompt != LINK_PROMPT:
            return None
        code = as_code(turn.text)
        if code is None:
            return None  # the citizen asked something else: the bot answers
        return await self._redeem(turn, code)

    # --- my services ------------------------------------------------------------------------

    def dashboard_link(self, citizen_id: str, now: dt.datetime) -> str:
        return dashboard_url(self.public_url, self.links.token(citizen_id, now=now))

    async def _my_services(self, turn: CitizenTurn) -> CitizenAnswer:
        lang = turn.language
        url = self.dashboard_link(turn.citizen_id, turn.now)
        minutes = round(self.links.lifetime.total_seconds() / 60)
        open_link = {"label": text(f"{_G}.open_button", lang), "url": url}
        messages: list[dict[str, Any]]
        if turn.channel == "line":
            view = await asyncio.to_thread(dashboard_view, self.sources, turn.citizen_id, lang, turn.now)
            messages = [{"type": "my_services", "view": view, "link": open_link}]
        else:
            card = {
                "type": "dashboard_link",
                "lang": lang,
                "title": text(f"{_G}.title", lang),
                "summary": text(f"{_G}.link_card_summary", lang, minutes=minutes),
                "links": [open_link],
            }
            messages = [_text(lang, "link_intro", minutes=minutes), {"type": "card", "card": card}]
        kept = await asyncio.to_thread(self.consents.active, turn.citizen_id, "profile")
        if kept is None:
            messages.append(_consent_offer(lang, "nothing_kept"))
        return CitizenAnswer(lang, messages)

    # --- linking ----------------------------------------------------------------------------

    async def _link_account(self, turn: CitizenTurn) -> CitizenAnswer:
        lang = turn.language
        await asyncio.to_thread(self.prompts.ask, turn.sender, LINK_PROMPT, {}, now=turn.now, minutes=self._minutes())
        kept = await asyncio.to_thread(self.consents.active, turn.citizen_id, "profile")
        if kept is None:
            # A chat that keeps nothing is usually the second one: it types the other's code. It may
            # also be the first; then it gives its consent and asks again.
            return CitizenAnswer(lang, [_text(lang, "link_ask_code"), _consent_offer(lang, "link_start_here")])
        issued = await asyncio.to_thread(self.codes.issue, turn.citizen_id, now=turn.now)
        return CitizenAnswer(
            lang,
            [_text(lang, "link_code", code=issued.code, minutes=self._minutes()), _text(lang, "link_or_type")],
        )

    async def _redeem(self, turn: CitizenTurn, typed: str) -> CitizenAnswer:
        lang = turn.language
        code = as_code(typed)
        if code is None:
            return CitizenAnswer(lang, [_text(lang, "link_ask_code")])
        result: LinkResult = await asyncio.to_thread(self.codes.redeem, turn.sender, code, turn.channel, now=turn.now)
        if result.outcome in ("linked", "same", "has_data", "wait"):
            await asyncio.to_thread(self.prompts.close, turn.sender)
        if result.outcome == "wait":
            waiting = result.retry_after or dt.timedelta(minutes=1)
            return CitizenAnswer(
                lang, [_text(lang, "link_wait", minutes=max(1, math.ceil(waiting.total_seconds() / 60)))]
            )
        return CitizenAnswer(lang, [_text(lang, "linked" if result.outcome == "linked" else f"link_{result.outcome}")])

    async def _unlink(self, turn: CitizenTurn) -> CitizenAnswer:
        lang = turn.language
        separated = await asyncio.to_thread(self.codes.unlink, turn.sender)
        if not separated:
            return CitizenAnswer(lang, [_text(lang, "not_linked")])
        if separated == [turn.sender]:
            return CitizenAnswer(lang, [_text(lang, "unlinked")])
        return CitizenAnswer(lang, [_text(lang, "unlinked_others", count=len(separated))])

    def _minutes(self) -> int:
        return max(1, round(self.codes.window.total_seconds() / 60))
