"""A citizen's data by conversation id: activity recorded on every turn, export, erasure, retention.

Real SQLite files; Rasa is a loopback server that keeps trackers as Rasa's HTTP API shows them
(tests/gateway/rasa_tracker_stub.py), and in one test the real Rasa of the live stack.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import os
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from actions.api.conversation_store import ConversationStore
from actions.api.id_vault import IdVault
from conversation.rasa_client import RasaClient
from conversation.reports.photos import PhotoStore
from conversation.reports.store import NewReport, ReportsStore
from gateway import cli
from gateway.privacy import ActivityRecordingRasaClient, ConversationPrivacy, ErasureIncompleteError, Retention
from gateway.settings import get_settings
from tests.gateway.rasa_tracker_stub import TrackerRasa, tracker_rasa
from tests.support import TEST_SECRETS, free_port

T = TypeVar("T")
TOKEN = "rasa-api-token-for-these-tests"
CITIZEN = "web:citizen-1"
OTHER = "line:U0123456789abcdef0123456789abcdef"
RETENTION = Retention(handoff_days=90, feedback_days=180, conversation_days=30)


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


@pytest.fixture
def rasa() -> Iterator[TrackerRasa]:
    with tracker_rasa(TOKEN) as server:
        yield server


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ConversationStore]:
    conversations = ConversationStore(f"sqlite:///{tmp_path / 'conversations.db'}")
    yield conversations
    conversations.close()


@pytest.fixture
def privacy(store: ConversationStore) -> ConversationPrivacy:
    return ConversationPrivacy(store, RETENTION)


async def _with_client(url: str, token: str | None, work: Any, store: ConversationStore | None = None) -> Any:
    client = ActivityRecordingRasaClient(store, url, 5.0, auth_token=token) if store else RasaClient(url, 5.0, token)
    try:
        return await work(client)
    finally:
        await client.aclose()


def talk(rasa: TrackerRasa, store: ConversationStore, conversation_id: str, *texts: str, channel: str = "web") -> None:
    """Turns as the channels send them: through the gateway's Rasa client, which records them."""

    async def work(client: RasaClient) -> None:
        for text in texts:
            await client.send(conversation_id, text, {"channel": channel})

    run(_with_client(rasa.url, TOKEN, work, store))


def export(privacy: ConversationPrivacy, url: str, conversation_id: str, token: str = TOKEN) -> Any:
    return run(_with_client(url, token, lambda client: privacy.export(conversation_id, client)))


def erase(privacy: ConversationPrivacy, url: str, conversation_id: str, token: str = TOKEN) -> Any:
    return run(_with_client(url, token, lambda client: privacy.erase(conversation_id, client)))


def purge(privacy: ConversationPrivacy, url: str, now: dt.datetime, token: str = TOKEN) -> Any:
    return run(_with_client(url, token, lambda client: privacy.purge(client, now=now)))


def leave_records(store: ConversationStore, conversation_id: str) -> None:
    """What the actions write during a conversation: a hand-off request and a rated answer with a comment."""
    transcript = [{"role": "user", "text": "ขอคุยกับเจ้าหน้าที่"}, {"role": "bot", "text": "รับเรื่องแล้วครับ"}]
    store.request_handoff(conversation_id, "web", "th", "asked", transcript)
    store.record_feedback(conversation_id, "unhelpful", "ต่อบัตรที่ไหน", "ที่สำนักงานเขต", "id-card-renewal")
    store.add_comment_to_latest(conversation_id, "ไม่ได้บอกเวลาเปิด")


def test_every_turn_records_the_conversation_with_its_channel(rasa, store):
    talk(rasa, store, CITIZEN, "สวัสดี")
    first = store.activity(CITIZEN)
    assert first is not None and first.channel == "web"
    talk(rasa, store, CITIZEN, "ต่ออายุบัตรประชาชน")
    talk(rasa, store, OTHER, "hello", channel="line")
    again = store.activity(CITIZEN)
    assert again is not None and again.first_seen == first.first_seen and again.last_seen > first.last_seen
    assert store.activity(OTHER).channel == "line"  # type: ignore[union-attr]
    assert rasa.said(CITIZEN) == ["สวัสดี", "you said: สวัสดี", "ต่ออายุบัตรประชาชน", "you said: ต่ออายุบัตรประชาชน"]


def test_a_turn_still_runs_when_the_activity_cannot_be_recorded(rasa, tmp_path):
    broken = ConversationStore(f"sqlite:///{tmp_path / 'gone.db'}")
    broken.close()
    (tmp_path / "gone.db").unlink()
    (tmp_path / "gone.db").mkdir()  # a directory where the database was: every write fails
    talk(rasa, broken, CITIZEN, "hello")
    assert rasa.said(CITIZEN) == ["hello", "you said: hello"]


def test_export_gives_everything_kept_about_the_conversation_and_nothing_of_others(rasa, store, privacy):
    talk(rasa, store, CITIZEN, "ขอคุยกับเจ้าหน้าที่")
    leave_records(store, CITIZEN)
    talk(rasa, store, OTHER, "someone else")
    leave_records(store, OTHER)

    exported = export(privacy, rasa.url, CITIZEN)
    assert exported["conversation_id"] == CITIZEN
    assert exported["activity"]["channel"] == "web" and exported["activity"]["first_seen"].endswith("+00:00")
    [handoff] = exported["handoff_requests"]
    assert handoff["reason"] == "asked" and handoff["transcript"][0]["text"] == "ขอคุยกับเจ้าหน้าที่"
    [feedback] = exported["feedback"]
    assert (feedback["question"], feedback["comment"]) == ("ต่อบัตรที่ไหน", "ไม่ได้บอกเวลาเปิด")
    tracker = exported["rasa_tracker"]
    assert tracker["available"] is True
    assert [e["text"] for e in tracker["events"] if e["event"] == "user"] == ["ขอคุยกับเจ้าหน้าที่"]
    assert "someone else" not in json.dumps(exported, ensure_ascii=False)
    json.dumps(exported)  # what the route returns must be plain JSON


def test_an_unknown_conversation_has_nothing_to_export_or_erase(rasa, privacy):
    assert export(privacy, rasa.url, "web:never-seen") is None
    assert erase(privacy, rasa.url, "web:never-seen") is None


def test_a_conversation_from_before_activity_was_recorded_is_found_in_rasa(rasa, privacy):
    run(_with_client(rasa.url, TOKEN, lambda client: client.send(OTHER, "old message", {"channel": "line"})))
    exported = export(privacy, rasa.url, OTHER)
    assert exported is not None and exported["activity"] is None
    erased = erase(privacy, rasa.url, OTHER)
    assert erased["rasa_tracker_events"] == 2 and rasa.said(OTHER) == []


def test_export_without_rasa_says_the_tracker_is_missing(rasa, store, privacy):
    talk(rasa, store, CITIZEN, "hello")
    leave_records(store, CITIZEN)
    exported = export(privacy, f"http://127.0.0.1:{free_port()}", CITIZEN)
    assert exported["rasa_tracker"] == {"available": False, "events": []}
    assert len(exported["handoff_requests"]) == 1


def test_erase_removes_our_rows_and_rasas_tracker_and_a_second_erase_finds_nothing(rasa, store, privacy):
    talk(rasa, store, CITIZEN, "เบอร์ผม 08x-xxx-xx78", "ขอคุยกับเจ้าหน้าที่")
    leave_records(store, CITIZEN)
    talk(rasa, store, OTHER, "someone else")
    leave_records(store, OTHER)

    erased = erase(privacy, rasa.url, CITIZEN)
    assert erased == {"handoff_requests": 1, "feedback": 1, "rasa_tracker_events": 4, "activity": 1}
    assert rasa.said(CITIZEN) == []
    assert store.activity(CITIZEN) is None and not store.handoffs_of(CITIZEN) and not store.feedback_of(CITIZEN)
    assert export(privacy, rasa.url, CITIZEN) is None
    assert erase(privacy, rasa.url, CITIZEN) is None
    # The other citizen's conversation is whole.
    assert len(store.handoffs_of(OTHER)) == 1 and len(store.feedback_of(OTHER)) == 1
    assert rasa.said(OTHER) == ["someone else", "you said: someone else"]


def test_erase_drops_a_national_id_held_for_a_status_check_in_progress(rasa, store):
    vault = IdVault()
    surrogate = vault.stand_in(CITIZEN, "1101700203451")
    vault.stand_in(OTHER, "3100600123457")
    talk(rasa, store, CITIZEN, surrogate)

    erased = erase(ConversationPrivacy(store, RETENTION, vault), rasa.url, CITIZEN)
    assert erased["held_national_ids"] == 1
    assert vault.forget(CITIZEN) == 0 and vault.forget(OTHER) == 1


def test_erase_with_rasa_unreachable_is_incomplete_and_the_retention_job_finishes_it(rasa, store, privacy):
    talk(rasa, store, CITIZEN, "hello")
    leave_records(store, CITIZEN)
    rasa.down = True
    with pytest.raises(ErasureIncompleteError) as raised:
        erase(privacy, rasa.url, CITIZEN)
    assert raised.value.erased == {"handoff_requests": 1, "feedback": 1}
    assert not store.handoffs_of(CITIZEN) and not store.feedback_of(CITIZEN)
    pending = store.activity(CITIZEN)
    assert pending is not None and pending.erase_requested_at is not None  # the mark the job retries by
    rasa.down = False
    assert rasa.said(CITIZEN) == ["hello", "you said: hello"]

    report = purge(privacy, rasa.url, dt.datetime.now(dt.UTC))  # the next run, long before the 30 days
    assert report.conversations == 1 and report.trackers_failed == []
    assert rasa.said(CITIZEN) == [] and store.activity(CITIZEN) is None


def test_a_wrong_rasa_token_erases_nothing_in_rasa_and_says_so(rasa, store, privacy):
    talk(rasa, store, CITIZEN, "hello")
    with pytest.raises(ErasureIncompleteError, match="HTTP 401"):
        erase(privacy, rasa.url, CITIZEN, token="not-the-token")
    assert rasa.said(CITIZEN) == ["hello", "you said: hello"]
    assert export(privacy, rasa.url, CITIZEN, token="not-the-token")["rasa_tracker"]["available"] is False


def test_a_tracker_store_that_keeps_events_is_not_reported_as_erased(rasa, store, privacy):
    talk(rasa, store, CITIZEN, "hello")
    rasa.append_only = True  # Rasa's SQL tracker store: PUT .../tracker/events removes nothing
    with pytest.raises(ErasureIncompleteError, match="kept 2 events"):
        erase(privacy, rasa.url, CITIZEN)
    assert store.activity(CITIZEN) is not None


def test_retention_removes_each_kind_after_its_own_days(rasa, store, privacy):
    start = dt.datetime.now(dt.UTC)
    talk(rasa, store, CITIZEN, "hello")
    leave_records(store, CITIZEN)
    days = dt.timedelta(days=1)

    report = purge(privacy, rasa.url, start + 29 * days)
    assert report.to_dict() == {"handoff_requests": 0, "feedback": 0, "conversations": 0, "trackers_failed": 0}
    assert rasa.said(CITIZEN) != []

    report = purge(privacy, rasa.url, start + 31 * days)  # idle 30 days: tracker and activity go
    assert (report.conversations, report.handoff_requests, report.feedback) == (1, 0, 0)
    assert rasa.said(CITIZEN) == [] and store.activity(CITIZEN) is None
    assert len(store.handoffs_of(CITIZEN)) == 1 and len(store.feedback_of(CITIZEN)) == 1

    report = purge(privacy, rasa.url, start + 91 * days)
    assert (report.handoff_requests, report.feedback) == (1, 0)
    report = purge(privacy, rasa.url, start + 181 * days)
    assert (report.handoff_requests, report.feedback) == (0, 1)
    assert not store.handoffs_of(CITIZEN) and not store.feedback_of(CITIZEN)


def test_retention_keeps_a_conversation_whose_tracker_rasa_cannot_erase_and_retries(rasa, store, privacy):
    talk(rasa, store, CITIZEN, "hello")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=31)
    rasa.down = True
    report = purge(privacy, rasa.url, later)
    assert report.conversations == 0 and report.trackers_failed == [CITIZEN]
    assert store.activity(CITIZEN) is not None
    rasa.down = False
    assert purge(privacy, rasa.url, later).conversations == 1


def test_a_conversation_in_use_again_is_not_idle(rasa, store, privacy):
    start = dt.datetime.now(dt.UTC)
    talk(rasa, store, CITIZEN, "hello")
    store.touch(CITIZEN, "web", now=start + dt.timedelta(days=20))
    assert purge(privacy, rasa.url, start + dt.timedelta(days=31)).conversations == 0
    assert rasa.said(CITIZEN) != []


@pytest.fixture
def cli_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, rasa: TrackerRasa) -> Iterator[str]:
    for name in list(os.environ):
        if name.upper().startswith("CITIZENBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no .env from the checkout
    url = f"sqlite:///{tmp_path / 'conversations.db'}"
    monkeypatch.setenv("CITIZENBOT_STORE__CONVERSATIONS_URL", url)
    monkeypatch.setenv("CITIZENBOT_RASA__URL", rasa.url)
    monkeypatch.setenv("CITIZENBOT_RASA__AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("CITIZENBOT_SECRETS_DIR", str(tmp_path / "secrets"))
    monkeypatch.setenv("CITIZENBOT_PRIVACY__CONVERSATION_DAYS", "1")
    monkeypatch.setenv("CITIZENBOT_STORE__REPORTS_URL", f"sqlite:///{tmp_path / 'reports.db'}")
    monkeypatch.setenv("CITIZENBOT_STORE__CITIZENS_URL", f"sqlite:///{tmp_path / 'citizens.db'}")
    monkeypatch.setenv("CITIZENBOT_STORE__REPORT_PHOTOS_DIR", str(tmp_path / "report_photos"))
    monkeypatch.setenv("CITIZENBOT_PRIVACY__REPORTS_DAYS", "7")
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_the_cli_purge_applies_the_retention_once_and_prints_what_went(cli_environment, rasa, capsys):
    store = ConversationStore(cli_environment)
    talk(rasa, store, CITIZEN, "hello")
    talk(rasa, store, OTHER, "still talking")
    store.touch(CITIZEN, "web", now=dt.datetime.now(dt.UTC) - dt.timedelta(days=2))
    store.close()

    settings = get_settings()
    photos = PhotoStore(settings.store.report_photos_dir)
    reports = ReportsStore(settings.store.reports_url)
    old_photo, new_photo = (photos.save(_png()).ref for _ in range(2))
    for when, photo, where in ((dt.timedelta(days=8), old_photo, 13.75), (dt.timedelta(days=1), new_photo, 13.80)):
        reports.file(
            NewReport(OTHER, "web", "th", "ไฟถนนดับทั้งซอย", "ไฟฟ้า", latitude=where, longitude=100.5, photo_ref=photo),
            now=dt.datetime.now(dt.UTC) - when,
        )

    assert cli.main(["privacy", "purge"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["removed"]["conversations"] == 1
    assert printed["removed"]["reports"] == 1 and printed["removed"]["report_photos"] == 1
    assert printed["retention_days"] == {
        "handoff_days": 90,
        "feedback_days": 180,
        "conversation_days": 1,
        "analytics_days": 365,
        "reports_days": 7,
    }
    assert rasa.said(CITIZEN) == [] and rasa.said(OTHER) != []
    assert [report.photo_ref for report in reports.for_sender(OTHER)] == [new_photo]
    with pytest.raises(FileNotFoundError):
        photos.read(old_photo)
    reports.close()


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def test_the_cli_purge_fails_when_rasa_cannot_be_reached(cli_environment, monkeypatch, capsys):
    store = ConversationStore(cli_environment)
    store.touch(CITIZEN, "web", now=dt.datetime.now(dt.UTC) - dt.timedelta(days=2))
    store.close()
    monkeypatch.setenv("CITIZENBOT_RASA__URL", f"http://127.0.0.1:{free_port()}")
    get_settings.cache_clear()
    assert cli.main(["privacy", "purge"]) == 1
    assert json.loads(capsys.readouterr().out)["removed"]["trackers_failed"] == 1


# --- LINE: an unfollow erases the conversation (CITIZENBOT_PRIVACY__ERASE_ON_UNFOLLOW) -------------

LINE_USER = "U746578742d7468000000000000000000"  # the citizen of the text_th fixture


@contextmanager
def _line_gateway(tmp_path: Path, erase_on_unfollow: bool) -> Iterator[tuple[Any, TrackerRasa]]:
    from fastapi.testclient import TestClient

    from gateway.app import create_app
    from tests.channels.line.conftest import TOKEN as LINE_TOKEN
    from tests.channels.line.conftest import LineGateway, line_settings
    from tests.channels.line.stub import LineStub

    stub = LineStub(LINE_TOKEN).start()
    try:
        with tracker_rasa(TEST_SECRETS["rasa"]) as rasa:
            settings = line_settings(tmp_path, stub, rasa_url=rasa.url)
            settings.privacy.erase_on_unfollow = erase_on_unfollow
            with TestClient(create_app(settings)) as client:
                yield LineGateway(client, stub), rasa
    finally:
        stub.stop()


def _unfollow(user_id: str) -> dict[str, Any]:
    return {
        "type": "unfollow",
        "mode": "active",
        "timestamp": 1732350000009,
        "source": {"type": "user", "userId": user_id},
        "webhookEventId": "01JDLINEUNFOLLOW0000000009",
        "deliveryContext": {"isRedelivery": False},
    }


@pytest.mark.parametrize("erase_on_unfollow", [True, False])
def test_a_line_unfollow_erases_the_conversation_unless_switched_off(tmp_path, erase_on_unfollow):
    with _line_gateway(tmp_path, erase_on_unfollow) as (line, rasa):
        line.deliver_fixture("text_th")
        [conversation_id] = rasa.trackers  # the LINE conversation as Rasa knows it
        assert conversation_id.endswith(LINE_USER) and rasa.said(conversation_id)
        store = line.client.app.state.runtime.conversations
        store.request_handoff(conversation_id, "line", "th", "asked", [{"role": "user", "text": "ขอคุยกับคน"}])
        assert store.activity(conversation_id).channel == "line"

        line.deliver_events(_unfollow(LINE_USER))
        if erase_on_unfollow:
            assert rasa.said(conversation_id) == []
            assert store.activity(conversation_id) is None and store.handoffs_of(conversation_id) == []
        else:
            assert rasa.said(conversation_id) != [] and len(store.handoffs_of(conversation_id)) == 1


@pytest.mark.rasa
@pytest.mark.slow
def test_the_real_rasa_tracker_is_exported_and_erased(live_stack):
    """The one test against a real `rasa run`: Rasa's own HTTP API, its in-memory tracker store, and
    the conversation id's colon in the URL."""
    base, auth = live_stack.base_url, {"Authorization": f"Bearer {TEST_SECRETS['editor']}"}
    reply = httpx.post(f"{base}/api/chat", json={"text": "ต่ออายุบัตรประชาชนต้องใช้เอกสารอะไร"}, timeout=90)
    assert reply.status_code == 200, reply.text
    conversation_id = f"web:{reply.json()['sender']}"

    exported = httpx.get(f"{base}/api/admin/conversations/{conversation_id}/export", headers=auth, timeout=30)
    assert exported.status_code == 200, exported.text
    body = exported.json()
    assert body["activity"]["channel"] == "web" and body["rasa_tracker"]["available"] is True
    said = [e.get("text") for e in body["rasa_tracker"]["events"] if e.get("event") == "user"]
    assert said == ["ต่ออายุบัตรประชาชนต้องใช้เอกสารอะไร"]
    assert any(e.get("event") == "bot" for e in body["rasa_tracker"]["events"])

    erased = httpx.delete(f"{base}/api/admin/conversations/{conversation_id}", headers=auth, timeout=30)
    assert erased.status_code == 200, erased.text
    assert erased.json()["erased"]["rasa_tracker_events"] >= 2
    again = httpx.delete(f"{base}/api/admin/conversations/{conversation_id}", headers=auth, timeout=30)
    assert again.status_code == 404 and again.json()["error"]["code"] == "not_found"
