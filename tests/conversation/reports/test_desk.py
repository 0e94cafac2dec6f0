"""The report conversation on a real reports database (SQLite file, and PostgreSQL), with the real
classifier and photo store: every step, cancel at each, unsure types, places, photos, status, rating."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from conversation.reports.desk import ReportAnswer, ReportDesk, description_from_trigger
from conversation.reports.drafts import Draft
from conversation.reports.photos import PhotoStore
from conversation.reports.settings import ReportsSettings
from conversation.reports.store import ReportsStore
from knowledge.reports.classifier import default_classifier
from texts import text

SENDER = "web:citizen-1"


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 20, 20)).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def desk(sql_url: str, tmp_path: Path) -> Iterator[ReportDesk]:
    store = ReportsStore(sql_url, ReportsSettings(duplicate_metres=50, duplicate_days=3, draft_minutes=30))
    yield ReportDesk(store, PhotoStore(tmp_path / "photos"), default_classifier)
    store.close()


def say(desk: ReportDesk, said: str, lang: str = "th", **extra: Any) -> ReportAnswer:
    answer = run(desk.intercept(SENDER, said, lang, "web", **extra))  # type: ignore[arg-type]
    assert answer is not None, f"the desk did not answer {said!r}"
    return answer


def texts_of(answer: ReportAnswer) -> str:
    return "\n".join(str(m.get("text") or "") for m in answer.messages)


def options_of(answer: ReportAnswer) -> list[str]:
    return [o["payload"] for m in answer.messages for o in m.get("options") or []]


def step_of(desk: ReportDesk) -> str | None:
    draft = desk.drafts.get(SENDER)
    return draft.step if draft else None


def filed(desk: ReportDesk) -> int:
    return len(desk.store.for_sender(SENDER))


def test_nothing_is_intercepted_without_a_draft_or_a_command(desk: ReportDesk) -> None:
    assert run(desk.intercept(SENDER, "ต่ออายุบัตรประชาชน", "th")) is None


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_whole_flow_to_a_ticket_with_a_typed_address_and_a_photo(desk: ReportDesk, lang: str) -> None:
    first = say(desk, "/report_problem", lang)
    assert texts_of(first) == text("reports.ask_description", lang)  # type: ignore[arg-type]
    assert step_of(desk) == "description"
    description = (
        "ไฟถนนดับทั้งซอย มืดมาก โทร 081-234-5678" if lang == "th" else "The street lights are out along the whole soi"
    )
    asked = say(desk, description, lang)
    assert asked.messages[0].get("ask") == "location"
    assert step_of(desk) == "location"
    draft = desk.drafts.get(SENDER)
    assert draft is not None and "081-234-5678" not in draft.data["description"]  # masked before it is stored
    photo_question = say(desk, "ซอยอารีย์ เขตพญาไท" if lang == "th" else "Soi Ari, Phaya Thai", lang)
    assert photo_question.messages[0].get("ask") == "photo"
    ref = desk.photos.save(jpeg()).ref
    summary = say(desk, "", lang, photo_ref=ref)
    shown = texts_of(summary)
    assert text("reports.photo_attached", lang) in shown  # type: ignore[arg-type]
    assert ("พญาไท" if lang == "th" else "Phaya Thai") in shown
    assert "/report_confirm" in options_of(summary) and "/report_edit_type" in options_of(summary)
    assert filed(desk) == 0  # nothing before the confirm
    done = say(desk, "/report_confirm", lang)
    ticket = done.messages[0]["report"]["ticket"]
    assert ticket in texts_of(done)
    report = desk.store.by_ticket(ticket)
    assert (report.type, report.district, report.province, report.photo_ref) == ("ไฟฟ้า", "พญาไท", "กรุงเทพมหานคร", ref)
    assert step_of(desk) is None


def test_a_shared_location_is_kept_with_its_district(desk: ReportDesk) -> None:
    say(desk, "/report_problem")
    say(desk, "ขยะล้นถังส่งกลิ่นเหม็นมาหลายวันแล้ว")
    say(desk, "", location=(13.7300, 100.5240))  # Bang Rak
    summary = say(desk, "ข้าม")
    assert "บางรัก" in texts_of(summary) and text("reports.photo_none", "th") in texts_of(summary)
    ticket = say(desk, "ยืนยัน").messages[0]["report"]["ticket"]
    report = desk.store.by_ticket(ticket)
    assert (report.latitude, report.longitude, report.district, report.photo_ref) == (13.73, 100.524, "บางรัก", None)


def test_free_text_that_starts_a_report_gives_the_description() -> None:
    assert description_from_trigger("ไฟถนนดับหน้าบ้าน อยากแจ้งเรื่อง") == "ไฟถนนดับหน้าบ้าน"
    assert description_from_trigger("I want to report a broken street light") == "a broken street light"
    assert description_from_trigger("อยากแจ้งปัญหาครับ") == ""
    assert description_from_trigger("I want to report a problem") == ""


def test_starting_with_the_description_skips_its_question(desk: ReportDesk) -> None:
    answer = run(desk.start(SENDER, "ไฟถนนดับหน้าบ้าน อยากแจ้งเรื่อง", "th", "line"))
    assert step_of(desk) == "location" and answer.messages[0]["ask"] == "location"


@pytest.mark.parametrize("step", ["description", "type", "location", "photo", "confirm"])
@pytest.mark.parametrize("word", ["ยกเลิก", "cancel", "/report_cancel"])
def test_cancel_at_any_step_drops_the_draft_and_files_nothing(desk: ReportDesk, step: str, word: str) -> None:
    ref = desk.photos.save(jpeg()).ref
    data = {"description": "น้ำท่วมถนน", "type": "น้ำท่วม", "choices": ["น้ำท่วม"], "latitude": 13.7, "longitude": 100.5}
    if step in ("confirm",):
        data["photo_ref"] = ref
    desk.drafts.save(Draft(SENDER, "web", "th", step, data))  # type: ignore[arg-type]
    answer = say(desk, word)
    assert texts_of(answer) == text("reports.cancelled", "th")
    assert step_of(desk) is None and filed(desk) == 0
    if step == "confirm":
        with pytest.raises(FileNotFoundError):
            desk.photos.read(ref)  # the draft's photo goes with it


def test_an_unsure_type_offers_the_top_choices_and_other(desk: ReportDesk) -> None:
    say(desk, "/report_problem")
    answer = say(desk, "มีปัญหาตรงนี้ช่วยดูหน่อย")  # says nothing about what kind
    assert step_of(desk) == "type"
    payloads = options_of(answer)
    assert payloads[-2:] == ["/report_type อื่นๆ", "/report_cancel"]
    assert 2 <= len(payloads) <= 5
    assert texts_of(say(desk, "ไม่รู้สิ")) == text("reports.type_unknown", "th")
    say(desk, "/report_type ถนน")
    draft = desk.drafts.get(SENDER)
    assert draft is not None and (draft.step, draft.data["type"], draft.data["type_score"]) == ("location", "ถนน", None)


def test_the_summary_can_change_the_type_and_comes_back(desk: ReportDesk) -> None:
    desk.drafts.save(
        Draft(SENDER, "web", "en", "confirm", {"description": "a fallen tree", "type": "ต้นไม้", "choices": ["ต้นไม้"],
                                                "latitude": 13.7, "longitude": 100.5, "photo_skipped": True})
    )  # fmt: skip
    assert step_of(desk) == "confirm"
    say(desk, "/report_edit_type", "en")
    assert step_of(desk) == "type"
    back = say(desk, "Road surface", "en")  # typed by its English label
    assert step_of(desk) == "confirm" and "Road surface" in texts_of(back)


def test_an_address_that_names_no_place_is_asked_again(desk: ReportDesk) -> None:
    say(desk, "/report_problem", "en")
    say(desk, "A big pothole in the middle of the road", "en")
    answer = say(desk, "in front of my house", "en")
    assert texts_of(answer) == text("reports.place_not_found", "en", typed="in front of my house")
    assert answer.messages[0]["ask"] == "location" and step_of(desk) == "location"


def test_a_photo_step_wants_a_photo_or_skip(desk: ReportDesk) -> None:
    desk.drafts.save(
        Draft(SENDER, "web", "th", "photo", {"description": "x", "type": "ถนน", "latitude": 13.7, "longitude": 100.5})
    )
    assert texts_of(say(desk, "รอแป๊บ")) == text("reports.photo_expected", "th")
    assert texts_of(say(desk, "", photo_ref="0" * 32 + ".jpg")) == text("reports.photo_unavailable", "th")  # not ours
    say(desk, "/report_skip")
    assert step_of(desk) == "confirm"


def test_a_photo_or_location_outside_a_report_is_told_and_not_kept(desk: ReportDesk) -> None:
    ref = desk.photos.save(jpeg()).ref
    answer = say(desk, "", photo_ref=ref)
    assert texts_of(answer) == text("reports.photo_outside", "th")
    with pytest.raises(FileNotFoundError):
        desk.photos.read(ref)


def test_an_idle_draft_is_gone_and_the_message_goes_to_the_bot(desk: ReportDesk) -> None:
    old = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31)
    desk.drafts.save(Draft(SENDER, "web", "th", "location", {"description": "x", "type": "ถนน"}), now=old)
    assert run(desk.intercept(SENDER, "ถนนสุขุมวิท", "th")) is None
    assert desk.drafts.get(SENDER) is None


def test_a_stale_version_is_refused(desk: ReportDesk) -> None:
    saved = desk.drafts.save(Draft(SENDER, "web", "th", "description", {}))
    desk.drafts.save(saved)  # another message moved it on
    with pytest.raises(Exception, match=SENDER):
        desk.drafts.save(saved)


def test_a_duplicate_is_told_with_the_first_ticket(desk: ReportDesk) -> None:
    tickets = []
    for sender in ("web:first", SENDER):
        run(desk.start(sender, "/report_problem", "th", "web"))
        run(desk.intercept(sender, "ไฟถนนดับทั้งซอยมืดมาก", "th"))
        run(desk.intercept(sender, "", "th", location=(13.7550, 100.4930)))
        run(desk.intercept(sender, "ข้าม", "th"))
        answer = run(desk.intercept(sender, "/report_confirm", "th"))
        tickets.append((answer.messages[0]["report"]["ticket"], texts_of(answer)))
    (first, _), (_, told) = tickets
    assert told == text("reports.already_known", "th", ticket=first)


def test_status_lists_own_reports_newest_first_and_offers_a_rating(desk: ReportDesk) -> None:
    assert "/report_problem" in options_of(say(desk, "/report_status"))
    for said in ("ต้นไม้ล้มขวางถนน", "น้ำประปาไม่ไหลสองวันแล้ว"):
        run(desk.start(SENDER, "/report_problem", "th", "web"))
        say(desk, said)
        if step_of(desk) == "type":
            say(desk, "/report_type อื่นๆ")
        say(desk, "จังหวัดนนทบุรี")
        say(desk, "ข้าม")
        say(desk, "/report_confirm")
    own = desk.store.for_sender(SENDER)
    desk.store.change_status(own[1].id, "done", "officer", note="ตัดต้นไม้ออกแล้ว")
    answer = say(desk, "/report_status", "en")
    listing = texts_of(answer)
    assert listing.index(own[0].ticket) < listing.index(own[1].ticket)
    assert "done" in listing and "ตัดต้นไม้ออกแล้ว" in listing
    assert f"/report_rate {own[1].ticket} 5" in options_of(answer)
    assert texts_of(say(desk, f"/report_rate {own[1].ticket} 4", "en")) == text("reports.rated", "en", rating=4)
    assert desk.store.get(own[1].id).rating == 4
    refused = run(desk.intercept("web:someone-else", f"/report_rate {own[0].ticket} 5", "en"))
    assert texts_of(refused) == text("reports.rate_refused", "en")
