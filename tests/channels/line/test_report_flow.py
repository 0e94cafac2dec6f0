"""A problem report on LINE, end to end: signed webhook bodies into the real gateway, LINE's cloud as
loopback stubs (the messaging API, and the data API that serves an image message's content), a
location message and an image message answering the report's questions, and a ticket at the end."""

from __future__ import annotations

import io
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from gateway.app import create_app
from tests.channels.line.conftest import TOKEN, LineGateway, line_settings
from tests.channels.line.stub import LineStub
from texts import text

USER = "U7265706f727400000000000000000000"


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 90, 90)).save(out, format="JPEG")
    return out.getvalue()


class ContentStub:
    """api-data.line.me: ``GET /v2/bot/message/{id}/content`` answers the image's bytes (bearer checked)."""

    def __init__(self) -> None:
        self.images: dict[str, tuple[str, bytes]] = {}
        self.requests: list[str] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                stub.requests.append(self.path)
                found = re.fullmatch(r"/v2/bot/message/(\w+)/content", self.path)
                image = stub.images.get(found.group(1)) if found else None
                if self.headers.get("authorization") != f"Bearer {TOKEN}":
                    status, kind, body = 401, "application/json", b'{"message":"Authentication failed"}'
                elif image is None:
                    status, kind, body = 404, "application/json", b'{"message":"Not found"}'
                else:
                    status, (kind, body) = 200, image
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def content() -> Iterator[ContentStub]:
    stub = ContentStub()
    yield stub
    stub.stop()


@pytest.fixture
def line(tmp_path, line_stub: LineStub, content: ContentStub) -> Iterator[LineGateway]:
    line_stub.reset()
    app = create_app(line_settings(tmp_path, line_stub, data=content))  # type: ignore[arg-type]
    with TestClient(app) as client:
        yield LineGateway(client, line_stub)


_seq = iter(range(1, 10_000))


def event(message: dict[str, Any]) -> dict[str, Any]:
    n = next(_seq)
    return {
        "type": "message",
        "mode": "active",
        "timestamp": 1732350000000 + n,
        "source": {"type": "user", "userId": USER},
        "webhookEventId": f"01JDREPORT{n:016d}",
        "deliveryContext": {"isRedelivery": False},
        "replyToken": f"rt-report-{n}",
        "message": {"id": f"9{n:05d}", **message},
    }


def said(line: LineGateway, message: dict[str, Any]) -> dict[str, Any]:
    """Deliver one signed event and return the one reply LINE got for it."""
    before = len(line.sent())
    assert line.deliver_events(event(message)).status_code == 200
    sent = line.sent()[before:]
    assert len(sent) == 1, sent
    return sent[0]


def words(reply: dict[str, Any]) -> str:
    return "\n".join(m.get("text", "") for m in reply["messages"])


def actions(reply: dict[str, Any]) -> list[dict[str, Any]]:
    quick = reply["messages"][-1].get("quickReply") or {"items": []}
    return [item["action"] for item in quick["items"]]


def test_a_report_on_line_from_the_first_message_to_a_ticket(line: LineGateway, content: ContentStub) -> None:
    first = said(line, {"type": "text", "text": "/report_problem", "quoteToken": "q"})
    assert words(first) == text("reports.ask_description", "th")
    where = said(line, {"type": "text", "text": "ท่อประปาแตก น้ำไหลนองถนนหน้าปากซอย", "quoteToken": "q"})
    if actions(where)[0]["type"] != "location":  # an unsure type: pick it
        where = said(line, {"type": "text", "text": "/report_type ประปา", "quoteToken": "q"})
    assert actions(where)[0]["type"] == "location"  # LINE's own location picker comes first
    photo = said(
        line, {"type": "location", "title": "ซอย", "address": "บางรัก", "latitude": 13.7298, "longitude": 100.5246}
    )
    assert [a["type"] for a in actions(photo)][:2] == ["camera", "cameraRoll"]
    image = event({"type": "image", "contentProvider": {"type": "line"}, "quoteToken": "q"})
    image["message"]["id"] = "photo1"
    content.images["photo1"] = ("image/jpeg", jpeg())
    before = len(line.sent())
    line.deliver_events(image)
    summary = line.sent()[before]
    assert "/v2/bot/message/photo1/content" in content.requests
    assert text("reports.photo_attached", "th") in words(summary) and "บางรัก" in words(summary)
    confirm = [a for a in actions(summary) if a["type"] == "postback" and "/report_confirm" in a["data"]]
    assert confirm, actions(summary)
    postback = {**event({"type": "text", "text": "x"}), "type": "postback", "postback": {"data": confirm[0]["data"]}}
    del postback["message"]
    before = len(line.sent())
    line.deliver_events(postback)
    filed = words(line.sent()[before])
    ticket = re.search(r"R\d{6}-\d{5}", filed)
    assert ticket, filed
    report = line.client.app.state.runtime.reports.by_ticket(ticket.group(0))
    assert (report.sender_id, report.channel, report.type, report.district) == (
        f"line:{USER}",
        "line",
        "ประปา",
        "บางรัก",
    )
    assert report.photo_ref and line.client.app.state.runtime.report_photos.read(report.photo_ref)[0]


def test_cancel_on_line_files_nothing(line: LineGateway) -> None:
    said(line, {"type": "text", "text": "/report_problem", "quoteToken": "q"})
    assert words(said(line, {"type": "text", "text": "ยกเลิก", "quoteToken": "q"})) == text("reports.cancelled", "th")
    assert line.client.app.state.runtime.reports.for_sender(f"line:{USER}") == []


def test_a_photo_outside_a_report_is_not_fetched_and_says_how(line: LineGateway, content: ContentStub) -> None:
    reply = said(line, {"type": "image", "contentProvider": {"type": "line"}, "quoteToken": "q"})
    assert text("reports.photo_outside", "en") in words(reply) and text("reports.photo_outside", "th") in words(reply)
    assert content.requests == []


def test_a_picture_that_is_not_an_image_is_refused_and_asked_again(line: LineGateway, content: ContentStub) -> None:
    runtime = line.client.app.state.runtime
    from conversation.reports.drafts import Draft

    runtime.report_desk.drafts.save(
        Draft(
            f"line:{USER}",
            "line",
            "th",
            "photo",
            {"description": "x", "type": "ถนน", "latitude": 13.7, "longitude": 100.5},
        )
    )
    image = event({"type": "image", "contentProvider": {"type": "line"}, "quoteToken": "q"})
    content.images[image["message"]["id"]] = ("image/jpeg", b"not really a jpeg")
    before = len(line.sent())
    line.deliver_events(image)
    assert words(line.sent()[before]) == text("reports.photo_not_image", "th")
    assert runtime.report_desk.drafts.get(f"line:{USER}").step == "photo"
    assert json.dumps(line.sent()[before])  # a valid LINE request body
