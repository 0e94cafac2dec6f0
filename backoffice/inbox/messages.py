"""What the inbox API says when it refuses, in English (``message``) and Thai (``details.messages``)."""

from __future__ import annotations

from typing import Any

from http_api.errors import ApiError

__all__ = ["inbox_error"]

# code: (HTTP status, English, Thai); placeholders are filled from inbox_error's keyword arguments.
_MESSAGES: dict[str, tuple[int, str, str]] = {
    "handoff_not_found": (
        404,
        "There is no hand-off request {id}.",
        "ไม่พบคำขอคุยกับเจ้าหน้าที่เลขที่ {id}",
    ),
    "handoff_taken": (
        409,
        "Request {id} is already taken by {assigned_to}.",
        "คำขอเลขที่ {id} มีเจ้าหน้าที่ {assigned_to} รับไปแล้ว",
    ),
    "handoff_not_yours": (
        409,
        "Request {id} is not held by you (it is {state}, held by {assigned_to}): take it first.",
        "คำขอเลขที่ {id} ไม่ได้อยู่ในความดูแลของคุณ (สถานะ {state} ผู้ดูแล {assigned_to}) กรุณารับเรื่องก่อน",
    ),
    "handoff_wrong_state": (
        409,
        "Request {id} is {state}: this cannot be done now.",
        "คำขอเลขที่ {id} อยู่ในสถานะ {state} จึงทำรายการนี้ไม่ได้ในตอนนี้",
    ),
    "unknown_agent": (
        422,
        "{to} is not an officer who can take hand-offs (no such active account with the handoff permission).",
        "{to} ไม่ใช่เจ้าหน้าที่ที่รับเรื่องได้ (ไม่มีบัญชีที่ใช้งานอยู่และมีสิทธิ์ handoff)",
    ),
    "desk_unavailable": (
        503,
        "The hand-off desk is not running in this gateway.",
        "ระบบรับเรื่องของเจ้าหน้าที่ไม่ได้ทำงานในเกตเวย์นี้",
    ),
}


def inbox_error(code: str, extra: dict[str, Any] | None = None, **values: Any) -> ApiError:
    status, english, thai = _MESSAGES[code]
    messages = {"th": thai.format(**values), "en": english.format(**values)}
    return ApiError(status, code, messages["en"], {**(extra or {}), "messages": messages})
