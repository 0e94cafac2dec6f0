"""A citizen's problem reports under the privacy rules (gateway/privacy.py): exported with the rest of
the conversation, erased with it (photos included), and purged after ``reports_days`` with their photos.

Real SQLite files and a real photo folder; Rasa is the loopback tracker server of tests/gateway."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from actions.api.conversation_store import ConversationStore
from conversation.reports.drafts import Draft, DraftStore
from conversation.reports.photos import PhotoStore
from conversation.reports.store import NewReport, ReportsStore
from gateway.privacy import ConversationPrivacy, Retention
from tests.gateway.rasa_tracker_stub import TrackerRasa
from tests.gateway.test_privacy import TOKEN, erase, export, purge, rasa, talk  # noqa: F401 (the rasa fixture)

CITIZEN = "web:citizen-with-reports"
OTHER = "line:Uother"
RETENTION = Retention(handoff_days=90, feedback_days=180, conversation_days=30, analytics_days=365, reports_days=365)


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def parts(tmp_path: Path) -> Iterator[tuple[ConversationStore, ReportsStore, PhotoStore, ConversationPrivacy]]:
    conversations = ConversationStore(f"sqlite:///{tmp_path / 'conversations.db'}")
    reports = ReportsStore(f"sqlite:///{tmp_path / 'reports.db'}")
    photos = PhotoStore(tmp_path / "photos")
    yield (
        conversations,
        reports,
        photos,
        ConversationPrivacy(conversations, RETENTION, reports=reports, report_photos=photos),
    )
    reports.close()
    conversations.close()


def _file(
    reports: ReportsStore, photos: PhotoStore, sender: str, lat: float, now: dt.datetime | None = None
) -> tuple[int, str]:
    ref = photos.save(_jpeg()).ref
    new = NewReport(
        sender,
        sender.split(":")[0],
        "th",
        "ฝาท่อหาย โทร 089-999-1234",
        "ถนน",
        latitude=lat,
        longitude=100.5,
        photo_ref=ref,
    )
    return reports.file(new, now=now).report.id, ref


def test_export_includes_the_citizens_reports_and_nobody_elses(rasa: TrackerRasa, parts) -> None:  # noqa: F811
    conversations, reports, photos, privacy = parts
    talk(rasa, conversations, CITIZEN, "แจ้งเรื่อง")
    mine, _ref = _file(reports, photos, CITIZEN, 13.70)
    _file(reports, photos, OTHER, 13.90)
    reports.change_status(mine, "in_progress", "somchai")

    exported = export(privacy, rasa.url, CITIZEN)
    [report] = exported["reports"]
    assert report["id"] == mine and [change["status"] for change in report["history"]] == ["received", "in_progress"]
    assert "089-999-1234" not in str(exported)  # masked as stored


def test_a_citizen_with_only_a_report_is_still_found(rasa: TrackerRasa, parts) -> None:  # noqa: F811
    _conversations, reports, photos, privacy = parts
    _file(reports, photos, "line:Uonlyreport", 13.71)
    assert export(privacy, rasa.url, "line:Uonlyreport")["reports"]
    erased = erase(privacy, rasa.url, "line:Uonlyreport")
    assert erased["reports"] == 1 and erased["report_photos"] == 1


def test_erase_removes_the_reports_and_their_photos_and_leaves_others(rasa: TrackerRasa, parts) -> None:  # noqa: F811
    conversations, reports, photos, privacy = parts
    talk(rasa, conversations, CITIZEN, "แจ้งเรื่อง")
    _mine, ref = _file(reports, photos, CITIZEN, 13.70)
    _other_id, other_ref = _file(reports, photos, OTHER, 13.90)

    erased = erase(privacy, rasa.url, CITIZEN)
    assert erased["reports"] == 1 and erased["report_photos"] == 1
    assert reports.for_sender(CITIZEN) == [] and reports.pending_notices(None, CITIZEN) == []
    with pytest.raises(FileNotFoundError):
        photos.read(ref)
    assert photos.read(other_ref)[0] and len(reports.for_sender(OTHER)) == 1


def test_retention_purges_old_reports_with_their_photos(rasa: TrackerRasa, parts) -> None:  # noqa: F811
    _conversations, reports, photos, privacy = parts
    start = dt.datetime.now(dt.UTC)
    _old, old_ref = _file(reports, photos, CITIZEN, 13.70, now=start - dt.timedelta(days=400))
    _new, new_ref = _file(reports, photos, OTHER, 13.90, now=start - dt.timedelta(days=10))

    report = purge(privacy, rasa.url, start)
    assert (report.reports, report.report_photos) == (1, 1)
    assert report.to_dict()["reports"] == 1
    assert reports.for_sender(CITIZEN) == [] and len(reports.for_sender(OTHER)) == 1
    with pytest.raises(FileNotFoundError):
        photos.read(old_ref)
    assert photos.read(new_ref)[0]


def _draft(reports: ReportsStore, photos: PhotoStore, sender: str, now: dt.datetime | None = None) -> str:
    """A report still being told: description and photo given, no location yet."""
    ref = photos.save(_jpeg()).ref
    data = {"description": "ต้นไม้ล้มขวางถนน", "type": "ต้นไม้", "photo_ref": ref}
    DraftStore(reports.engine).save(Draft(sender, "web", "th", "location", data), now=now)
    return ref


def test_a_report_being_told_is_exported_and_erased_with_its_photo(rasa: TrackerRasa, parts) -> None:  # noqa: F811
    _conversations, reports, photos, privacy = parts
    ref = _draft(reports, photos, CITIZEN)
    other_ref = _draft(reports, photos, OTHER)

    exported = export(privacy, rasa.url, CITIZEN)  # the draft alone makes the citizen known
    assert exported["report_draft"]["data"]["description"] == "ต้นไม้ล้มขวางถนน"
    erased = erase(privacy, rasa.url, CITIZEN)
    assert erased["report_drafts"] == 1 and erased["report_photos"] == 1
    assert DraftStore(reports.engine).get(CITIZEN) is None
    with pytest.raises(FileNotFoundError):
        photos.read(ref)
    assert photos.read(other_ref)[0] and DraftStore(reports.engine).get(OTHER) is not None


def test_retention_drops_idle_drafts_and_their_photos(rasa: TrackerRasa, parts) -> None:  # noqa: F811
    _conversations, reports, photos, privacy = parts
    start = dt.datetime.now(dt.UTC)
    idle_ref = _draft(reports, photos, CITIZEN, now=start - dt.timedelta(hours=2))
    live_ref = _draft(reports, photos, OTHER, now=start - dt.timedelta(minutes=5))

    report = purge(privacy, rasa.url, start)
    assert report.report_photos == 1
    with pytest.raises(FileNotFoundError):
        photos.read(idle_ref)
    assert photos.read(live_ref)[0] and DraftStore(reports.engine).get(OTHER, now=start) is not None
