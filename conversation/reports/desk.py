"""The report conversation: what the problem is, its type, where, a photo, a summary, a ticket.

Asked by :func:`conversation.turn.run_turn` right after the hand-off desk: it answers when the
conversation has a draft in ``report_drafts``, or for its commands (``/report_problem``,
``/report_status``, ``/report_rate <ticket> <1-5>``). Nothing half-made is filed: only the
summary's confirm files a report; "ยกเลิก" / "cancel" / ``/report_cancel`` drops the draft (and
its photo) at any step. Descriptions and typed addresses are masked before the draft stores them.

Messages are the channels' own shapes; a question that wants a location or a photo carries
``"ask": "location"`` / ``"ask": "photo"``, which LINE renders as its location / camera quick
replies and the widget as its share-location button and photo picker.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from conversation.reports.drafts import Draft, DraftConflictError, DraftStore, Step
from conversation.reports.photos import PhotoStore
from conversation.reports.settings import ReportsSettings
from conversation.reports.store import MAX_DESCRIPTION_CHARS, NewReport, Report, ReportsStore
from knowledge.reports.classifier import ReportTypeClassifier
from knowledge.reports.places import Gazetteer, load_gazetteer
from knowledge.reports.types import OTHER_TYPE, ProblemType
from nlu.language import Lang, detect_language, reply_language
from nlu.pii import mask_pii
from texts import text

__all__ = [
    "CANCEL_COMMAND",
    "CONFIRM_COMMAND",
    "EDIT_TYPE_COMMAND",
    "RATE_COMMAND",
    "SKIP_COMMAND",
    "START_COMMAND",
    "STATUS_COMMAND",
    "ReportAnswer",
    "ReportDesk",
    "description_from_trigger",
]

logger = logging.getLogger(__name__)

START_COMMAND = "/report_problem"
STATUS_COMMAND = "/report_status"
CANCEL_COMMAND = "/report_cancel"
CONFIRM_COMMAND = "/report_confirm"
EDIT_TYPE_COMMAND = "/report_edit_type"
SKIP_COMMAND = "/report_skip"
TYPE_COMMAND = "/report_type"
RATE_COMMAND = "/report_rate"

_CANCEL_WORDS = {"ยกเลิก", "cancel", "ยกเลิกการแจ้ง", "ไม่แจ้งแล้ว", "stop", CANCEL_COMMAND}
_SKIP_WORDS = {"ข้าม", "skip", "ไม่มี", "ไม่มีรูป", "no photo", "no", SKIP_COMMAND}
_CONFIRM_WORDS = {"ยืนยัน", "ยืนยันส่งเรื่อง", "ส่ง", "ส่งเลย", "ตกลง", "ใช่", "confirm", "send", "send report", "yes", "ok"}
_MIN_DESCRIPTION_LETTERS = 4
_STATUS_LIMIT = 5
# What starts a report in free text; the rest of the message, if it says something, is the description.
_TRIGGERS = re.compile(
    r"(ผม|ฉัน|หนู|เรา|ดิฉัน)?\s*(อยาก|ต้องการ|ขอ)?\s*(จะ)?\s*(แจ้ง|ร้องเรียน)\s*(เรื่อง|ปัญหา|เหตุ)?\s*(ครับ|ค่ะ|คะ|หน่อย|ด้วย|นะ)*"
    r"|\b(i\s+(want|would\s+like|need)\s+to\s+|i'?d\s+like\s+to\s+|can\s+i\s+|please\s+)?"
    r"(report|file\s+a\s+report|make\s+a\s+report)(\s+(a|an)\s+(problem|issue))?(\s+(about|of|that))?\b",
    re.IGNORECASE,
)
_LETTER = re.compile(r"[A-Za-z\u0e01-\u0e2e]")


def description_from_trigger(said: str) -> str:
    """What a message that started a report says beyond its trigger words, or "" ("อยากแจ้งเรื่อง")."""
    rest = _TRIGGERS.sub(" ", said.replace(START_COMMAND, " "))
    rest = " ".join(rest.split()).strip(" ,.:;-")
    return rest if len(_LETTER.findall(rest)) >= _MIN_DESCRIPTION_LETTERS else ""


@dataclass(frozen=True)
class ReportAnswer:
    """The desk answered the turn: ``messages`` in ``language``."""

    language: Lang
    messages: list[dict[str, Any]]


def _say(lang: Lang, key: str, **values: object) -> dict[str, Any]:
    return {"type": "text", "text": text(f"reports.{key}", lang, **values)}


def _ask(
    lang: Lang,
    key: str,
    options: list[tuple[str, str]],
    ask: str | None = None,
    values: Mapping[str, object] | None = None,
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "type": "quick_replies",
        "text": text(f"reports.{key}", lang, **(values or {})),
        "options": [{"label": label, "payload": payload} for label, payload in options],
    }
    if ask:
        message["ask"] = ask
    return message


def _button(lang: Lang, key: str, payload: str) -> tuple[str, str]:
    return text(f"reports.button_{key}", lang), payload


def _folded(said: str) -> str:
    return " ".join(said.casefold().split()).strip(" .!")


class ReportDesk:
    """The report conversation over a :class:`DraftStore`, filing through :class:`ReportsStore`."""

    def __init__(
        self,
        store: ReportsStore,
        photos: PhotoStore,
        classifier: ReportTypeClassifier | Callable[[], ReportTypeClassifier],
        settings: ReportsSettings | None = None,
        gazetteer: Gazetteer | None = None,
    ) -> None:
        self.store = store
        self.photos = photos
        self._classifier = classifier
        self.settings = settings or store.settings
        self.drafts = DraftStore(store.engine, self.settings.draft_minutes)
        self.gazetteer = gazetteer or load_gazetteer()

    @property
    def classifier(self) -> ReportTypeClassifier:
        """Trained once (seconds): the gateway warms it in the background at start (gateway/runtime.py)."""
        if not isinstance(self._classifier, ReportTypeClassifier):
            self._classifier = self._classifier()
        return self._classifier

    async def _db(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        return await asyncio.to_thread(function, *args, **kwargs)

    # --- entry points -----------------------------------------------------------------------

    async def has_draft(self, sender: str) -> bool:
        """Whether a location or photo sent now belongs to a report being told."""
        return await self._db(self.drafts.get, sender) is not None

    async def intercept(
        self,
        sender: str,
        typed: str,
        language: Lang,
        channel: str = "web",
        location: tuple[float, float] | None = None,
        photo_ref: str | None = None,
        explicit: bool = False,
    ) -> ReportAnswer | None:
        """The desk's answer, or None for the bot to answer (no draft and no command of ours).

        ``explicit``: ``language`` was the citizen's own choice (the widget's switch)."""
        said = typed.strip()
        head = said.split(maxsplit=1)[0] if said else ""
        if head == STATUS_COMMAND:
            return await self.status(sender, language)
        if head == RATE_COMMAND:
            return await self._rate(sender, said, language)
        draft: Draft | None = await self._db(self.drafts.get, sender)
        if head == START_COMMAND:
            return await self.start(sender, said, language, channel)
        if draft is None:
            if photo_ref or location is not None:  # a photo or a point outside a report: not kept
                self.photos.delete(photo_ref)
                return ReportAnswer(language, [_say(language, "photo_outside")])
            return None
        lang = self._language(draft, said, language, explicit)
        if _folded(said) in _CANCEL_WORDS:
            return await self._cancel(draft, lang)
        try:
            return await self._step(draft, said, lang, location, photo_ref)
        except DraftConflictError:
            return ReportAnswer(lang, [_say(lang, "busy")])

    async def start(self, sender: str, said: str, language: Lang, channel: str) -> ReportAnswer:
        """A new report (``/report_problem``, or Rasa's report_problem intent with the citizen's words)."""
        old: Draft | None = await self._db(self.drafts.get, sender)
        if old is not None:
            self.photos.delete(old.data.get("photo_ref"))
        draft = Draft(sender, channel, language, "description", {})
        description = description_from_trigger(said)
        try:
            if description:
                return await self._describe(draft, description, language)
            await self._db(self.drafts.save, draft)
        except DraftConflictError:
            return ReportAnswer(language, [_say(language, "busy")])
        return ReportAnswer(language, [self._question(draft, language)])

    async def status(self, sender: str, language: Lang) -> ReportAnswer:
        """The citizen's own reports, newest first; a rating offered for the newest done, unrated one."""
        own: list[Report] = await self._db(self.store.for_sender, sender)
        if not own:
            return ReportAnswer(language, [_ask(language, "status_none", [_button(language, "start", START_COMMAND)])])
        lines = [text("reports.status_intro", language)]
        for report in own[:_STATUS_LIMIT]:
            lines.append(self._status_line(report, language))
        if len(own) > _STATUS_LIMIT:
            lines.append(text("reports.status_more", language, count=len(own) - _STATUS_LIMIT))
        messages: list[dict[str, Any]] = [{"type": "text", "text": "\n".join(lines)}]
        unrated = next((r for r in own if r.status == "done" and r.rating is None), None)
        if unrated is not None:
            options = [(f"{'★' * n}", f"{RATE_COMMAND} {unrated.ticket} {n}") for n in range(1, 6)]
            messages.append(_ask(language, "rate_ask", options, values={"ticket": unrated.ticket}))
        return ReportAnswer(language, messages)

    # --- the steps --------------------------------------------------------------------------

    async def _step(
        self, draft: Draft, said: str, lang: Lang, location: tuple[float, float] | None, photo_ref: str | None
    ) -> ReportAnswer:
        # A location or photo sent before it was asked for is kept for its step.
        if location is not None and draft.step != "location":
            self._place_shared(draft, location)
        if photo_ref and draft.step != "photo":
            self._keep_photo(draft, photo_ref)
        if draft.step == "description":
            if not said:
                draft = await self._db(self.drafts.save, draft)
                return ReportAnswer(lang, [self._question(draft, lang)])
            return await self._describe(draft, said, lang)
        if draft.step == "type":
            return await self._choose_type(draft, said, lang)
        if draft.step == "location":
            return await self._locate(draft, said, lang, location)
        if draft.step == "photo":
            return await self._photo(draft, said, lang, photo_ref)
        return await self._confirm(draft, said, lang)

    async def _describe(self, draft: Draft, said: str, lang: Lang) -> ReportAnswer:
        if len(said) > MAX_DESCRIPTION_CHARS:
            return ReportAnswer(lang, [_say(lang, "description_too_long", limit=MAX_DESCRIPTION_CHARS)])
        if len(_LETTER.findall(said)) < _MIN_DESCRIPTION_LETTERS:
            await self._db(self.drafts.save, draft)
            return ReportAnswer(lang, [_say(lang, "description_too_short")])
        draft.data["description"] = mask_pii(said)
        found = await self._db(self.classifier.classify, said)
        draft.data["choices"] = [choice.type.th for choice in found.choices]
        if found.sure:
            draft.data["type"], draft.data["type_score"] = found.type.th, found.score
            return await self._next(draft, lang)
        draft.step = "type"
        draft = await self._db(self.drafts.save, draft)
        return ReportAnswer(lang, [self._question(draft, lang)])

    async def _choose_type(self, draft: Draft, said: str, lang: Lang) -> ReportAnswer:
        name = said[len(TYPE_COMMAND) :].strip() if said.startswith(TYPE_COMMAND) else said
        chosen = self.store.taxonomy.get(name) if name else None
        if chosen is None:
            return ReportAnswer(lang, [self._question(draft, lang, key="type_unknown")])
        draft.data["type"], draft.data["type_score"] = chosen.th, None  # the citizen's choice, not the model's
        return await self._next(draft, lang)

    async def _locate(self, draft: Draft, said: str, lang: Lang, location: tuple[float, float] | None) -> ReportAnswer:
        if location is not None:
            self._place_shared(draft, location)
            return await self._next(draft, lang)
        place = self.gazetteer.resolve(said) if said else None
        if place is None:
            shown = said[:80] if said else "-"
            return ReportAnswer(lang, [self._question(draft, lang, key="place_not_found", typed=shown)])
        draft.data.update(
            latitude=place.latitude,
            longitude=place.longitude,
            address=mask_pii(said[:500]),
            district=place.district,
            province=place.province,
            place_label={"th": place.label("th"), "en": place.label("en")},
            approximate=True,
        )
        return await self._next(draft, lang)

    async def _photo(self, draft: Draft, said: str, lang: Lang, photo_ref: str | None) -> ReportAnswer:
        if photo_ref:
            if not self._keep_photo(draft, photo_ref):
                return ReportAnswer(lang, [self._question(draft, lang, key="photo_unavailable")])
            return await self._next(draft, lang)
        if _folded(said) in _SKIP_WORDS:
            draft.data["photo_skipped"] = True
            return await self._next(draft, lang)
        return ReportAnswer(lang, [self._question(draft, lang, key="photo_expected")])

    async def _confirm(self, draft: Draft, said: str, lang: Lang) -> ReportAnswer:
        folded = _folded(said)
        if folded == EDIT_TYPE_COMMAND or folded in {"แก้ประเภท", "change type", "edit type"}:
            draft.step, draft.data["editing"] = "type", True
            draft = await self._db(self.drafts.save, draft)
            return ReportAnswer(lang, [self._question(draft, lang)])
        if folded != CONFIRM_COMMAND and folded not in _CONFIRM_WORDS:
            return ReportAnswer(lang, [self._question(draft, lang, key="confirm_expected")])
        data = draft.data
        new = NewReport(
            sender_id=draft.sender_id,
            channel=draft.channel,
            language=lang,
            description=str(data.get("description") or ""),
            type=str(data.get("type") or OTHER_TYPE),
            type_score=data.get("type_score"),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            address=data.get("address"),
            district=data.get("district"),
            province=data.get("province"),
            photo_ref=data.get("photo_ref"),
        )
        if not await self._db(self.drafts.delete, draft):  # another message of this conversation won
            return ReportAnswer(lang, [_say(lang, "busy")])
        try:
            filed = await self._db(self.store.file, new)
        except Exception:
            logger.exception("a report could not be filed; the draft is kept for another try")
            draft.version = 0
            await self._db(self.drafts.save, draft)
            return ReportAnswer(lang, [_say(lang, "file_failed")])
        logger.info("report filed", extra={"ticket": filed.report.ticket, "duplicate": filed.duplicate_of is not None})
        return ReportAnswer(lang, [{"type": "text", "text": filed.notice, "report": {"ticket": filed.report.ticket}}])

    async def _next(self, draft: Draft, lang: Lang) -> ReportAnswer:
        """Move to the first step still missing its answer (the summary once all are there)."""
        data = draft.data
        editing = bool(data.pop("editing", False))
        step: Step
        if not data.get("type"):
            step = "type"
        elif editing:
            step = "confirm"
        elif data.get("latitude") is None:
            step = "location"
        elif not data.get("photo_ref") and not data.get("photo_skipped"):
            step = "photo"
        else:
            step = "confirm"
        draft.step = step
        draft = await self._db(self.drafts.save, draft)
        return ReportAnswer(lang, [self._question(draft, lang)])

    async def _cancel(self, draft: Draft, lang: Lang) -> ReportAnswer:
        await self._db(self.drafts.delete, draft)
        self.photos.delete(draft.data.get("photo_ref"))
        return ReportAnswer(lang, [_say(lang, "cancelled")])

    async def _rate(self, sender: str, said: str, lang: Lang) -> ReportAnswer:
        parts = said.split()
        if len(parts) != 3 or not parts[2].isdigit():
            return ReportAnswer(lang, [_say(lang, "rate_refused")])
        ticket, rating = parts[1], int(parts[2])
        try:
            report = await self._db(self.store.by_ticket, ticket)
            await self._db(self.store.rate, report.id, sender, rating)
        except Exception as error:  # not theirs, not done, out of range, unknown ticket
            logger.info("a rating was refused: %s", type(error).__name__)
            return ReportAnswer(lang, [_say(lang, "rate_refused")])
        return ReportAnswer(lang, [_say(lang, "rated", rating=rating)])

    # --- helpers ----------------------------------------------------------------------------

    def _question(self, draft: Draft, lang: Lang, key: str | None = None, **values: object) -> dict[str, Any]:
        """What the draft's step asks (``key``: another sentence with the same buttons)."""
        cancel = _button(lang, "cancel", CANCEL_COMMAND)
        if draft.step == "description":
            return _ask(lang, key or "ask_description", [cancel], values=values)
        if draft.step == "type":
            names = [name for name in draft.data.get("choices") or [] if name != OTHER_TYPE][:3]
            options = [(self._type(name).label(lang), f"{TYPE_COMMAND} {self._type(name).th}") for name in names]
            options.append((text("reports.button_other", lang), f"{TYPE_COMMAND} {OTHER_TYPE}"))
            return _ask(lang, key or "ask_type", [*options, cancel], values=values)
        if draft.step == "location":
            return _ask(lang, key or "ask_location", [cancel], ask="location", values=values)
        if draft.step == "photo":
            return _ask(
                lang, key or "ask_photo", [_button(lang, "skip", SKIP_COMMAND), cancel], ask="photo", values=values
            )
        summary = {
            "description": draft.data.get("description") or "-",
            "type": self._type(str(draft.data.get("type") or OTHER_TYPE)).label(lang),
            "place": self._place_text(draft, lang),
            "photo": text("reports.photo_attached" if draft.data.get("photo_ref") else "reports.photo_none", lang),
        }
        options = [
            _button(lang, "confirm", CONFIRM_COMMAND),
            _button(lang, "edit_type", EDIT_TYPE_COMMAND),
            cancel,
        ]
        if key:
            return _ask(lang, key, options, values=values)
        return _ask(lang, "summary", options, values=summary)

    def _type(self, name: str) -> ProblemType:
        return self.store.taxonomy.get(name) or self.store.taxonomy.other

    def _place_text(self, draft: Draft, lang: Lang) -> str:
        data = draft.data
        label = data.get("place_label")
        if data.get("address") and isinstance(label, dict):
            return f"{data['address']} ({label.get(lang, '')})"
        if isinstance(label, dict):
            return text("reports.place_shared_near", lang, place=label.get(lang, ""))
        latitude, longitude = data.get("latitude"), data.get("longitude")
        if latitude is None or longitude is None:
            return "-"
        return text("reports.place_shared", lang, latitude=f"{latitude:.5f}", longitude=f"{longitude:.5f}")

    def _place_shared(self, draft: Draft, location: tuple[float, float]) -> None:
        latitude, longitude = location
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            return
        near = self.gazetteer.nearest(latitude, longitude)
        draft.data.update(
            latitude=latitude,
            longitude=longitude,
            address=None,
            district=near.district if near else None,
            province=near.province if near else None,
            place_label={"th": near.label("th"), "en": near.label("en")} if near else None,
            approximate=False,
        )

    def _keep_photo(self, draft: Draft, photo_ref: str) -> bool:
        """Keep an uploaded photo (one we stored: a ref from outside is refused)."""
        try:
            self.photos.read(photo_ref)
        except FileNotFoundError:
            return False
        if draft.data.get("photo_ref") and draft.data["photo_ref"] != photo_ref:
            self.photos.delete(draft.data["photo_ref"])  # a second photo replaces the first
        draft.data["photo_ref"] = photo_ref
        draft.data.pop("photo_skipped", None)
        return True

    @staticmethod
    def _language(draft: Draft, said: str, language: Lang, explicit: bool) -> Lang:
        if explicit:
            return language
        if len(_LETTER.findall(said)) >= 8 and not said.startswith("/"):
            detected = detect_language(said)
            if detected != "mixed":
                return reply_language(detected)
        return draft.language

    def _status_line(self, report: Report, lang: Lang) -> str:
        type_label = self._type(report.type).label(lang)
        line = text(
            "reports.status_line",
            lang,
            ticket=report.ticket,
            type=type_label,
            status=text(f"reports.state_{report.status}", lang),
        )
        extra = report.reason if report.status == "rejected" else report.note
        return f"{line}\n  {extra}" if extra else line
