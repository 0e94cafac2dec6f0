"""LINE's "บริการของฉัน / My services": the rich menu's band and the typed phrase give one Flex bubble with
what the citizen keeps and the reports they filed, and a button opening the web dashboard by its signed link.

Signed webhook bodies into the real gateway; LINE's cloud is the loopback stub; every request the stub got is
checked against LINE's limits and round-tripped through the SDK's models."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from channels.line.render import postback_data
from conversation.reports.store import NewReport
from gateway.app import create_app
from tests.channels.line.conftest import LineGateway, line_settings
from tests.channels.line.limits import check_request
from tests.channels.line.stub import LineStub
from tests.support import copy_prebuilt_catalogue
from texts import text

USER = "U6d7973657276696365730000000000aa"
SENDER = f"line:{USER}"
_seq = iter(range(1, 10_000))


@pytest.fixture
def line(tmp_path, line_stub: LineStub) -> Iterator[LineGateway]:
    line_stub.reset()
    settings = line_settings(tmp_path, line_stub)
    settings.store.seed_on_empty = True
    copy_prebuilt_catalogue(settings)  # the seed catalogue and its journeys, without building the index
    settings.store.citizens_url = f"sqlite:///{tmp_path / 'citizens.db'}"
    settings.citizens.public_url = "https://bot.example.go.th"
    with TestClient(create_app(settings)) as client:
        yield LineGateway(client, line_stub)


def _event(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    n = next(_seq)
    return {
        "type": kind,
        "mode": "active",
        "timestamp": 1732350000000 + n,
        "source": {"type": "user", "userId": USER},
        "webhookEventId": f"01JDMYSERVICES{n:012d}",
        "deliveryContext": {"isRedelivery": False},
        "replyToken": f"rt-mine-{n}",
        **body,
    }


def reply_to(line: LineGateway, event: dict[str, Any]) -> dict[str, Any]:
    before = len(line.sent())
    assert line.deliver_events(event).status_code == 200
    sent = line.sent()[before:]
    assert len(sent) == 1, sent
    check_request(sent[0])  # LINE's limits, and a round trip through the SDK's models
    return sent[0]


def typed(said: str) -> dict[str, Any]:
    return _event("message", {"message": {"id": f"8{next(_seq):05d}", "type": "text", "text": said}})


def tapped(data: str) -> dict[str, Any]:
    return _event("postback", {"postback": {"data": data}})


def flex_texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["text"]] if node.get("type") == "text" else []
        return found + [t for value in node.values() for t in flex_texts(value)]
    if isinstance(node, list):
        return [t for value in node for t in flex_texts(value)]
    return []


def bubble_of(reply: dict[str, Any]) -> dict[str, Any]:
    flex = [m for m in reply["messages"] if m["type"] == "flex"]
    assert len(flex) == 1, reply["messages"]
    return flex[0]["contents"]


def dashboard_token(bubble: dict[str, Any]) -> str:
    action = bubble["footer"]["contents"][0]["action"]
    assert action["type"] == "uri" and action["uri"].startswith("https://bot.example.go.th/me?t=")
    return parse_qs(urlsplit(action["uri"]).query)["t"][0]


def test_without_consent_nothing_is_kept_but_the_report_is_tracked(line: LineGateway) -> None:
    runtime = line.client.app.state.runtime
    filed = runtime.reports.file(
        NewReport(SENDER, "line", "th", "ไฟถนนดับทั้งซอย หน้าบ้านเลขที่ 12", runtime.reports.taxonomy.other.id)
    )
    reply = reply_to(line, typed("บริการของฉันครับ"))
    bubble = bubble_of(reply)
    said = flex_texts(bubble)
    assert said[0] == "บริการของฉัน"
    assert text("citizens_dashboard.nothing_kept", "th") in said
    assert any(filed.report.ticket in line_ for line_ in said)  # the report, with its status
    assert any(
        text("reports.state_received", "th") in line_ or text("reports.state_forwarded", "th") in line_
        for line_ in said
    )
    quick = reply["messages"][-1]["quickReply"]["items"]
    assert json.loads(quick[0]["action"]["data"])["text"] == "/citizen_consent profile"
    # The button's link opens this citizen's dashboard, with the same report.
    view = line.client.get("/api/me", headers={"Authorization": f"Bearer {dashboard_token(bubble)}"}).json()
    assert [r["ticket"] for r in view["reports"]] == [filed.report.ticket]


def test_the_rich_menu_band_shows_saved_services_journeys_and_deadlines_in_english(line: LineGateway) -> None:
    runtime = line.client.app.state.runtime
    assert runtime.wait_until_loaded(120), "the catalogue did not load"
    handler = next(h for h in runtime.citizen_desk.handlers if h.name == "dashboard")
    now = dt.datetime.now(dt.UTC)
    handler.consents.grant(SENDER, "profile", "en", "line", now=now)
    books = handler.sources.progress
    books.save_service(SENDER, "passport-renewal", now=now)
    books.start(SENDER, "having-a-baby", (now - dt.timedelta(days=3)).date(), now=now)
    reply = reply_to(line, tapped(postback_data("/my_services", "en")))
    said = flex_texts(bubble_of(reply))
    assert said[0] == "My services"
    assert text("citizens_dashboard.nothing_kept", "en") not in said
    assert any("passport" in line_.lower() for line_ in said), said
    journey = next(line_ for line_ in said if line_.startswith("Having a baby"))
    assert "0 of 5 done" in journey and "Next: Registering a birth" in journey, journey
    soonest = said[said.index(text("citizens_dashboard.deadlines_heading", "en")) + 1]
    assert soonest.startswith("Registering a birth") and ": by " in soonest, soonest  # 15 days from the birth
    assert "quickReply" not in reply["messages"][-1]  # consent given: nothing offered


def flex_nodes(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        found = [node] if node.get("type") == "text" else []
        return found + [n for value in node.values() for n in flex_nodes(value)]
    if isinstance(node, list):
        return [n for value in node for n in flex_nodes(value)]
    return []


def test_the_bubble_lists_services_the_profile_may_entitle_and_a_tap_opens_one(line: LineGateway) -> None:
    runtime = line.client.app.state.runtime
    assert runtime.wait_until_loaded(120), "the catalogue did not load"
    handler = next(h for h in runtime.citizen_desk.handlers if h.name == "dashboard")
    now = dt.datetime.now(dt.UTC)
    handler.consents.grant(SENDER, "profile", "th", "line", now=now)
    invited = flex_texts(bubble_of(reply_to(line, typed("บริการของฉัน"))))
    assert text("citizens_dashboard.suggested_invite_line", "th") in invited  # consent, nothing told yet
    handler.sources.profiles.change(
        SENDER, now=now, language="th", birth_year=1960, birth_date=dt.date(1960, 5, 1), nationality="thai"
    )
    bubble = bubble_of(reply_to(line, typed("บริการของฉัน")))
    said = flex_texts(bubble)
    heading = said.index(text("citizens_dashboard.suggested_heading", "th"))
    tappable = [node for node in flex_nodes(bubble) if node.get("action", {}).get("type") == "postback"]
    assert 1 <= len(tappable) <= 3  # LINE's bubble shows three; the web page the rest
    allowance = next(node for node in tappable if "เบี้ยยังชีพผู้สูงอายุ" in node["text"])
    assert said.index(allowance["text"]) > heading and "อาจมีสิทธิ์" in allowance["text"]
    assert text("citizens_dashboard.suggested_caution", "th") in said  # "may be": the agency decides
    opened = reply_to(line, tapped(allowance["action"]["data"]))
    assert "เบี้ยยังชีพ" in json.dumps(opened["messages"], ensure_ascii=False)  # the service's own answer
