"""What a refused draft action says, in English and Thai: one catalogue for the JSON API and the pages.

Staff texts, not citizens' (those live in ``texts/``). Placeholders are filled from the error's values.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DRAFT_MESSAGES", "draft_messages"]

# code: (English, Thai)
DRAFT_MESSAGES: dict[str, tuple[str, str]] = {
    "draft_not_found": (
        "There is no draft {draft_id}.",
        "ไม่พบฉบับร่างหมายเลข {draft_id}",
    ),
    "draft_exists": (
        "Service '{service_id}' already has an open draft ({draft_id}, by {author}). "
        "Open that draft and continue it instead of starting another.",
        "บริการ '{service_id}' มีฉบับร่างที่ยังเปิดอยู่แล้ว (หมายเลข {draft_id} โดย {author}) "
        "กรุณาเปิดฉบับร่างนั้นแล้วแก้ไขต่อ แทนการเริ่มฉบับใหม่",
    ),
    "draft_stale": (
        "Draft {draft_id} was saved by {updated_by} (now version {current}) after you opened version {expected}; "
        "nothing of yours was saved. Copy your changes, reload the draft and apply them again.",
        "ฉบับร่างหมายเลข {draft_id} ถูกบันทึกโดย {updated_by} (ตอนนี้เป็นรุ่นที่ {current}) หลังจากที่คุณเปิดรุ่นที่ "
        "{expected} การแก้ไขของคุณยังไม่ถูกบันทึก กรุณาคัดลอกสิ่งที่แก้ไว้ โหลดฉบับร่างใหม่ แล้วแก้ไขอีกครั้ง",
    ),
    "draft_state": (
        "Draft {draft_id} is {state}; it cannot be {action} now.",
        "ฉบับร่างหมายเลข {draft_id} อยู่ในสถานะ{state_th} จึง{action_th}ไม่ได้ในตอนนี้",
    ),
    "draft_mismatch": (
        "Draft {draft_id} is of service '{service_id}', not '{given}'.",
        "ฉบับร่างหมายเลข {draft_id} เป็นของบริการ '{service_id}' ไม่ใช่ '{given}'",
    ),
    "own_draft": (
        "{reviewer} wrote part of draft {draft_id}; another reviewer must review it.",
        "{reviewer} เป็นผู้เขียนฉบับร่างหมายเลข {draft_id} ด้วย จึงต้องให้ผู้ตรวจทานคนอื่นตรวจ",
    ),
    "draft_conflict": (
        "The live service '{service_id}' changed since this draft was started (draft from version {base}, "
        "live now {live}); nothing was published. Compare the draft with the live service, bring the draft up to "
        "date with the live version (rebase) and submit it again.",
        "บริการ '{service_id}' ที่ใช้งานจริงถูกแก้ไขหลังจากเริ่มฉบับร่างนี้ (ฉบับร่างเริ่มจากรุ่นที่ {base} "
        "ตอนนี้เป็นรุ่นที่ {live}) จึงยังไม่ได้เผยแพร่ กรุณาเทียบฉบับร่างกับบริการที่ใช้งานจริง "
        "ปรับฉบับร่างให้ตั้งต้นจากรุ่นปัจจุบัน (rebase) แล้วส่งตรวจทานอีกครั้ง",
    ),
    "draft_id_taken": (
        "A service with id '{service_id}' was created since this draft of a new service was started; nothing "
        "was published. Give the draft another id, or start a draft of the existing service.",
        "มีผู้สร้างบริการรหัส '{service_id}' ขึ้นแล้วหลังจากเริ่มฉบับร่างบริการใหม่นี้ จึงยังไม่ได้เผยแพร่ "
        "กรุณาเปลี่ยนรหัสของฉบับร่าง หรือเริ่มฉบับร่างจากบริการที่มีอยู่แล้ว",
    ),
    "draft_live_deleted": (
        "The live service '{service_id}' was deleted since this draft was started (from version {base}); nothing "
        "was published. Restore the service first if it should come back.",
        "บริการ '{service_id}' ถูกลบไปแล้วหลังจากเริ่มฉบับร่างนี้ (ฉบับร่างเริ่มจากรุ่นที่ {base}) จึงยังไม่ได้เผยแพร่ "
        "หากต้องการนำบริการกลับมา กรุณากู้คืนบริการก่อน",
    ),
}

# How the states and actions read inside the sentences above.
_STATE_TH = {"draft": "ฉบับร่าง", "submitted": "รอตรวจทาน", "published": "เผยแพร่แล้ว", "discarded": "ยกเลิกแล้ว"}
_ACTION_TH = {
    "saved": "บันทึก",
    "submitted": "ส่งตรวจทาน",
    "rebased": "ปรับให้ตั้งต้นจากรุ่นปัจจุบัน",
    "returned": "ส่งกลับ",
    "published": "เผยแพร่",
    "discarded": "ยกเลิก",
}


def draft_messages(code: str, **values: Any) -> dict[str, str]:
    """The refusal ``code`` in both languages, ``{"th": ..., "en": ...}``."""
    english, thai = DRAFT_MESSAGES[code]
    extra = {
        "state_th": _STATE_TH.get(str(values.get("state")), str(values.get("state"))),
        "action_th": _ACTION_TH.get(str(values.get("action")), str(values.get("action"))),
    }
    return {"th": thai.format(**values, **extra), "en": english.format(**values, **extra)}
