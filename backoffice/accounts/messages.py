"""What the staff API says when it refuses, in English (the error's ``message``) and Thai (``details``).

Staff texts, not citizens' (those live in ``texts/``): the back office's pages show the language the
person picked, from ``details.messages``; scripts read the stable ``code``.
"""

from __future__ import annotations

from typing import Any

from http_api.errors import ApiError
from http_api.rate_limits import TooManyRequestsError

__all__ = ["SignInRateLimitedError", "staff_error"]

# code: (English, Thai). Placeholders are filled from the keyword arguments of staff_error.
_MESSAGES: dict[str, tuple[str, str]] = {
    "sign_in_required": (
        "Sign in first: this needs a staff session or an account token (Authorization: Bearer <token>).",
        "กรุณาเข้าสู่ระบบก่อน รายการนี้ต้องใช้เซสชันของเจ้าหน้าที่หรือโทเคนของบัญชี (Authorization: Bearer <โทเคน>)",
    ),
    "session_ended": (
        "Your session has ended or is not valid. Please sign in again.",
        "เซสชันของคุณสิ้นสุดแล้วหรือใช้ไม่ได้ กรุณาเข้าสู่ระบบอีกครั้ง",
    ),
    "invalid_token": (
        "The account token is not valid: it is unknown, revoked, or its account is disabled.",
        "โทเคนของบัญชีใช้ไม่ได้ อาจไม่มีอยู่ในระบบ ถูกยกเลิกแล้ว หรือบัญชีถูกปิดใช้งาน",
    ),
    "invalid_credentials": (
        "The account name or password is wrong.",
        "ชื่อบัญชีหรือรหัสผ่านไม่ถูกต้อง",
    ),
    "account_locked": (
        "This account is locked after too many wrong passwords. Try again after {until} UTC "
        "(about {minutes} minutes), or ask an administrator to unlock it.",
        "บัญชีนี้ถูกล็อกชั่วคราวเพราะใส่รหัสผ่านผิดหลายครั้ง กรุณาลองใหม่หลังเวลา {until} UTC "
        "(อีกประมาณ {minutes} นาที) หรือขอให้ผู้ดูแลระบบปลดล็อก",
    ),
    "csrf_failed": (
        "The CSRF token is missing or wrong: send the token given at sign-in in the X-CSRF-Token header.",
        "ไม่มีโทเคน CSRF หรือโทเคนไม่ถูกต้อง กรุณาส่งโทเคนที่ได้รับตอนเข้าสู่ระบบในส่วนหัว X-CSRF-Token",
    ),
    "forbidden": (
        "Your role ({role}) may not do this: it needs the '{permission}' permission.",
        "บทบาทของคุณ ({role}) ทำรายการนี้ไม่ได้ ต้องมีสิทธิ์ '{permission}'",
    ),
    "too_many_sign_ins": (
        "Too many sign-in attempts from this address. Please wait about {seconds} seconds and try again.",
        "มีการพยายามเข้าสู่ระบบจากที่อยู่นี้บ่อยเกินไป กรุณารอประมาณ {seconds} วินาทีแล้วลองใหม่",
    ),
}

_STATUS = {
    "sign_in_required": 401,
    "session_ended": 401,
    "invalid_token": 401,
    "invalid_credentials": 401,
    "account_locked": 423,
    "csrf_failed": 403,
    "forbidden": 403,
}


def _messages(code: str, **values: Any) -> dict[str, str]:
    english, thai = _MESSAGES[code]
    return {"th": thai.format(**values), "en": english.format(**values)}


def staff_error(code: str, extra: dict[str, Any] | None = None, **values: Any) -> ApiError:
    """The refusal ``code`` in the error envelope: English message, both languages in ``details``."""
    messages = _messages(code, **values)
    return ApiError(_STATUS[code], code, messages["en"], {**(extra or {}), "messages": messages})


class SignInRateLimitedError(TooManyRequestsError):
    """A 429 with ``Retry-After`` (the rate limiter's handler), worded for a person signing in."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(retry_after)
        seconds = max(1, int(retry_after + 0.999))
        messages = _messages("too_many_sign_ins", seconds=seconds)
        self.code, self.message = "too_many_sign_ins", messages["en"]
        self.details = {"retry_after_seconds": seconds, "messages": messages}
