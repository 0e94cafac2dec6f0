"""Rasa's REST replies as the web widget and LINE receive them.

The inputs are the shapes Rasa 3.6's REST channel returns (``CollectingOutputChannel``):
one dict per bot message with ``recipient_id`` and only the keys that are set.
"""

from __future__ import annotations

import pytest

from actions.service_answer import life_event_buttons, service_card
from conversation.rendering import MAX_QUICK_REPLIES, render_rasa_messages

SENDER = "citizen-1"


def test_a_service_answer_keeps_its_order_text_card_then_quick_replies(seed_services):
    service = seed_services[0]
    card = service_card(service, "th")
    raw = [
        {"recipient_id": SENDER, "text": "บริการที่ตรงกับคำถามของคุณ"},
        {"recipient_id": SENDER, "custom": card},
        {"recipient_id": SENDER, "text": "สนใจเรื่องอื่นไหมครับ", "buttons": life_event_buttons("th")},
    ]
    messages = render_rasa_messages(raw)
    assert [m["type"] for m in messages] == ["text", "card", "quick_replies"]
    assert messages[0] == {"type": "text", "text": "บริการที่ตรงกับคำถามของคุณ"}
    assert messages[1] == {"type": "card", "card": card}
    assert messages[1]["card"]["service_id"] == service.id
    quick = messages[2]
    assert quick["text"] == "สนใจเรื่องอื่นไหมครับ"
    assert quick["options"] == [{"label": b["title"], "payload": b["payload"]} for b in life_event_buttons("th")]


def test_recipient_id_never_reaches_the_channels():
    messages = render_rasa_messages([{"recipient_id": SENDER, "text": "hello"}])
    assert messages == [{"type": "text", "text": "hello"}]


def test_quick_replies_stop_at_lines_limit_of_thirteen():
    buttons = [{"title": f"บริการที่ {n}", "payload": f'/choose{{"n":{n}}}'} for n in range(20)]
    (quick,) = render_rasa_messages([{"recipient_id": SENDER, "text": "เลือกบริการ", "buttons": buttons}])
    assert MAX_QUICK_REPLIES == 13
    assert len(quick["options"]) == 13
    assert [o["label"] for o in quick["options"]] == [f"บริการที่ {n}" for n in range(13)]


def test_long_labels_are_cut_to_eighty_characters_but_the_payload_is_whole():
    title = "ขอหนังสือรับรองการเกิดฉบับภาษาอังกฤษ " * 5
    (quick,) = render_rasa_messages(
        [{"recipient_id": SENDER, "text": "เลือก", "buttons": [{"title": title, "payload": title}]}]
    )
    (option,) = quick["options"]
    assert option["label"] == title[:80]
    assert len(option["label"]) == 80
    assert option["payload"] == title


def test_a_button_without_payload_sends_its_title():
    buttons = [{"title": "Passport renewal"}, {"title": "ID card", "payload": "/ask_service"}]
    (quick,) = render_rasa_messages([{"recipient_id": SENDER, "text": "Pick one", "buttons": buttons}])
    assert quick["options"] == [
        {"label": "Passport renewal", "payload": "Passport renewal"},
        {"label": "ID card", "payload": "/ask_service"},
    ]


def test_buttons_without_a_title_are_dropped():
    buttons = [{"payload": "/greet"}, {"title": "", "payload": "/bye"}, {"title": "Yes", "payload": "/affirm"}]
    (quick,) = render_rasa_messages([{"recipient_id": SENDER, "text": "Anything else?", "buttons": buttons}])
    assert quick["options"] == [{"label": "Yes", "payload": "/affirm"}]


def test_an_image_becomes_an_image_message():
    url = "https://www.dopa.go.th/images/id-card-sample.png"
    assert render_rasa_messages([{"recipient_id": SENDER, "image": url}]) == [{"type": "image", "url": url}]


@pytest.mark.parametrize(
    "empty",
    [
        {"recipient_id": SENDER},
        {"recipient_id": SENDER, "text": ""},
        {"recipient_id": SENDER, "buttons": []},
        {"recipient_id": SENDER, "image": ""},
    ],
    ids=["nothing", "empty-text", "no-buttons", "empty-image"],
)
def test_empty_items_are_skipped(empty):
    raw = [empty, {"recipient_id": SENDER, "text": "ยินดีครับ"}, empty]
    assert render_rasa_messages(raw) == [{"type": "text", "text": "ยินดีครับ"}]


def test_a_custom_payload_that_is_not_a_service_card_is_not_shown_as_a_card():
    raw = [{"recipient_id": SENDER, "custom": {"type": "debug", "intent": "greet"}}]
    assert render_rasa_messages(raw) == []


def test_no_reply_at_all_renders_nothing():
    assert render_rasa_messages([]) == []
