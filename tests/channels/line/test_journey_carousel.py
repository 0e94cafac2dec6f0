"""A journey on LINE: a Flex carousel (checked against LINE's limits and the SDK's models), and a
tick sent as the carousel's own postback through the signed webhook into the real gateway, with
LINE's cloud as the loopback stub: asked for consent first, then the step marked and "next" moved."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from linebot.v3.messaging import FlexMessage

from actions.journey_answer import journey_payload
from channels.line.journey_render import journey_bubbles
from channels.line.render import graphemes, parse_postback, render_messages
from conversation.citizens.consents import ConsentBook
from conversation.citizens.journey_view import journey_message, journey_view
from conversation.citizens.progress import JourneyProgress
from gateway.app import create_app
from knowledge.journeys import load_seed_journeys
from tests.channels.line.conftest import LineGateway, line_settings
from tests.channels.line.limits import check_message
from tests.channels.line.stub import LineStub
from tests.support import copy_prebuilt_catalogue, wait_until

TODAY = dt.date(2026, 12, 3)
USER = "U6a6f75726e6579000000000000000000"
JOURNEYS = {journey.id: journey for journey in load_seed_journeys()}


@pytest.fixture(scope="module")
def services(seed_services):
    return {service.id: service for service in seed_services}.get


def _progress(done: set[str], event_date: dt.date | None) -> JourneyProgress:
    at = dt.datetime(2026, 12, 2, tzinfo=dt.UTC)
    return JourneyProgress("having-a-baby", event_date, frozenset(done), at, at)


def _postbacks(bubble: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, the text the bot gets) of each postback button of a bubble."""
    buttons = (bubble.get("footer") or {}).get("contents") or []
    return [
        (b["action"]["label"], parse_postback(b["action"]["data"]).text or "")
        for b in buttons
        if b["action"]["type"] == "postback"
    ]


def _said(bubble: dict[str, Any]) -> str:
    return json.dumps(bubble["body"], ensure_ascii=False)


def test_a_journey_with_progress_is_a_valid_carousel(services) -> None:
    base = journey_payload(JOURNEYS["having-a-baby"], services, "th")
    assert base is not None
    view = journey_message(base, _progress({"birth-registration"}, dt.date(2026, 12, 1)), TODAY)
    (message,) = render_messages([view], "th")
    assert isinstance(message, FlexMessage)
    data = message.to_dict()
    check_message(data)  # LINE's limits and the SDK's round trip
    assert data["altText"] == f"{JOURNEYS['having-a-baby'].title.th}: ทำแล้ว 1 จาก 5 ขั้นตอน"
    overview, first, second, *rest = data["contents"]["contents"]
    assert len(rest) == 3
    assert "ทำแล้ว 1 จาก 5 ขั้นตอน" in _said(overview) and "นับจากวันที่ 1 ธ.ค. 2569" in _said(overview)
    assert services("universal-coverage-registration").title.th in _said(overview)  # the next step
    assert ("เรื่องที่ติดตามอยู่", "/my_journeys th") in _postbacks(overview)
    # The done step offers "not done"; the next one "done", and says it is next.
    assert "ขั้นที่ 1" in _said(first) and "✓ ทำแล้ว" in _said(first)
    assert "ภายใน 15 วัน · ภายใน 16 ธ.ค. 2569" in _said(first)
    assert _postbacks(first) == [
        ("ยังไม่ได้ทำ", "/journey_step having-a-baby birth-registration undo th"),
        ("ดูรายละเอียด", '/ask_service{"service":"birth-registration"}'),
    ]
    assert "ขั้นต่อไป" in _said(second)
    assert _postbacks(second)[0] == ("ทำแล้ว", "/journey_step having-a-baby universal-coverage-registration done th")
    maternity = rest[-1]
    assert "ภายใน 12 เดือน*" in _said(maternity)  # a deadline nobody checked is marked


def test_without_a_date_the_overview_asks_for_it(services) -> None:
    base = journey_payload(JOURNEYS["having-a-baby"], services, "en")
    assert base is not None
    overview = journey_bubbles(journey_view(base, None, TODAY))[0]
    assert ("Set the date", "/journey_start having-a-baby en") in _postbacks(overview)
    assert "see each step's due date" in _said(overview)


def test_a_long_journey_goes_on_in_a_second_carousel(services) -> None:
    base = journey_payload(JOURNEYS["starting-a-business"], services, "th")
    assert base is not None
    long_titles = "ชื่อบริการที่ยาวมากจนต้องตัดให้สั้นลงตามข้อจำกัดของไลน์ " * 3
    base["steps"] = [
        {**base["steps"][0], "service": f"step-{n}", "title": long_titles, "why": "เหตุผล " * 80} for n in range(20)
    ]
    messages = render_messages([journey_message(base, None, TODAY)], "th")
    assert [len(m.to_dict()["contents"]["contents"]) for m in messages] == [12, 9]  # 1 + 20 bubbles
    for message in messages:
        check_message(message.to_dict())
        for bubble in message.to_dict()["contents"]["contents"]:
            for label, _ in _postbacks(bubble):
                assert len(graphemes(label)) <= 20


# --- through the webhook ---------------------------------------------------------------


@pytest.fixture
def line(tmp_path, line_stub: LineStub) -> Iterator[LineGateway]:
    line_stub.reset()
    settings = line_settings(tmp_path, line_stub)
    copy_prebuilt_catalogue(settings)  # the seed catalogue and its journeys
    settings.store.citizens_url = f"sqlite:///{tmp_path / 'citizens.db'}"  # this test's own citizens
    app = create_app(settings)
    with TestClient(app) as client:
        runtime = app.state.runtime
        assert wait_until(lambda: runtime.catalogue_state == "ready", 120)
        yield LineGateway(client, line_stub)


_seq = iter(range(1, 10_000))


def _tap(line: LineGateway, text: str, lang: str = "th") -> dict[str, Any]:
    """The citizen taps a button whose postback sends ``text``; the one reply LINE got."""
    n = next(_seq)
    event = {
        "type": "postback",
        "mode": "active",
        "timestamp": 1732350000000 + n,
        "source": {"type": "user", "userId": USER},
        "webhookEventId": f"01JDJOURNEY{n:015d}",
        "deliveryContext": {"isRedelivery": False},
        "replyToken": f"rt-journey-{n}",
        "postback": {"data": json.dumps({"lang": lang, "text": text}, ensure_ascii=False)},
    }
    before = len(line.sent())
    assert line.deliver_events(event).status_code == 200
    sent = line.sent()[before:]
    assert len(sent) == 1, sent
    for message in sent[0]["messages"]:
        check_message(message)
    return sent[0]


def _carousel(reply: dict[str, Any]) -> list[dict[str, Any]]:
    flex = [m for m in reply["messages"] if m["type"] == "flex"]
    assert len(flex) == 1, reply["messages"]
    return flex[0]["contents"]["contents"]


def test_ticking_a_step_on_line(line: LineGateway, services) -> None:
    shown = _carousel(_tap(line, "/journey having-a-baby th"))
    tick = _postbacks(shown[1])[0]
    assert tick == ("ทำแล้ว", "/journey_step having-a-baby birth-registration done th")

    refused = _tap(line, tick[1])  # no consent yet: asked for it, nothing kept
    items = refused["messages"][-1]["quickReply"]["items"]
    assert [parse_postback(i["action"]["data"]).text for i in items] == ["/citizen_consent profile"]
    assert _postbacks(_carousel(_tap(line, "/journey having-a-baby th"))[1])[0][0] == "ทำแล้ว"

    runtime = line.client.app.state.runtime
    ConsentBook(runtime.citizens_engine, "test").grant(
        f"line:{USER}", "profile", "th", "line", now=dt.datetime.now(dt.UTC)
    )
    ticked = _tap(line, tick[1])
    assert ticked["messages"][0]["text"].startswith("บันทึกแล้ว")
    overview, first, second, *_ = _carousel(ticked)
    assert "ทำแล้ว 1 จาก 5 ขั้นตอน" in _said(overview)
    assert _postbacks(first)[0] == ("ยังไม่ได้ทำ", "/journey_step having-a-baby birth-registration undo th")
    assert "ขั้นต่อไป" in _said(second) and "ขั้นต่อไป" not in _said(first)
