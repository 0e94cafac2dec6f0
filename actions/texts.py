"""Citizen-facing texts that actions compose, in Thai and English side by side."""

from __future__ import annotations

from typing import Literal

from knowledge.schema import LifeEvent

Lang = Literal["th", "en"]

TEXTS: dict[str, dict[Lang, str]] = {
    "documents": {"th": "เอกสารที่ต้องใช้", "en": "Documents to bring"},
    "fees": {"th": "ค่าธรรมเนียม", "en": "Fees"},
    "processing_time": {"th": "ระยะเวลาดำเนินการ", "en": "Processing time"},
    "where_to_apply": {"th": "ยื่นได้ที่", "en": "Where to apply"},
    "opening_hours": {"th": "เวลาทำการ", "en": "Opening hours"},
    "eligibility": {"th": "ผู้มีสิทธิ์", "en": "Who can apply"},
    "steps": {"th": "ขั้นตอน", "en": "Steps"},
    "agency": {"th": "หน่วยงาน", "en": "Agency"},
    "apply_online": {"th": "ยื่นออนไลน์", "en": "Apply online"},
    "official_source": {"th": "แหล่งข้อมูลทางการ", "en": "Official source"},
    "source_line": {
        "th": "ที่มา: {url} (ตรวจสอบข้อมูลล่าสุด {date})",
        "en": "Source: {url} (last reviewed {date})",
    },
    "verify_note": {
        "th": "โปรดตรวจสอบ{fields}กับหน่วยงานอีกครั้ง เพราะข้อมูลส่วนนี้อาจเปลี่ยนแปลง",
        "en": "Please confirm the {fields} with the agency; this part may have changed.",
    },
    "no_match": {
        "th": "ขออภัยครับ ผมยังหาบริการที่ตรงกับคำถามนี้ไม่เจอ ลองเลือกหมวดเหตุการณ์ในชีวิตด้านล่าง หรือพิมพ์ชื่อบริการให้ชัดขึ้นอีกนิดได้ไหมครับ",
        "en": "Sorry, I couldn't find a service that matches. Try a life event below, or name the service a little more precisely.",
    },
    "more_about": {"th": "ถามต่อเกี่ยวกับบริการนี้ได้เลยครับ", "en": "You can ask more about this service:"},
    "also_related": {"th": "บริการที่อาจเกี่ยวข้อง", "en": "Related services"},
    "browse_intro": {"th": "บริการในหมวด {event}:", "en": "Services for {event}:"},
    "browse_empty": {
        "th": "ยังไม่มีบริการในหมวด {event} ครับ",
        "en": "There are no services under {event} yet.",
    },
    "browse_pick": {"th": "เลือกหมวดที่ต้องการได้เลยครับ", "en": "Pick a life event:"},
    "ask_which_service": {
        "th": "ต้องการทราบ{label}ของบริการไหนครับ พิมพ์ชื่อบริการได้เลย เช่น ทำบัตรประชาชน หรือต่อใบขับขี่",
        "en": 'Which service would you like the {label_lower} for? Type its name, for example "ID card" or "driving licence".',
    },
    "follow_documents": {"th": "ต้องใช้เอกสารอะไรบ้าง", "en": "What documents do I need?"},
    "follow_fees": {"th": "ค่าธรรมเนียมเท่าไหร่", "en": "How much does it cost?"},
    "follow_where": {"th": "ยื่นได้ที่ไหน", "en": "Where do I apply?"},
    "follow_time": {"th": "ใช้เวลานานไหม", "en": "How long does it take?"},
    "follow_eligibility": {"th": "ใครมีสิทธิ์ยื่น", "en": "Who can apply?"},
    "feedback_helpful": {"th": "👍 ช่วยได้", "en": "👍 Helpful"},
    "feedback_unhelpful": {"th": "👎 ไม่ช่วย", "en": "👎 Not helpful"},
    "feedback_thanks": {
        "th": "ขอบคุณสำหรับคำติชมครับ ผมจะนำไปปรับปรุงคำตอบ",
        "en": "Thank you for the feedback; it helps us improve the answers.",
    },
    "feedback_comment_thanks": {
        "th": "ได้รับความเห็นแล้วครับ ขอบคุณมากครับ",
        "en": "Thank you, your comment has been recorded.",
    },
    "feedback_nothing_to_rate": {
        "th": "ขอบคุณครับ ถ้าต้องการให้คะแนนคำตอบ ให้กดปุ่มใต้คำตอบนั้นได้เลยครับ",
        "en": "Thank you. To rate an answer, use the buttons under it.",
    },
    "language_now_th": {"th": "ได้เลยครับ จากนี้ผมจะตอบเป็นภาษาไทยนะครับ", "en": "ได้เลยครับ จากนี้ผมจะตอบเป็นภาษาไทยนะครับ"},
    "language_now_en": {
        "th": "Sure, I'll answer in English from now on.",
        "en": "Sure, I'll answer in English from now on.",
    },
    "handoff_done": {
        "th": "ส่งเรื่องให้เจ้าหน้าที่แล้วครับ (เลขที่เรื่อง #{ticket}) เจ้าหน้าที่จะอ่านบทสนทนานี้และตอบกลับในช่องทางนี้ในเวลาราชการ ระหว่างรอคุณยังถามผมต่อได้ตามปกติ หากเร่งด่วน โทรสายด่วนศูนย์บริการข้อมูลภาครัฐ 1111",
        "en": "I've passed this conversation to a staff member (request #{ticket}). They will read it and reply here during office hours. Meanwhile you can keep asking me. If it's urgent, call the Government Contact Center on 1111.",
    },
    "handoff_declined": {"th": "ได้ครับ ลองถามใหม่อีกแบบได้เลยครับ", "en": "All right. Feel free to ask in another way."},
    "status_line": {
        "th": "คำขอเลขที่ {reference} ({service})\nสถานะ: {status}\nอัปเดตล่าสุด: {updated}",
        "en": "Application {reference} ({service})\nStatus: {status}\nLast updated: {updated}",
    },
    "status_bad_reference": {
        "th": "ไม่พบเลขที่คำขอในข้อความครับ เลขที่คำขอมีรูปแบบเช่น DOPA-2569-000123 ลองพิมพ์ใหม่อีกครั้ง",
        "en": "I couldn't find a reference number in that. It looks like DOPA-2569-000123; please try again.",
    },
    "status_unknown_reference": {
        "th": "ไม่พบคำขอเลขที่ {reference} ในระบบครับ กรุณาตรวจสอบเลขตามใบรับคำขออีกครั้ง",
        "en": "There is no application {reference} in the system. Please check the number on your receipt.",
    },
    "id_bad_length": {
        "th": "เลขประจำตัวประชาชนต้องมี 13 หลักครับ (ที่พิมพ์มามี {count} หลัก) กรุณาพิมพ์ใหม่",
        "en": "A national ID number has 13 digits (you typed {count}). Please try again.",
    },
    "id_bad_checksum": {
        "th": "เลขประจำตัวประชาชนนี้ไม่ถูกต้องครับ หลักสุดท้ายไม่ตรงกับเลขตรวจสอบ อาจพิมพ์ผิดบางหลัก กรุณาตรวจสอบกับบัตรแล้วพิมพ์ใหม่",
        "en": "That national ID number is not valid: its last (check) digit doesn't match, so a digit may be mistyped. Please check your card and try again.",
    },
    "id_bad_first_digit": {
        "th": "เลขประจำตัวประชาชนไม่ขึ้นต้นด้วย 0 ครับ กรุณาตรวจสอบแล้วพิมพ์ใหม่",
        "en": "A national ID number never starts with 0. Please check it and try again.",
    },
    "id_mismatch": {
        "th": "เลขประจำตัวประชาชน {masked} ไม่ตรงกับผู้ยื่นคำขอนี้ครับ กรุณาตรวจสอบอีกครั้ง",
        "en": "The national ID {masked} does not match this application. Please check it.",
    },
    "status_cancelled": {
        "th": 'ยกเลิกการตรวจสอบสถานะแล้วครับ เมื่อพร้อม พิมพ์ "ตรวจสอบสถานะ" เพื่อทำต่อได้เลย',
        "en": 'Status check cancelled. Type "check my status" whenever you want to continue.',
    },
    "error": {
        "th": "ขออภัยครับ ระบบขัดข้องชั่วคราว กรุณาลองใหม่อีกครั้ง",
        "en": "Sorry, something went wrong on our side. Please try again.",
    },
}

STATUS_NAMES: dict[str, dict[Lang, str]] = {
    "received": {"th": "ได้รับคำขอแล้ว รอดำเนินการ", "en": "Received, waiting to be processed"},
    "in_review": {"th": "อยู่ระหว่างพิจารณา", "en": "Under review"},
    "needs_documents": {
        "th": "ต้องส่งเอกสารเพิ่มเติม โปรดติดต่อหน่วยงาน",
        "en": "More documents needed; please contact the agency",
    },
    "approved": {"th": "อนุมัติแล้ว", "en": "Approved"},
    "ready_for_pickup": {"th": "พร้อมให้มารับแล้ว", "en": "Ready for collection"},
    "rejected": {
        "th": "ไม่ผ่านการพิจารณา โปรดติดต่อหน่วยงานเพื่อสอบถามเหตุผล",
        "en": "Not approved; please contact the agency for the reason",
    },
}

LIFE_EVENT_NAMES: dict[LifeEvent, dict[Lang, str]] = {
    LifeEvent.BIRTH: {"th": "การเกิด", "en": "Having a baby"},
    LifeEvent.EDUCATION: {"th": "การศึกษา", "en": "Education"},
    LifeEvent.WORK: {"th": "การทำงาน", "en": "Work"},
    LifeEvent.FAMILY: {"th": "ครอบครัว", "en": "Family"},
    LifeEvent.MOVING_HOUSE: {"th": "ย้ายที่อยู่", "en": "Moving house"},
    LifeEvent.DRIVING: {"th": "การขับขี่และยานพาหนะ", "en": "Driving and vehicles"},
    LifeEvent.BUSINESS: {"th": "ธุรกิจ", "en": "Business"},
    LifeEvent.HEALTH: {"th": "สุขภาพ", "en": "Health"},
    LifeEvent.RETIREMENT_WELFARE: {"th": "ผู้สูงอายุและสวัสดิการ", "en": "Retirement and welfare"},
    LifeEvent.DEATH: {"th": "การเสียชีวิต", "en": "Death of a relative"},
}


def text(key: str, lang: Lang, **values: str) -> str:
    return TEXTS[key][lang].format(**values)
