"""LINE conversations answered by the real bot: signed webhooks in, a real Rasa server and the
gateway's actions behind, the LINE stub receiving what a citizen would see."""

from __future__ import annotations

import itertools
import json
import re

import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from tests.channels.line.conftest import LineGateway, fixture_event, line_settings
from tests.channels.line.limits import check_request

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

THAI = re.compile(r"[\u0e01-\u0e4e]")
_ids = itertools.count(1)


@pytest.fixture(scope="module")
def live_line(live_stack, tmp_path_factory, line_stub):
    """A second gateway with LINE configured, talking to the shared live stack's Rasa (whose
    actions run in the live stack's gateway)."""
    settings = line_settings(tmp_path_factory.mktemp("line-live"), line_stub, rasa_url=live_stack.settings.rasa.url)
    with TestClient(create_app(settings)) as client:
        yield LineGateway(client, line_stub)


def _event(kind: str, user: str, **fields) -> dict:
    n = next(_ids)
    return {
        "type": kind,
        "mode": "active",
        "timestamp": 1732350100000 + n,
        "source": {"type": "user", "userId": user},
        "webhookEventId": f"01JDLIVE{n:018d}",
        "deliveryContext": {"isRedelivery": False},
        "replyToken": f"rt-live-{n}",
        **fields,
    }


def _answer(gateway: LineGateway) -> list[dict]:
    sent = gateway.sent()
    assert len(sent) == 1, sent
    assert sent[0]["kind"] == "reply"
    check_request(sent[0])
    return sent[0]["messages"]


def _bubbles(messages: list[dict]) -> list[dict]:
    return [b for m in messages if m["type"] == "flex" for b in m["contents"]["contents"]]


def _texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def test_a_thai_question_gets_a_thai_answer_with_a_flex_card(live_line):
    live_line.stub.reset()
    live_line.deliver_fixture("text_th")
    assert live_line.stub.requests[0].path == "/v2/bot/chat/loading/start"
    messages = _answer(live_line)
    bubbles = _bubbles(messages)
    assert bubbles, messages
    title = bubbles[0]["body"]["contents"][0]["text"]
    assert "บัตรประจำตัวประชาชน" in title
    assert THAI.search(_texts(messages))
    buttons = [b["action"] for b in bubbles[0]["footer"]["contents"]]
    assert json.loads(buttons[0]["data"]) == {"lang": "th", "text": f"เอกสารที่ต้องใช้สำหรับ {title}"}
    assert any(a["type"] == "uri" and a["uri"].startswith("https://") for a in buttons)


def test_an_english_card_button_is_answered_in_english(live_line):
    live_line.stub.reset()
    live_line.deliver_fixture("text_en")
    messages = _answer(live_line)
    bubbles = _bubbles(messages)
    assert bubbles and "passport" in bubbles[0]["body"]["contents"][0]["text"].lower(), messages

    documents = bubbles[0]["footer"]["contents"][0]["action"]
    assert documents["label"] == "Documents"
    live_line.stub.reset()
    user = fixture_event("text_en")["source"]["userId"]
    live_line.deliver_events(_event("postback", user, postback={"data": documents["data"]}))
    answer = _texts(_answer(live_line))
    assert answer and not THAI.search(answer), answer
    assert "passport" in answer.lower() or "document" in answer.lower(), answer


def test_a_new_friend_taps_a_life_event_and_sees_its_services_in_thai(live_line):
    live_line.stub.reset()
    user = "U" + "ab" * 16
    live_line.deliver_events(_event("follow", user, follow={"isUnblocked": False}))
    (greeting,) = _answer(live_line)
    birth = greeting["quickReply"]["items"][0]["action"]
    assert birth["label"] == "การเกิด"

    live_line.stub.reset()
    live_line.deliver_events(_event("postback", user, postback={"data": birth["data"]}))
    messages = _answer(live_line)
    assert THAI.search(_texts(messages)), messages
    offered = [i["action"]["label"] for m in messages for i in (m.get("quickReply") or {}).get("items", [])]
    assert offered, "the services under the life event are offered as quick replies"
    assert len(offered) <= 13
