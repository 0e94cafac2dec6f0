"""Every kind of LINE event, delivered signed to the real gateway, answered to the loopback stub.

Rasa is not running here (the text turn gets the bot's canned "not available"
answer); conversations with the real bot are in test_live_bot.py.
"""

from __future__ import annotations

import copy
import json
import re
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

import texts
from actions.service_answer import life_event_buttons
from channels.line.render import graphemes
from channels.line.settings import LineUserLimit
from conversation.degraded import CatalogueFallback
from gateway.app import create_app
from gateway.settings import SearchSettings
from knowledge.schema import Office
from knowledge.store import CatalogueStore
from tests.channels.line.conftest import LineGateway, fixture_event, line_settings
from tests.channels.line.limits import check_request

THAI = re.compile(r"[\u0e01-\u0e4e]")
LATIN = re.compile(r"[A-Za-z]{3,}")


def _only_reply(gateway) -> dict:
    sent = gateway.sent()
    assert len(sent) == 1, sent
    check_request(sent[0])
    return sent[0]


def _postback_data(item: dict) -> dict:
    return json.loads(item["action"]["data"])


def _with_offices(service, offices):
    service = copy.deepcopy(service)
    service.where_to_apply.offices = offices
    return service


def _add_services(gateway, services) -> None:
    """Write to the gateway's live store, as an editor would: LINE reads it, not a cache."""
    store = CatalogueStore(gateway.client.app.state.settings.store.url)
    store.import_services(services, "test")
    store.close()


PHRA_NAKHON = Office(
    name={"th": "สำนักงานเขตพระนคร", "en": "Phra Nakhon District Office"},
    address={"th": "ถนนดินสอ แขวงเสาชิงช้า เขตพระนคร", "en": "Dinso Road, Phra Nakhon, Bangkok"},
    latitude=13.7540,
    longitude=100.5010,
)


def test_a_new_friend_is_greeted_in_thai_and_english_with_life_events(gateway):
    gateway.deliver_fixture("follow")
    reply = _only_reply(gateway)
    assert reply["kind"] == "reply" and reply["replyToken"] == "rt-follow"
    (greeting,) = reply["messages"]
    assert THAI.search(greeting["text"]) and "government services" in greeting["text"]
    items = greeting["quickReply"]["items"]
    assert len(items) <= 13
    postbacks = [item for item in items if item["action"]["type"] == "postback"]
    expected = [b["payload"] for b in life_event_buttons("th")]
    assert [_postback_data(i).get("text") for i in postbacks[: len(expected)]] == expected
    assert all(_postback_data(i).get("lang") == "th" for i in postbacks[: len(expected)])
    # No office in this catalogue has coordinates: a shared location could only get "I don't know".
    assert not any(item["action"]["type"] == "location" for item in items)
    assert "location" not in greeting["text"] and "ตำแหน่ง" not in greeting["text"]
    switch = postbacks[-1]
    assert switch["action"]["label"] == "English" and _postback_data(switch) == {"menu": "life_events", "lang": "en"}


def test_the_location_button_is_offered_once_an_office_has_coordinates(gateway, seed_services):
    without = Office(name={"th": "สำนักงานที่ไม่มีพิกัด", "en": "An office without coordinates"})
    by_id = {s.id: s for s in seed_services}
    _add_services(gateway, [_with_offices(by_id["id-card-renewal"], [without])])
    gateway.deliver_fixture("follow")
    (greeting,) = _only_reply(gateway)["messages"]
    assert not any(item["action"]["type"] == "location" for item in greeting["quickReply"]["items"])

    gateway.stub.reset()
    _add_services(gateway, [_with_offices(by_id["id-card-renewal"], [without, PHRA_NAKHON])])
    gateway.deliver_fixture("follow_unblocked")
    (greeting,) = _only_reply(gateway)["messages"]
    locations = [item for item in greeting["quickReply"]["items"] if item["action"]["type"] == "location"]
    assert [item["action"]["label"] for item in locations] == ["ส่งตำแหน่งของฉัน"]
    assert "ส่งตำแหน่ง" in greeting["text"] and "share your location" in greeting["text"]

    gateway.stub.reset()
    gateway.deliver_fixture("postback_menu_en")  # the life-event menu offers it too, in English
    (menu,) = _only_reply(gateway)["messages"]
    assert "Share my location" in [item["action"]["label"] for item in menu["quickReply"]["items"]]


def test_the_english_switch_shows_life_events_in_english(gateway):
    gateway.deliver_fixture("postback_menu_en")
    (message,) = _only_reply(gateway)["messages"]
    assert message["text"] == "Pick a life event:"
    labels = [item["action"]["label"] for item in message["quickReply"]["items"]]
    assert "Having a baby" in labels and "ภาษาไทย" in labels
    assert all(len(graphemes(label)) <= 20 for label in labels)
    assert "Retirement and welf…" in labels or "Retirement and…" in labels  # 22 characters, shortened nicely
    assert all(_postback_data(i)["lang"] == "en" for i in message["quickReply"]["items"][:10])


def test_an_unfollow_is_logged_and_nothing_is_sent(gateway, caplog):
    caplog.set_level("INFO", logger="channels.line.events")
    gateway.deliver_fixture("unfollow")
    assert gateway.stub.requests == []
    assert "unfollowed" in caplog.text


@pytest.mark.parametrize(
    ("fixture", "thai", "english"),
    [("sticker", "สติกเกอร์", "sticker"), ("image", "พิมพ์คำถาม", "type your question")],
)
def test_stickers_and_pictures_get_a_polite_bilingual_answer(gateway, fixture, thai, english):
    gateway.deliver_fixture(fixture)
    (message,) = _only_reply(gateway)["messages"]
    assert thai in message["text"] and english in message["text"]


def test_video_audio_files_and_unknown_message_types_get_the_same_answer(gateway):
    gateway.deliver_fixture("media")
    sent = gateway.sent()
    assert [s["replyToken"] for s in sent] == ["rt-video", "rt-audio", "rt-file", "rt-newkind"]  # in order
    for request in sent:
        check_request(request)
        (message,) = request["messages"]
        assert "ขออภัย" in message["text"] and "Please type your question" in message["text"]


def test_a_text_message_shows_the_loading_animation_then_replies(gateway):
    gateway.deliver_fixture("text_en")
    user = fixture_event("text_en")["source"]["userId"]
    paths = [r.path for r in gateway.stub.requests]
    assert paths == ["/v2/bot/chat/loading/start", "/v2/bot/message/reply"]
    assert gateway.stub.requests[0].json == {"chatId": user, "loadingSeconds": 20}
    (message,) = _only_reply(gateway)["messages"]
    assert message["text"].startswith("Sorry")  # Rasa is down: the canned answer, in English


def test_an_expired_reply_token_falls_back_to_a_push(gateway):
    gateway.stub.fail("POST", "/v2/bot/message/reply", 400, "Invalid reply token")
    gateway.deliver_fixture("text_th")
    user = fixture_event("text_th")["source"]["userId"]
    reply, push = gateway.sent()
    assert reply["kind"] == "reply" and push["kind"] == "push"
    assert push["to"] == user
    assert push["messages"] == reply["messages"]
    check_request(push)
    (retry_key,) = [r.headers.get("x-line-retry-key") for r in gateway.stub.received("/v2/bot/message/push")]
    assert re.fullmatch(r"[0-9a-f-]{36}", retry_key or "")
    assert gateway.outcomes()[fixture_event("text_th")["webhookEventId"]] == "pushed"


def test_a_reply_that_times_out_is_not_followed_by_a_push(gateway, caplog):
    """It may have been delivered (LINE got it and was slow to say so): a push could answer twice."""
    gateway.client.app.state.line.handler.messenger.timeout_seconds = 0.5
    gateway.stub.delays[("POST", "/v2/bot/message/reply")] = 5.0
    started = time.monotonic()
    gateway.deliver_fixture("sticker")
    assert time.monotonic() - started < 4.0, "the SDK call was not cut off at the timeout"
    assert [s["kind"] for s in gateway.sent()] == ["reply"]
    assert "not pushed, to avoid a duplicate" in caplog.text
    assert gateway.outcomes()[fixture_event("sticker")["webhookEventId"]] == "unsure"


def test_a_push_that_times_out_is_retried_with_the_same_key_and_delivered_once(gateway):
    gateway.client.app.state.line.handler.messenger.timeout_seconds = 0.5
    gateway.stub.fail("POST", "/v2/bot/message/reply", 400, "Invalid reply token")
    gateway.stub.slow_once[("POST", "/v2/bot/message/push")] = 1.5  # LINE accepts it, then answers late
    gateway.deliver_fixture("sticker")
    pushes = gateway.stub.received("/v2/bot/message/push")
    assert len(pushes) == 2  # the first timed out; the second, same key, got 409 from LINE
    assert len({p.headers["x-line-retry-key"] for p in pushes}) == 1
    assert gateway.stub.delivered_pushes() == 1
    assert gateway.outcomes()[fixture_event("sticker")["webhookEventId"]] == "pushed"


def test_a_failing_push_is_logged_not_raised(gateway, caplog):
    gateway.stub.fail("POST", "/v2/bot/message/reply", 400, "Invalid reply token")
    gateway.stub.fail("POST", "/v2/bot/message/push", 429, "You have reached your monthly limit.")
    gateway.deliver_fixture("sticker")
    assert len(gateway.sent()) == 2
    assert "LINE push failed: HTTP 429" in caplog.text
    assert gateway.deliver_fixture("image").status_code == 200  # the channel keeps working


def test_a_redelivered_event_is_answered_once(gateway):
    gateway.deliver_fixture("text_en")
    redelivered = gateway.deliver_fixture("text_en_redelivered")
    assert redelivered.status_code == 200  # acknowledged, so LINE stops redelivering
    assert len(gateway.sent()) == 1
    url = gateway.client.app.state.settings.store.url
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT event_id, raw, outcome FROM line_event_queue")).all()
    engine.dispose()
    assert [(row.event_id, row.outcome) for row in rows] == [(fixture_event("text_en")["webhookEventId"], "replied")]
    assert rows[0].raw is None  # what the citizen typed is not kept once answered


def test_a_life_event_button_asks_the_bot_in_the_buttons_language(gateway):
    """The payload "/browse_life_event{...}" looks English; the button says Thai, so Thai it is."""
    gateway.deliver_fixture("postback_life_event")
    (message,) = _only_reply(gateway)["messages"]
    assert THAI.search(message["text"]), message["text"]


def test_in_a_group_the_bot_speaks_only_when_mentioned(gateway):
    gateway.deliver_fixture("group")
    reply = _only_reply(gateway)
    assert reply["replyToken"] == "rt-group-mention"
    assert gateway.stub.received("/v2/bot/chat/loading/start") == []  # one-to-one chats only


def test_a_location_without_known_offices_is_answered_honestly_in_thai(gateway):
    gateway.deliver_fixture("location")
    (message,) = _only_reply(gateway)["messages"]
    assert "ยังไม่มีพิกัดของสำนักงาน" in message["text"]


def test_a_location_is_answered_in_the_language_the_citizen_last_used(gateway):
    english = fixture_event("text_en")
    location = fixture_event("location")
    location["source"] = english["source"]
    gateway.deliver_events(english, location)
    last = gateway.sent()[-1]
    (message,) = last["messages"]
    assert "I don't know where any offices are" in message["text"]
    assert not THAI.search(message["text"])


def test_a_location_lists_the_nearest_offices_with_map_pins(gateway, seed_services):
    services = {s.id: s for s in seed_services}
    near = PHRA_NAKHON
    far = Office(
        name={"th": "ที่ว่าการอำเภอเมืองเชียงใหม่", "en": "Mueang Chiang Mai District Office"},
        latitude=18.7883,
        longitude=98.9853,
    )
    middle = Office(
        name={"th": "สำนักงานเขตจตุจักร", "en": "Chatuchak District Office"}, latitude=13.8285, longitude=100.5597
    )
    unknown = Office(name={"th": "สำนักงานที่ไม่มีพิกัด", "en": "An office without coordinates"})

    # Added after the gateway started: the location answer reads the live store, not a cache.
    _add_services(
        gateway,
        [
            _with_offices(services["id-card-renewal"], [far, near, unknown]),
            _with_offices(services["birth-registration"], [near, middle]),
        ],
    )

    gateway.deliver_fixture("location")
    reply = _only_reply(gateway)
    text_message, *pins = reply["messages"]
    assert [pin["type"] for pin in pins] == ["location"] * 3
    assert [pin["title"] for pin in pins] == ["สำนักงานเขตพระนคร", "สำนักงานเขตจตุจักร", "ที่ว่าการอำเภอเมืองเชียงใหม่"]
    assert pins[0]["latitude"] == pytest.approx(13.7540)
    lines = text_message["text"].splitlines()
    assert lines[1].startswith("1. สำนักงานเขตพระนคร (ประมาณ 270 ม.) สำหรับ ")  # 270 m from the citizen
    assert "แจ้งเกิด" in lines[1] and "บัตรประจำตัวประชาชน" in lines[1]  # the services handled there
    assert "(ประมาณ 10 กม.)" in lines[2] and "(ประมาณ 582 กม.)" in lines[3]
    assert "สำนักงานที่ไม่มีพิกัด" not in text_message["text"]


def test_a_turn_that_breaks_still_gets_a_polite_answer(gateway, caplog):
    async def broken_turn(request, rasa, fallback):
        raise ValueError("Rasa sent something that is not JSON")

    gateway.client.app.state.line.handler._turn = broken_turn
    gateway.deliver_fixture("text_th")
    (message,) = _only_reply(gateway)["messages"]
    assert message["text"].startswith("ขออภัยครับ")
    assert "a LINE turn failed" in caplog.text


def test_a_message_over_the_length_limit_is_answered_without_asking_the_bot(gateway):
    event = fixture_event("text_th")
    event["message"]["text"] = "ขอสอบถามเรื่องบัตรประชาชนครับ " * 100  # 3,000 characters; the limit is 2,000
    gateway.deliver_events(event)
    (message,) = _only_reply(gateway)["messages"]
    assert "ยาวเกินไป" in message["text"] and "2000" in message["text"]
    assert gateway.stub.received("/v2/bot/chat/loading/start") == []


def test_events_in_shapes_the_sdk_refuses_are_answered_as_what_they_are(gateway):
    """LINE's own SDK fixtures: a text or sticker without quoteToken, a follow without "follow", and
    the oldest shape without mode or webhookEventId. The SDK refuses all of them."""
    gateway.deliver_fixture("sdk_shapes")
    by_token = {s["replyToken"]: s["messages"] for s in gateway.sent()}
    assert set(by_token) == {"rt-sdk-1", "rt-sdk-2", "rt-sdk-3", "rt-sdk-4", "rt-sdk-6"}  # not the unknown event
    not_text = "Please type your question instead"
    for token in ("rt-sdk-1", "rt-sdk-6"):  # texts: asked of the bot (down here: its apology), in English
        (message,) = by_token[token]
        assert message["text"].startswith("Sorry") and not_text not in message["text"], message
    assert len(gateway.stub.received("/v2/bot/chat/loading/start")) == 2
    assert "Thanks for the sticker" in by_token["rt-sdk-2"][0]["text"]
    assert "government services" in by_token["rt-sdk-3"][0]["text"]  # the greeting
    assert by_token["rt-sdk-3"][0]["quickReply"]["items"]
    assert not_text in by_token["rt-sdk-4"][0]["text"]  # an image is still an image


def test_with_rasa_down_a_line_citizen_gets_the_catalogue_answer(gateway, catalogue):
    """As on the web: the best catalogue answer with a one-line notice, rendered as a Flex card."""
    gateway.client.app.state.line.handler.fallback = CatalogueFallback(catalogue, SearchSettings().thresholds())
    gateway.deliver_fixture("text_th")
    notice, *rest = _only_reply(gateway)["messages"]
    assert notice["text"] == texts.text("conversation.degraded", "th")
    flex = [m for m in rest if m["type"] == "flex"]
    assert flex, rest
    assert "บัตรประจำตัวประชาชน" in json.dumps(flex[0], ensure_ascii=False)


def _sticker_from(user: str, n: int) -> dict:
    event = fixture_event("sticker")
    event["source"] = {"type": "user", "userId": user}
    event["webhookEventId"] = f"01JDFLOOD{n:017d}"
    event["replyToken"] = f"rt-flood-{n}"
    return event


class _Clock:
    """The rate limiter's clock, moved by the test: the limit's window passes without waiting for it,
    and a slow machine cannot let it pass in the middle of the flood."""

    def __init__(self) -> None:
        self.now = time.time()

    def time(self) -> float:
        return self.now

    def __getattr__(self, name: str) -> object:
        return getattr(time, name)


def test_a_flooding_user_gets_one_notice_then_silence_until_the_window_passes(tmp_path, line_stub, monkeypatch):
    import limits.storage.memory

    import http_api.rate_limits

    clock = _Clock()
    monkeypatch.setattr(limits.storage.memory, "time", clock)
    monkeypatch.setattr(http_api.rate_limits, "time", clock)
    line_stub.reset()
    settings = line_settings(tmp_path, line_stub)
    settings.line.user_limit = LineUserLimit(count=3, seconds=60)
    flooder, other = "U" + "f1" * 16, "U" + "0a" * 16
    with TestClient(create_app(settings)) as client:
        gateway = LineGateway(client, line_stub)
        gateway.deliver_events(*[_sticker_from(flooder, n) for n in range(8)], _sticker_from(other, 8))
        by_token = {s["replyToken"]: s["messages"][0]["text"] for s in gateway.sent()}
        assert sorted(by_token) == ["rt-flood-0", "rt-flood-1", "rt-flood-2", "rt-flood-3", "rt-flood-8"]
        notice = by_token["rt-flood-3"]
        assert "ถี่เกินไป" in notice and "arriving too quickly" in notice and "1 minute" in notice
        assert "Thanks for the sticker" in by_token["rt-flood-8"]  # someone else is not held up
        clock.now += 59
        line_stub.reset()
        gateway.deliver_events(_sticker_from(flooder, 9))
        assert gateway.sent() == []  # still inside the window: silence, no second notice
        clock.now += 2
        gateway.deliver_events(_sticker_from(flooder, 10))
        (answer,) = gateway.sent()
        assert "Thanks for the sticker" in answer["messages"][0]["text"]
