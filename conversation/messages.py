"""Canned replies for when a turn cannot be answered normally, with a machine status.

One place for every failure a citizen may see, in Thai and English, so the
wording stays consistent across the web widget and LINE.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

__all__ = ["TurnStatus", "canned_reply"]


class TurnStatus(StrEnum):
    OK = "ok"
    RASA_UNAVAILABLE = "rasa_unavailable"
    RASA_TIMEOUT = "rasa_timeout"
    NO_REPLY = "no_reply"


_REPLIES: dict[TurnStatus, dict[str, str]] = {
    TurnStatus.RASA_UNAVAILABLE: {
        "th": "ขออภัยครับ ระบบตอบคำถามยังไม่พร้อมใช้งานในขณะนี้ กรุณาลองใหม่อีกครั้งในอีกสักครู่",
        "en": "Sorry, the assistant is not available right now. Please try again in a moment.",
    },
    TurnStatus.RASA_TIMEOUT: {
        "th": "ขออภัยครับ ระบบใช้เวลานานเกินไป กรุณาถามใหม่อีกครั้ง",
        "en": "Sorry, that took too long. Please ask again.",
    },
    TurnStatus.NO_REPLY: {
        "th": "ขออภัยครับ ผมยังไม่มีคำตอบสำหรับข้อความนี้ ลองถามเรื่องบริการภาครัฐ เช่น การทำบัตรประชาชนหรือหนังสือเดินทางได้ครับ",
        "en": "Sorry, I have no answer for that. Try asking about a government service, such as ID cards or passports.",
    },
}


def canned_reply(status: TurnStatus, lang: Literal["th", "en"]) -> str:
    return _REPLIES[status][lang]
