"""What the reports API says when it refuses, in English (``message``) and Thai (``details.messages``)."""

from __future__ import annotations

from typing import Any

from http_api.errors import ApiError

__all__ = ["STATUS_TH", "reports_error"]

# code: (HTTP status, English, Thai); placeholders are filled from reports_error's keyword arguments.
_MESSAGES: dict[str, tuple[int, str, str]] = {
    "report_not_found": (404, "There is no report {id}.", "ไม่พบเรื่องแจ้งปัญหา {id}"),
    "route_not_found": (404, "There is no routing rule {id}.", "ไม่พบกฎการส่งต่อเรื่องเลขที่ {id}"),
    "photo_not_found": (404, "Report {id} has no {which}.", "เรื่อง {id} ไม่มี{which_th}"),
    "report_changed": (
        409,
        "Report {ticket} was changed meanwhile (it is {status}, version {version}): reload it and decide again.",
        "เรื่อง {ticket} มีการเปลี่ยนแปลงระหว่างนี้ (สถานะ {status_th} ฉบับที่ {version}) กรุณาโหลดใหม่แล้วตัดสินใจอีกครั้ง",
    ),
    "status_not_allowed": (
        422,
        "Report {ticket} is {status}: it cannot become {wanted}.",
        "เรื่อง {ticket} อยู่ในสถานะ {status_th} จึงเปลี่ยนเป็น {wanted_th} ไม่ได้",
    ),
    "reason_required": (
        422,
        "A rejection needs a reason the citizen can read.",
        "การปฏิเสธเรื่องต้องระบุเหตุผลที่ประชาชนอ่านเข้าใจได้",
    ),
    "note_required": (
        422,
        "Marking a report done needs a note saying what was done; the citizen reads it.",
        "การปิดเรื่องว่าดำเนินการเสร็จแล้วต้องมีหมายเหตุว่าทำอะไรไปบ้าง ประชาชนจะได้อ่านด้วย",
    ),
    "photo_only_when_done": (
        422,
        "An after-photo goes with status done only.",
        "แนบรูปหลังแก้ไขได้เฉพาะเมื่อเปลี่ยนสถานะเป็นดำเนินการเสร็จแล้ว",
    ),
    "photo_bad_encoding": (
        422,
        "The after-photo must be the image's bytes in base64 (a data: URL is accepted too).",
        "รูปหลังแก้ไขต้องเป็นข้อมูลรูปภาพที่เข้ารหัส base64 (รับแบบ data: URL ได้ด้วย)",
    ),
    "photo_empty": (422, "The after-photo is empty.", "ไฟล์รูปหลังแก้ไขว่างเปล่า"),
    "photo_too_big": (
        422,
        "The after-photo is larger than {limit}: send a smaller one.",
        "รูปหลังแก้ไขมีขนาดเกิน {limit} กรุณาส่งรูปที่เล็กลง",
    ),
    "photo_not_image": (
        422,
        "The after-photo is not a JPEG, PNG or WebP image.",
        "ไฟล์รูปหลังแก้ไขไม่ใช่รูปภาพแบบ JPEG, PNG หรือ WebP",
    ),
    "district_needs_province": (
        422,
        "A district rule needs its province too (district names repeat across provinces).",
        "กฎระดับเขตหรืออำเภอต้องระบุจังหวัดด้วย (ชื่อเขตหรืออำเภอซ้ำกันได้ในต่างจังหวัด)",
    ),
    "invalid_value": (422, "The request is not valid: {problem}", "คำขอไม่ถูกต้อง: {problem}"),
    "unknown_type": (
        422,
        "{type} is not a problem type; known types: {known}.",
        "ไม่มีประเภทปัญหา {type} ประเภทที่มี: {known}",
    ),
    "reports_unavailable": (
        503,
        "The reports desk is not running in this gateway.",
        "ระบบรับเรื่องแจ้งปัญหาไม่ได้ทำงานในเกตเวย์นี้",
    ),
}

# Status names for the Thai messages (the English ones use the API's own values).
STATUS_TH = {
    "received": "รับเรื่องแล้ว",
    "forwarded": "ส่งต่อหน่วยงานแล้ว",
    "in_progress": "กำลังดำเนินการ",
    "done": "ดำเนินการเสร็จแล้ว",
    "rejected": "ไม่รับดำเนินการ",
}


def reports_error(code: str, extra: dict[str, Any] | None = None, **values: Any) -> ApiError:
    """The refusal ``code`` with its HTTP status and both languages; ``extra`` goes into ``details``."""
    status, english, thai = _MESSAGES[code]
    for key in ("status", "wanted"):
        if key in values:
            values.setdefault(f"{key}_th", STATUS_TH.get(str(values[key]), str(values[key])))
    messages = {"th": thai.format(**values), "en": english.format(**values)}
    return ApiError(status, code, messages["en"], {**(extra or {}), "messages": messages})
