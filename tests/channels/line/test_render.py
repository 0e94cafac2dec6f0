"""Rendering the gateway's messages for LINE: Flex cards, safe splitting, labels, the 5-message cap."""

from __future__ import annotations

import json
import unicodedata

from linebot.v3.messaging import FlexContainer, FlexMessage, TextMessage

from actions.service_answer import service_card, service_summary_text
from channels.line.render import (
    MAX_MESSAGES,
    card_bubble,
    fit_messages,
    graphemes,
    parse_postback,
    postback_data,
    render_messages,
    split_text,
    truncate_label,
    utf16_len,
)
from tests.channels.line.limits import check_message


def _card(lang="th", **extra):
    card = {
        "type": "service_card",
        "lang": lang,
        "service_id": "passport-renewal",
        "title": "ต่ออายุหนังสือเดินทาง" if lang == "th" else "Renewing a passport",
        "summary": "ทำหนังสือเดินทางเล่มใหม่เมื่อเล่มเดิมใกล้หมดอายุ" if lang == "th" else "Get a new passport.",
        "facts": [
            {"key": "fees", "label": "ค่าธรรมเนียม", "value": "1,000 บาท (5 ปี) หรือ 1,500 บาท (10 ปี)"},
            {"key": "processing_time", "label": "ระยะเวลาดำเนินการ", "value": "ประมาณ 2 สัปดาห์ ส่งทางไปรษณีย์"},
            {"key": "where_to_apply", "label": "ยื่นได้ที่", "value": "กรมการกงสุล ถนนแจ้งวัฒนะ " * 12},
            {"key": "agency", "label": "หน่วยงาน", "value": "กรมการกงสุล"},
        ],
        "documents": ["บัตรประจำตัวประชาชน", "หนังสือเดินทางเล่มเดิม"],
        "links": [
            {"label": "ยื่นออนไลน์", "url": "https://www.passport.in.th/"},
            {"label": "แหล่งข้อมูลทางการ", "url": "https://www.consular.go.th/"},
            {"label": "bad", "url": "javascript:alert(1)"},
        ],
        "last_reviewed": "2025-06-01",
        "to_verify": ["fees"],
        "verify_note": "ค่าธรรมเนียมยังไม่ได้ตรวจสอบกับหน่วยงาน กรุณาสอบถามหน่วยงานก่อนดำเนินการครับ",
    }
    card.update(extra)
    return card


def test_a_card_becomes_a_valid_flex_carousel_with_facts_and_buttons():
    (message,) = render_messages([{"type": "card", "card": _card()}], "th")
    assert isinstance(message, FlexMessage)
    data = message.to_dict()
    check_message(data)  # LINE's limits, and FlexContainer.from_dict round trip
    assert FlexMessage.from_dict(data).to_dict() == data
    bubble = data["contents"]["contents"][0]
    texts = json.dumps(bubble["body"], ensure_ascii=False)
    assert "ต่ออายุหนังสือเดินทาง" in texts and "1,000 บาท" in texts and "ระยะเวลาดำเนินการ" in texts
    assert '"หน่วยงาน"' not in texts  # the key facts only: fees, time, where (not the agency)
    # the fee is not confirmed: the card's own sentence naming it is shown, word for word
    assert "⚠️ ค่าธรรมเนียมยังไม่ได้ตรวจสอบกับหน่วยงาน กรุณาสอบถามหน่วยงานก่อนดำเนินการครับ" in texts
    actions = [button["action"] for button in bubble["footer"]["contents"]]
    postbacks = [json.loads(a["data"]) for a in actions if a["type"] == "postback"]
    assert postbacks == [
        {"lang": "th", "text": "เอกสารที่ต้องใช้สำหรับ ต่ออายุหนังสือเดินทาง"},
        {"lang": "th", "text": "ค่าธรรมเนียมสำหรับ ต่ออายุหนังสือเดินทาง"},
        {"lang": "th", "text": "ยื่นเรื่อง ต่ออายุหนังสือเดินทาง ได้ที่ไหน"},
    ]
    uris = [a["uri"] for a in actions if a["type"] == "uri"]
    assert uris == ["https://www.passport.in.th/", "https://www.consular.go.th/"]


def test_a_card_without_facts_to_verify_shows_no_caution():
    (message,) = render_messages([{"type": "card", "card": _card(to_verify=[], verify_note=None)}], "th")
    bubble = message.to_dict()["contents"]["contents"][0]
    assert "⚠️" not in json.dumps(bubble, ensure_ascii=False)


def test_the_line_card_caution_is_the_sentence_of_the_text_answer_and_the_web_card(seed_services):
    # Any service with facts the catalogue has not confirmed (named from its facts or to_verify flags).
    service = next(s for s in seed_services if len(service_card(s, "en")["unverified"]) >= 2)
    for lang in ("th", "en"):
        card = service_card(service, lang)
        note = card["verify_note"]
        assert note and note in service_summary_text(service, lang).splitlines()
        (message,) = render_messages([{"type": "card", "card": card}], lang)
        body = message.to_dict()["contents"]["contents"][0]["body"]["contents"]
        assert [c["text"] for c in body if c.get("text", "").startswith("⚠️")] == [f"⚠️ {note}"]


def test_english_cards_ask_follow_ups_in_english_and_consecutive_cards_share_a_carousel():
    (message,) = render_messages([{"type": "card", "card": _card("en")}, {"type": "card", "card": _card("en")}], "en")
    data = message.to_dict()
    check_message(data)
    assert len(data["contents"]["contents"]) == 2
    assert data["altText"].startswith("Service details: Renewing a passport")
    actions = data["contents"]["contents"][0]["footer"]["contents"]
    assert json.loads(actions[0]["action"]["data"])["text"] == "Documents for Renewing a passport"
    assert actions[0]["action"]["label"] == "Documents"


def test_card_bubbles_survive_missing_and_empty_fields():
    bubble = card_bubble({"type": "service_card", "title": "", "facts": [{"key": "fees", "label": "", "value": ""}]})
    FlexContainer.from_dict(bubble)
    check_message(FlexMessage(alt_text="x", contents=FlexContainer.from_dict(bubble)).to_dict())


def test_long_text_is_split_under_the_limit_without_breaking_thai_clusters():
    line = "ต่ออายุบัตรประชาชนต้องใช้เอกสารอะไรบ้างครับ 🙏🏽 "
    text = (line * 400).strip()
    pieces = split_text(text)
    assert len(pieces) > 1
    assert all(utf16_len(piece) <= 5000 for piece in pieces)
    for piece in pieces:  # no piece starts with a vowel or tone mark torn from its consonant
        assert unicodedata.category(piece[0]) not in ("Mn", "Mc") and piece[0] not in "\u0e33\U0001f3fd"
    assert "".join(pieces).replace(" ", "") == text.replace(" ", "")  # nothing lost but spaces at the cuts


def test_text_without_any_spaces_is_still_split_at_cluster_boundaries():
    text = "ที่" * 3000  # 9,000 code points, 3,000 graphemes
    pieces = split_text(text, limit=5000)
    assert all(utf16_len(p) <= 5000 for p in pieces)
    assert all(len(p) % 3 == 0 for p in pieces)  # every piece ends on a whole "ที่"
    assert "".join(pieces) == text


def test_labels_are_shortened_to_twenty_graphemes_at_a_word_end():
    assert truncate_label("Retirement and welfare") == "Retirement and…"
    thai = truncate_label("ทำบัตรประจำตัวประชาชนใหม่กรณีบัตรหมดอายุ")
    assert len(graphemes(thai)) <= 20 and thai.endswith("…")
    assert thai.startswith("ทำบัตรประจำตัวประชาชน")  # cut between words, not inside one
    assert truncate_label("การขับขี่และยานพาหนะ") == "การขับขี่และยานพาหนะ"  # 20 graphemes: fits as is
    assert len(graphemes("ขี่")) == 1


def test_quick_replies_are_capped_at_13_and_ride_on_the_last_message():
    options = [{"label": f"บริการที่เกี่ยวข้องหมายเลข {n} แบบยาวมาก", "payload": f"/ask{n}"} for n in range(20)]
    messages = render_messages(
        [{"type": "text", "text": "คำตอบ"}, {"type": "quick_replies", "text": "เลือกต่อ", "options": options}], "th"
    )
    assert [type(m) for m in messages] == [TextMessage, TextMessage]
    assert messages[0].quick_reply is None
    items = messages[-1].quick_reply.items
    assert len(items) == 13
    for message in messages:
        check_message(message.to_dict())
    first = items[0].action
    assert first.display_text == options[0]["label"]  # the citizen sees the full label as their message
    assert json.loads(first.data) == {"lang": "th", "text": "/ask0"}


def test_quick_replies_without_text_attach_to_the_previous_message():
    messages = render_messages(
        [
            {"type": "card", "card": _card()},
            {"type": "quick_replies", "text": None, "options": [{"label": "a", "payload": "b"}]},
        ],
        "th",
    )
    assert len(messages) == 1 and messages[0].quick_reply is not None
    alone = render_messages(
        [{"type": "quick_replies", "text": None, "options": [{"label": "a", "payload": "b"}]}], "en"
    )
    assert alone[0].text == "Choose an option:"


def test_a_reply_never_has_more_than_five_messages():
    many = [{"type": "text", "text": f"ข้อความที่ {n}"} for n in range(9)]
    many.insert(4, {"type": "card", "card": _card()})
    many.append({"type": "quick_replies", "text": "ต่อไป", "options": [{"label": "x", "payload": "y"}]})
    messages = render_messages(many, "th")
    assert len(messages) <= MAX_MESSAGES
    joined = "\n".join(m.text for m in messages if isinstance(m, TextMessage))
    assert all(f"ข้อความที่ {n}" in joined for n in range(9))  # texts merged, none lost
    assert any(isinstance(m, FlexMessage) for m in messages)
    assert messages[-1].quick_reply is not None


def test_when_merging_is_not_enough_the_last_message_is_kept():
    cards = [FlexMessage(alt_text=str(n), contents=FlexContainer.from_dict(card_bubble(_card()))) for n in range(7)]
    fitted = fit_messages([*cards, TextMessage(text="last")])
    assert len(fitted) == 5
    assert fitted[-1].text == "last" and [m.alt_text for m in fitted[:4]] == ["0", "1", "2", "3"]


def test_postback_data_stays_within_300_characters_and_round_trips():
    long_title = "ขอรับเงินอุดหนุนเพื่อการเลี้ยงดูเด็กแรกเกิด " * 10
    data = postback_data(f"เอกสารที่ต้องใช้สำหรับ {long_title}", "th")
    assert utf16_len(data) <= 300
    command = parse_postback(data)
    assert command.lang == "th" and command.text.startswith("เอกสารที่ต้องใช้สำหรับ ขอรับเงิน")
    assert parse_postback('{"lang":"en"}').text is None
    assert parse_postback("plain text from an old menu").text == "plain text from an old menu"
    assert parse_postback('{"lang":"fr","text":7}') == parse_postback("{}")


def test_only_https_images_are_sent():
    messages = render_messages(
        [{"type": "image", "url": "http://example.com/a.png"}, {"type": "image", "url": "https://example.com/a.png"}],
        "en",
    )
    assert len(messages) == 1 and messages[0].original_content_url == "https://example.com/a.png"


def _body_texts(card: dict) -> list[str]:
    (message,) = render_messages([{"type": "card", "card": card}], str(card["lang"]))
    data = message.to_dict()
    check_message(data)
    return [c["text"] for c in data["contents"]["contents"][0]["body"]["contents"] if "text" in c]


def test_a_card_nobody_has_checked_says_so_in_its_language():
    assert "ยังไม่ได้ตรวจสอบกับหน่วยงาน" in _body_texts(_card(last_reviewed=None))
    assert "Not yet checked against the agency" in _body_texts(_card("en", last_reviewed=None))


def test_a_card_without_a_sentence_of_its_own_gets_the_date_in_thai_and_english():
    assert "ตรวจสอบกับแหล่งที่มาล่าสุด 1 มิ.ย. 2568" in _body_texts(_card())
    assert "Last checked 1 Jun 2025" in _body_texts(_card("en"))


def test_the_line_card_shows_the_actions_sentences_for_unconfirmed_facts_and_the_last_check(seed_services):
    import datetime as dt

    from knowledge.schema import Service

    raw = next(s for s in seed_services if s.id == "id-card-renewal").model_dump(mode="json")
    raw["to_verify"], raw["last_reviewed"] = [], None
    raw["facts"] = [
        {
            "field": "fees",
            "kind": "fine",
            "text": {"th": "ปรับไม่เกิน 100 บาท", "en": "A fine of at most 100 baht."},
            "status": "unverified",
        }
    ]
    unchecked = Service.model_validate(raw)
    for lang, sentence in (("th", "ยังไม่ได้ตรวจสอบกับหน่วยงาน"), ("en", "Not yet checked against the agency")):
        card = service_card(unchecked, lang)
        assert card["last_reviewed"] is None
        texts = _body_texts(card)
        assert f"⚠️ {card['verify_note']}" in texts and sentence in texts
    raw["facts"][0] |= {
        "status": "verified",
        "source": {"url": "https://www.bora.dopa.go.th/faq/id-card", "title": "DOPA"},
        "checked": "2026-12-01",
    }
    checked = Service.model_validate({**raw, "last_reviewed": dt.date(2026, 12, 1).isoformat()})
    assert "ตรวจสอบกับแหล่งที่มาล่าสุด 1 ธ.ค. 2569" in _body_texts(service_card(checked, "th"))
    assert "Last checked 1 Dec 2026" in _body_texts(service_card(checked, "en"))
    assert not any(text.startswith("⚠️") for text in _body_texts(service_card(checked, "en")))
