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
    "also_related": {"th": "บริการที่อาจเกี่ยวข้อง", "en": "Related services"},
    "browse_intro": {"th": "บริการในหมวด {event}:", "en": "Services for {event}:"},
    "browse_empty": {
        "th": "ยังไม่มีบริการในหมวด {event} ครับ",
        "en": "There are no services under {event} yet.",
    },
    "browse_pick": {"th": "เลือกหมวดที่ต้องการได้เลยครับ", "en": "Pick a life event:"},
    "error": {
        "th": "ขออภัยครับ ระบบขัดข้องชั่วคราว กรุณาลองใหม่อีกครั้ง",
        "en": "Sorry, something went wrong on our side. Please try again.",
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
