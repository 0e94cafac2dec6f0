"""The citizens desk's profile handler: consent, the profile questions, "my data", erasure, entitlements.

Why the consent comes first and as its own question: PDPA s.19 asks for a consent given freely, for a
purpose said beforehand, and s.26 for an *explicit* one before sensitive data (a disability) is kept.
So every command that would keep something answers with the consent notice when there is no consent,
and the profile questions are asked only after "I agree"; each answer is saved at once (a citizen who
stops half way keeps what they told), and every question can be skipped.

The situations question fits LINE's 13 quick replies: at most 11 situations a page, "more", and
"done"; each tap saves one and shows the rest. Quick-reply payloads of the questions are their labels,
so typing the answer works as tapping it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from actions.service_answer import service_buttons
from conversation.citizens.consents import PURPOSES, ConsentBook, Purpose
from conversation.citizens.desk import CitizenAnswer, CitizenTurn, fold
from conversation.citizens.entitlements import Entitlement, entitlements, find_province, shortlist, when_label
from conversation.citizens.profiles import ProfileBook, ProfileError, StaleProfileError, StoredProfile
from conversation.citizens.prompts import Prompt, PromptBook
from conversation.citizens.records import CitizenRecords
from conversation.citizens.reminders import ReminderBook
from conversation.citizens.settings import CitizensSettings
from knowledge.eligibility import Situation
from knowledge.schema import Service
from nlu.language import Lang
from nlu.thai_dates import parse_date
from texts import MAX_QUICK_REPLIES, text

__all__ = ["PHRASES", "ProfileHandler", "parse_birth"]

LOCAL_TIMEZONE = ZoneInfo("Asia/Bangkok")
_T = "citizens_profile."
LANGUAGES = ("th", "en")
STEPS = ("birth_year", "province", "situations", "nationality")
_PAGE = MAX_QUICK_REPLIES - 2  # situations a page, beside "more" and "done"
_SHOWN_ENTITLEMENTS = 8

# Exact folded phrases (conversation.citizens.desk.fold) and the command each stands for.
PHRASES: dict[str, str] = {
    "ข้อมูลของฉัน": "/my_profile",
    "ข้อมูลส่วนตัวของฉัน": "/my_profile",
    "my data": "/my_profile",
    "my profile": "/my_profile",
    "ลบข้อมูลของฉัน": "/delete_my_data",
    "ลบข้อมูลส่วนตัวของฉัน": "/delete_my_data",
    "delete my data": "/delete_my_data",
    "ฉันมีสิทธิ์อะไรบ้าง": "/my_entitlements",
    "สิทธิ์ของฉัน": "/my_entitlements",
    "what am i entitled to": "/my_entitlements",
    "my entitlements": "/my_entitlements",
    "หยุดแจ้งเตือน": "/stop_reminders",
    "ยกเลิกการแจ้งเตือนทั้งหมด": "/stop_reminders",
    "ไม่ต้องเตือนแล้ว": "/stop_reminders",
    "stop reminders": "/stop_reminders",
    "stop all reminders": "/stop_reminders",
}
_SKIP = {"ข้าม", "skip", "ไม่ระบุ", "ไม่บอก", "ไม่อยากบอก", "pass"}
_THAI = {"thai", "ไทย", "สัญชาติไทย", "ใช่", "yes", "y"}
_FOREIGN = {"foreign", "other", "another nationality", "สัญชาติอื่น", "ต่างชาติ", "ไม่ใช่", "no", "n"}
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_AGE = re.compile(r"(?:อายุ|age|i am|i'm|im)\s*(\d{1,3})|^(\d{1,3})\s*(?:ปี|years?(?:\s+old)?|yrs?)?$")
_YEAR = re.compile(r"(\d{4})")


def _today(now: dt.datetime) -> dt.date:
    return now.astimezone(LOCAL_TIMEZONE).date()


def parse_birth(said: str, today: dt.date) -> dict[str, Any] | None:
    """The birth a typed answer gives: ``{"birth_year": 1967}`` (from 2510, 1967, "พ.ศ. 2510" or
    "อายุ 58"), or with ``birth_date`` for a full date; None when it holds no number at all.

    :Example:

        >>> parse_birth("พ.ศ. 2510", dt.date(2026, 12, 3))
        {'birth_year': 2510}
        >>> parse_birth("อายุ 58", dt.date(2026, 12, 3))
        {'birth_year': 1968}
    """
    typed = " ".join(said.translate(_THAI_DIGITS).split()).lower()
    if not re.search(r"\d", typed):
        return None
    day = parse_date(typed)
    if day is not None:
        return {"birth_year": day.year, "birth_date": day}
    aged = _AGE.search(typed)
    if aged:
        return {"birth_year": today.year - int(aged.group(1) or aged.group(2))}
    year = _YEAR.search(typed)
    return {"birth_year": int(year.group(1))} if year else {"birth_year": -1}


def _situation_label(situation: Situation, lang: Lang) -> str:
    return text(f"{_T}situation_{situation.value}", lang)


def _situation_named(folded: str) -> Situation | None:
    for situation in Situation:
        names = {fold(_situation_label(situation, lang)) for lang in ("th", "en")} | {situation.value}
        if folded in names:
            return situation
    return None


def _is(folded: str, key: str) -> bool:
    return folded in {fold(text(_T + key, "th")), fold(text(_T + key, "en"))}


def _quick(said: str, options: Sequence[tuple[str, str]]) -> dict[str, Any]:
    return {
        "type": "quick_replies",
        "text": said,
        "options": [{"label": label, "payload": payload} for label, payload in options][:MAX_QUICK_REPLIES],
    }


def _say(said: str) -> dict[str, Any]:
    return {"type": "text", "text": said}


async def _db(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return await asyncio.to_thread(function, *args, **kwargs)


class ProfileHandler:
    """Commands: consent, the profile questions, what is kept, erasure, and the services it suggests."""

    name: str = "profile"
    commands: Sequence[str] = (
        "/citizen_consent",
        "/citizen_consent_yes",
        "/citizen_consent_no",
        "/my_profile",
        "/profile_edit",
        "/delete_my_data",
        "/delete_my_data_confirm",
        "/my_entitlements",
        "/stop_reminders",
    )

    def __init__(self, engine: Engine, settings: CitizensSettings, list_services: Callable[[], list[Service]]) -> None:
        self.consents = ConsentBook(engine, settings.consent_wording_version)
        self.profiles = ProfileBook(engine, self.consents)
        self.records = CitizenRecords(engine)
        self.reminders = ReminderBook(engine, self.consents)
        self.prompts = PromptBook(engine)
        self.kept_days = settings.kept_days
        self.list_services = list_services

    def phrase(self, folded: str) -> str | None:
        """The command with the phrase's own language ("my data" -> "/my_profile en")."""
        command = PHRASES.get(folded)
        if command is None:
            return None
        return f"{command} {'en' if folded.isascii() else 'th'}"

    async def handle(self, turn: CitizenTurn) -> CitizenAnswer | None:
        command = turn.command
        words = turn.arguments.split()
        if words and words[-1] in LANGUAGES:  # our own quick replies name the language they were shown in
            turn = replace(turn, language=cast(Lang, words.pop()))
        elif not turn.explicit_language:  # a typed command says nothing of the language: the one they use
            turn = replace(turn, language=await _db(self._language_of, turn.citizen_id, turn.language))
        argument = words[0] if words else ""
        if command == "/citizen_consent":
            return self._answer(turn, [self._consent_question(turn.language, argument or "profile")])
        if command == "/citizen_consent_yes":
            return await self._agreed(turn, argument or "profile")
        if command == "/citizen_consent_no":
            await _db(self.prompts.close, turn.sender)
            return self._answer(turn, [_say(text(_T + "declined", turn.language))])
        if command == "/my_profile":
            return await self._my_profile(turn)
        if command == "/profile_edit":
            return await self._edit(turn, argument)
        if command == "/delete_my_data":
            return await self._delete_question(turn)
        if command == "/delete_my_data_confirm":
            return await self._delete(turn)
        if command == "/my_entitlements":
            return await self._entitlements(turn)
        if command == "/stop_reminders":
            return await self._stop_reminders(turn)
        return None

    async def _stop_reminders(self, turn: CitizenTurn) -> CitizenAnswer:
        """Withdraw the reminders consent as easily as it was given (PDPA s.19): its reminders go with it."""
        withdrawn = await _db(self.consents.withdraw, turn.citizen_id, "reminders", now=turn.now)
        dropped = await _db(self.reminders.forget, turn.citizen_id)
        key = "reminders_stopped" if withdrawn or dropped else "no_reminders"
        return self._answer(turn, [_say(text(_T + key, turn.language))])

    async def answer(self, turn: CitizenTurn, prompt: Prompt) -> CitizenAnswer | None:
        step = prompt.prompt.split(".", 1)[1]
        if step not in STEPS:
            return None
        if await _db(self.consents.active, turn.citizen_id, "profile") is None:
            await _db(self.prompts.close, turn.sender)  # withdrawn meanwhile: ask again, keep nothing
            return self._answer(turn, [self._consent_question(turn.language, "profile")])
        folded = fold(turn.text)
        if folded in _SKIP or _is(folded, "skip"):
            return await self._next(turn, step, prompt.data)
        try:
            if step == "birth_year":
                return await self._birth(turn, prompt)
            if step == "province":
                return await self._province(turn, prompt)
            if step == "situations":
                return await self._situations(turn, prompt, folded)
            return await self._nationality(turn, prompt, folded)
        except StaleProfileError:
            messages = [_say(text(_T + "stale", turn.language)), *await self._ask(turn, step, prompt.data)]
            return self._answer(turn, messages)

    def _language_of(self, citizen_id: str, default: Lang) -> Lang:
        stored = self.profiles.get(citizen_id)
        if stored is not None:
            return stored.fields.language
        consent = self.consents.active(citizen_id, "profile") or self.consents.active(citizen_id, "reminders")
        return cast(Lang, consent.language) if consent is not None and consent.language in LANGUAGES else default

    # --- consent -------------------------------------------------------------------------------

    def _consent_question(self, lang: Lang, purpose: str) -> dict[str, Any]:
        purpose = purpose if purpose in PURPOSES else "profile"
        notice = text(f"{_T}consent_{purpose}", lang, days=self.kept_days, controller=text(_T + "controller", lang))
        options = [
            (text(_T + "agree", lang), f"/citizen_consent_yes {purpose}"),
            (text(_T + "no_thanks", lang), "/citizen_consent_no"),
        ]
        return _quick(notice, options)

    async def _agreed(self, turn: CitizenTurn, purpose: str) -> CitizenAnswer:
        if purpose not in PURPOSES:
            return self._answer(turn, [self._consent_question(turn.language, "profile")])
        chosen = cast(Purpose, purpose)
        already = await _db(self.consents.active, turn.citizen_id, chosen)
        await _db(self.consents.grant, turn.citizen_id, chosen, turn.language, turn.channel, now=turn.now)
        if chosen == "reminders":
            key = "already_reminders" if already else "reminders_granted"
            return self._answer(turn, [_say(text(_T + key, turn.language))])
        return self._answer(turn, await self._ask(turn, "birth_year", {}))

    # --- the questions -------------------------------------------------------------------------

    async def _ask(self, turn: CitizenTurn, step: str, data: dict[str, Any]) -> list[dict[str, Any]]:
        """Ask ``step`` (and remember it is asked); ``data["only"]`` asks that one question alone."""
        lang = turn.language
        await _db(self.prompts.ask, turn.sender, f"profile.{step}", data, now=turn.now)
        skip = (text(_T + "skip", lang), text(_T + "skip", lang))
        if step == "birth_year":
            return [_quick(text(_T + "ask_birth_year", lang), [skip])]
        if step == "province":
            return [_quick(text(_T + "ask_province", lang), [skip])]
        if step == "situations":
            return [await self._situations_question(turn, data, text(_T + "ask_situations", lang))]
        options = [
            (text(_T + "nationality_thai", lang), text(_T + "nationality_thai", lang)),
            (text(_T + "nationality_foreign", lang), text(_T + "nationality_foreign", lang)),
            skip,
        ]
        return [_quick(text(_T + "ask_nationality", lang), options)]

    async def _next(self, turn: CitizenTurn, step: str, data: dict[str, Any]) -> CitizenAnswer:
        """The question after ``step``, or the end of the questions: thanks, and what it suggests."""
        following = STEPS.index(step) + 1
        if not data.get("only") and following < len(STEPS):
            return self._answer(turn, await self._ask(turn, STEPS[following], {}))
        await _db(self.prompts.close, turn.sender)
        stored = await _db(self.profiles.get, turn.citizen_id)
        return self._answer(turn, [_say(text(_T + "flow_done", turn.language)), *self._offer(turn, stored)])

    async def _save(self, turn: CitizenTurn, **changes: Any) -> StoredProfile:
        saved: StoredProfile = await _db(
            self.profiles.change, turn.citizen_id, now=turn.now, language=turn.language, **changes
        )
        return saved

    async def _birth(self, turn: CitizenTurn, prompt: Prompt) -> CitizenAnswer | None:
        birth = parse_birth(turn.text, _today(turn.now))
        if birth is None:
            return None  # no number: the citizen asked something else
        try:
            await self._save(turn, **birth)
        except ProfileError:
            said = text(_T + "bad_birth_year", turn.language, said=turn.text.strip()[:40])
            skip = text(_T + "skip", turn.language)
            await _db(self.prompts.ask, turn.sender, prompt.prompt, prompt.data, now=turn.now)
            return self._answer(turn, [_quick(said, [(skip, skip)])])
        return await self._next(turn, "birth_year", prompt.data)

    async def _province(self, turn: CitizenTurn, prompt: Prompt) -> CitizenAnswer | None:
        lang = turn.language
        found = find_province(turn.text)
        if len(found) == 1:
            await self._save(turn, province=found[0])
            return await self._next(turn, "province", prompt.data)
        skip = (text(_T + "skip", lang), text(_T + "skip", lang))
        if found:
            options = [(name, name) for name in found]
            await _db(self.prompts.ask, turn.sender, prompt.prompt, prompt.data, now=turn.now)
            return self._answer(turn, [_quick(text(_T + "which_province", lang), [*options, skip])])
        if prompt.data.get("retried"):
            return None  # twice no province: most likely another question
        said = text(_T + "unknown_province", lang, said=turn.text.strip()[:40])
        await _db(self.prompts.ask, turn.sender, prompt.prompt, {**prompt.data, "retried": True}, now=turn.now)
        return self._answer(turn, [_quick(said, [skip])])

    async def _situations_question(self, turn: CitizenTurn, data: dict[str, Any], said: str) -> dict[str, Any]:
        lang = turn.language
        stored: StoredProfile | None = await _db(self.profiles.get, turn.citizen_id)
        held = set(stored.fields.situations) if stored else set()
        left = [situation for situation in Situation if situation not in held]
        page = int(data.get("page", 0))
        options: list[tuple[str, str]] = []
        if len(left) <= _PAGE + 1:
            shown, turner = left, None
        elif page == 0:
            shown, turner = left[:_PAGE], text(_T + "more", lang)
        else:
            shown, turner = left[_PAGE:], text(_T + "back", lang)
        options += [(_situation_label(s, lang), _situation_label(s, lang)) for s in shown]
        if turner:
            options.append((turner, turner))
        finish = text(_T + ("done" if held else "none_apply"), lang)
        options.append((finish, finish))
        return _quick(said, options)

    async def _situations(self, turn: CitizenTurn, prompt: Prompt, folded: str) -> CitizenAnswer | None:
        lang = turn.language
        data = dict(prompt.data)
        if _is(folded, "done") or _is(folded, "none_apply"):
            await self._save(turn, situations_known=True)
            return await self._next(turn, "situations", data)
        if _is(folded, "more") or _is(folded, "back"):
            data["page"] = 0 if _is(folded, "back") else 1
            await _db(self.prompts.ask, turn.sender, prompt.prompt, data, now=turn.now)
            return self._answer(turn, [await self._situations_question(turn, data, text(_T + "ask_situations", lang))])
        situation = _situation_named(folded)
        if situation is None:
            return None
        stored: StoredProfile | None = await _db(self.profiles.get, turn.citizen_id)
        held = list(stored.fields.situations) if stored else []
        await self._save(turn, situations=[*held, situation])
        data["page"] = 0
        await _db(self.prompts.ask, turn.sender, prompt.prompt, data, now=turn.now)
        said = text(_T + "ask_more_situations", lang, situation=_situation_label(situation, lang))
        return self._answer(turn, [await self._situations_question(turn, data, said)])

    async def _nationality(self, turn: CitizenTurn, prompt: Prompt, folded: str) -> CitizenAnswer | None:
        if folded in _THAI or _is(folded, "nationality_thai"):
            nationality = "thai"
        elif folded in _FOREIGN or _is(folded, "nationality_foreign"):
            nationality = "foreign"
        else:
            return None
        await self._save(turn, nationality=nationality)
        return await self._next(turn, "nationality", prompt.data)

    async def _edit(self, turn: CitizenTurn, step: str) -> CitizenAnswer:
        if await _db(self.consents.active, turn.citizen_id, "profile") is None:
            return self._answer(turn, [self._consent_question(turn.language, "profile")])
        if step in STEPS:
            return self._answer(turn, await self._ask(turn, step, {"only": True}))
        return self._answer(turn, await self._ask(turn, "birth_year", {}))

    # --- what is kept, erasure -----------------------------------------------------------------

    async def _my_profile(self, turn: CitizenTurn) -> CitizenAnswer:
        lang = turn.language
        consent = await _db(self.consents.active, turn.citizen_id, "profile")
        reminders = await _db(self.consents.active, turn.citizen_id, "reminders")
        stored: StoredProfile | None = await _db(self.profiles.get, turn.citizen_id)
        if consent is None and reminders is None and stored is None:
            tell = (text(_T + "tell_me", lang), "/citizen_consent profile")
            return self._answer(turn, [_quick(text(_T + "nothing_kept", lang), [tell])])
        lines = [self._line(lang, label, value) for label, value in self._fields(stored, lang)]
        agreed = [text(f"{_T}consent_{c.purpose}_name", lang) for c in (consent, reminders) if c is not None]
        lines.append(self._line(lang, "consents", ", ".join(agreed) or text(_T + "not_told", lang)))
        summary = text(_T + "my_profile", lang, lines="\n".join(lines), days=self.kept_days)
        options = [
            (text(_T + "change", lang), "/profile_edit"),
            (text(_T + "entitlements_button", lang), "/my_entitlements"),
            (text(_T + "delete", lang), "/delete_my_data"),
        ]
        return self._answer(turn, [_say(summary), _quick(text(_T + "what_next", lang), options)])

    @staticmethod
    def _line(lang: Lang, label: str, value: str) -> str:
        return f"• {text(f'{_T}label_{label}', lang)}: {value}"

    @staticmethod
    def _fields(stored: StoredProfile | None, lang: Lang) -> list[tuple[str, str]]:
        unknown = text(_T + "not_told", lang)
        if stored is None:
            return [(step, unknown) for step in STEPS]
        fields = stored.fields
        year = fields.birth_year
        if year is None:
            birth = unknown
        elif fields.birth_date is not None:
            birth = fields.birth_date.isoformat()
        else:
            birth = f"{year + 543} ({year})" if lang == "th" else str(year)
        if fields.situations:
            situations = ", ".join(_situation_label(s, lang) for s in fields.situations)
        else:
            situations = text(_T + "no_situations", lang) if fields.situations_known else unknown
        nationality = text(f"{_T}nationality_{fields.nationality}", lang) if fields.nationality else unknown
        return [
            ("birth_year", birth),
            ("province", fields.province or unknown),
            ("situations", situations),
            ("nationality", nationality),
        ]

    async def _delete_question(self, turn: CitizenTurn) -> CitizenAnswer:
        lang = turn.language
        if not await _db(self.records.has_data, turn.citizen_id):
            return self._answer(turn, [_say(text(_T + "nothing_to_delete", lang))])
        options = [
            (text(_T + "delete_yes", lang), "/delete_my_data_confirm"),
            (text(_T + "delete_keep", lang), "/my_profile"),
        ]
        return self._answer(turn, [_quick(text(_T + "delete_confirm", lang), options)])

    async def _delete(self, turn: CitizenTurn) -> CitizenAnswer:
        erased: dict[str, int] = await _db(self.records.erase, turn.citizen_id)
        await _db(self.prompts.close, turn.sender)
        kept = any(count for table, count in erased.items() if table != "citizen_prompts")
        return self._answer(turn, [_say(text(_T + ("deleted" if kept else "nothing_to_delete"), turn.language))])

    # --- services it suggests ------------------------------------------------------------------

    async def _entitlements(self, turn: CitizenTurn) -> CitizenAnswer:
        lang = turn.language
        if await _db(self.consents.active, turn.citizen_id, "profile") is None:
            tell = (text(_T + "tell_me", lang), "/citizen_consent profile")
            return self._answer(turn, [_quick(text(_T + "nothing_kept", lang), [tell])])
        stored: StoredProfile | None = await _db(self.profiles.get, turn.citizen_id)
        if stored is None or stored.fields.is_empty():
            tell = (text(_T + "tell_me", lang), "/profile_edit")
            return self._answer(turn, [_quick(text(_T + "nothing_kept", lang), [tell])])
        return self._answer(turn, self._offer(turn, stored))

    def _offer(self, turn: CitizenTurn, stored: StoredProfile | None) -> list[dict[str, Any]]:
        lang = turn.language
        if stored is None or stored.fields.is_empty():
            return []
        found = entitlements(self.list_services(), stored.eligibility_profile(), _today(turn.now))
        if not found:
            return [_say(text(_T + "no_entitlements", lang))]
        shown = shortlist(found, _SHOWN_ENTITLEMENTS)
        lines = [text(_T + "entitlements_intro", lang), *(self._entitlement_line(entry, lang) for entry in shown)]
        buttons = service_buttons([entry.service for entry in shown], lang)
        options = [(button["title"], button["payload"]) for button in buttons]
        return [_say("\n".join(lines)), _quick(text(_T + "open_service", lang), options)]

    @staticmethod
    def _entitlement_line(entry: Entitlement, lang: Lang) -> str:
        title = entry.service.title.get(lang)
        if entry.standing == "eligible":
            line = text(_T + "entitled_now", lang, service=title)
        elif entry.standing == "soon":
            assert entry.eligible_from is not None and entry.service.eligibility_rules is not None
            when = when_label(entry.eligible_from, lang, year_only=entry.from_year_only)
            line = text(
                _T + "entitled_soon", lang, service=title, age=entry.service.eligibility_rules.min_age, when=when
            )
        else:
            joiner = f" {text(_T + 'missing_join', lang)} " if lang == "en" else text(_T + "missing_join", lang)
            missing = joiner.join(text(f"{_T}missing_{field}", lang) for field in entry.missing)
            line = text(_T + "entitled_unknown", lang, service=title, missing=missing)
        if not entry.verified:
            line = f"{line} {text(_T + 'unverified', lang)}"
        if entry.office is not None:
            line = f"{line}\n  {text(_T + 'office_near', lang, office=entry.office.name.get(lang))}"
        return line

    def _answer(self, turn: CitizenTurn, messages: list[dict[str, Any]]) -> CitizenAnswer:
        """The answer in the turn's language; a quick reply with one of our commands carries it, so the
        tap is answered in the language it was offered in (a command's letters say nothing of it)."""
        for message in messages:
            for option in message.get("options") or []:
                words = str(option["payload"]).split()
                if words and words[0] in self.commands and words[-1] not in LANGUAGES:
                    option["payload"] = f"{option['payload']} {turn.language}"
        return CitizenAnswer(turn.language, messages)
