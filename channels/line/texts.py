"""What the LINE channel itself says (greeting, non-text messages, nearby offices), in Thai and English.

Answers about services come from the bot; these are the few things LINE adds around it,
kept together so the wording stays consistent and is easy to review.
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["th", "en"]

__all__ = ["TEXTS", "Lang", "bilingual", "line_text"]

TEXTS: dict[str, dict[Lang, str]] = {
    "greeting": {
        "th": (
            "สวัสดีครับ ผมเป็นผู้ช่วยตอบคำถามเรื่องบริการภาครัฐ พิมพ์ถามได้เลย เช่น "
            "“ต่ออายุบัตรประชาชนต้องใช้เอกสารอะไร” หรือเลือกเรื่องที่เกี่ยวกับคุณด้านล่าง "
            "ส่งตำแหน่งมาเพื่อหาสำนักงานใกล้คุณก็ได้ครับ"
        ),
        "en": (
            "Hello! I answer questions about Thai government services. Just type your question, "
            "for example “How do I renew my passport?”, or pick a life event below. "
            "You can also share your location to find a nearby office."
        ),
    },
    "pick_life_event": {"th": "เลือกเรื่องที่ต้องการได้เลยครับ", "en": "Pick a life event:"},
    "switch_language": {"th": "ภาษาไทย", "en": "English"},
    "share_location": {"th": "ส่งตำแหน่งของฉัน", "en": "Share my location"},
    "choose": {"th": "เลือกได้เลยครับ", "en": "Choose an option:"},
    "sticker": {
        "th": "ขอบคุณสำหรับสติกเกอร์ครับ ถ้ามีคำถามเรื่องบริการภาครัฐ พิมพ์มาได้เลยนะครับ",
        "en": "Thanks for the sticker! If you have a question about a government service, just type it.",
    },
    "not_text": {
        "th": "ขออภัยครับ ผมยังเปิดดูรูปภาพ วิดีโอ เสียง หรือไฟล์ไม่ได้ รบกวนพิมพ์คำถามเป็นข้อความแทนนะครับ",
        "en": "Sorry, I can't open pictures, videos, audio or files yet. Please type your question instead.",
    },
    "too_long": {
        "th": "ข้อความยาวเกินไปครับ (เกิน {limit} ตัวอักษร) รบกวนสรุปคำถามให้สั้นลงอีกนิดนะครับ",
        "en": "That message is too long (over {limit} characters). Could you ask in fewer words?",
    },
    "offices_intro": {
        "th": "สำนักงานที่อยู่ใกล้คุณที่สุดเท่าที่เรามีข้อมูลครับ:",
        "en": "The nearest offices we know of:",
    },
    "offices_line": {
        "th": "{n}. {name} (ประมาณ {distance}) สำหรับ {services}",
        "en": "{n}. {name} (about {distance}), for {services}",
    },
    "offices_note": {
        "th": "ควรโทรสอบถามเวลาทำการก่อนเดินทางนะครับ",
        "en": "Please check the opening hours before you go.",
    },
    "offices_none": {
        "th": (
            "ขออภัยครับ ตอนนี้ในระบบยังไม่มีพิกัดของสำนักงาน จึงยังบอกไม่ได้ว่าที่ไหนใกล้คุณที่สุด "
            "ลองพิมพ์ชื่อบริการที่ต้องการ เช่น “ทำพาสปอร์ต” แล้วผมจะบอกว่ายื่นได้ที่ไหนครับ"
        ),
        "en": (
            "Sorry, I don't know where any offices are on the map yet, so I can't tell which one is nearest. "
            "Type the service you need, such as “passport”, and I'll tell you where to apply."
        ),
    },
    "km": {"th": "{value} กม.", "en": "{value} km"},
    "metres": {"th": "{value} ม.", "en": "{value} m"},
    # Card buttons: the label, and the question the button asks the bot in the card's language.
    "button_documents": {"th": "เอกสารที่ต้องใช้", "en": "Documents"},
    "button_fees": {"th": "ค่าธรรมเนียม", "en": "Fees"},
    "button_where": {"th": "ยื่นได้ที่ไหน", "en": "Where to apply"},
    "ask_documents": {"th": "เอกสารที่ต้องใช้สำหรับ {title}", "en": "Documents for {title}"},
    "ask_fees": {"th": "ค่าธรรมเนียมสำหรับ {title}", "en": "Fees for {title}"},
    "ask_where": {"th": "ยื่นเรื่อง {title} ได้ที่ไหน", "en": "Where to apply for {title}"},
    "card_verify": {
        "th": "ข้อมูลบางส่วนอาจเปลี่ยนแปลง โปรดตรวจสอบกับหน่วยงานอีกครั้ง",
        "en": "Some details may have changed; please confirm with the agency.",
    },
    "card_reviewed": {"th": "ตรวจสอบข้อมูลล่าสุด {date}", "en": "Last reviewed {date}"},
    "cards_alt": {"th": "ข้อมูลบริการ: {titles}", "en": "Service details: {titles}"},
}


def line_text(key: str, lang: Lang, **values: object) -> str:
    return TEXTS[key][lang].format(**values)


def bilingual(key: str, **values: object) -> str:
    """Thai first, then English: for moments when we do not know the citizen's language yet."""
    return f"{line_text(key, 'th', **values)}\n\n{line_text(key, 'en', **values)}"
