"""The Thai 13-digit national ID: checksum validation and safe display.

The last digit is a check digit: ``(11 - sum(d[i] * (13 - i) for i < 12) % 11) % 10``.
An invalid number is refused with the reason; a number is never echoed in full.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlu.normalize import thai_digits_to_arabic

__all__ = ["NATIONAL_ID_PATTERN", "IdCheck", "check_national_id", "find_national_ids", "mask_national_id"]

# 13 digits, optionally grouped 1-4-5-2-1 with dashes or spaces; Thai digits allowed.
NATIONAL_ID_PATTERN = re.compile(r"(?<![0-9๐-๙])[0-9๐-๙](?:[- ]?[0-9๐-๙]){12}(?![0-9๐-๙])")


@dataclass(frozen=True)
class IdCheck:
    valid: bool
    digits: str
    reason: str | None = None  # "length" | "checksum" | "first_digit"


def _digits(text: str) -> str:
    return re.sub(r"\D", "", thai_digits_to_arabic(text))


def check_national_id(text: str) -> IdCheck:
    """Validate a typed ID.

    :Example:

        >>> check_national_id("1-1037-02071-81-1").valid
        True
        >>> check_national_id("1103702071812").reason
        'checksum'
    """
    digits = _digits(text)
    if len(digits) != 13:
        return IdCheck(False, digits, "length")
    if digits[0] == "0":
        return IdCheck(False, digits, "first_digit")
    total = sum(int(digit) * (13 - position) for position, digit in enumerate(digits[:12]))
    expected = (11 - total % 11) % 10
    if expected != int(digits[12]):
        return IdCheck(False, digits, "checksum")
    return IdCheck(True, digits)


def find_national_ids(text: str) -> list[tuple[int, int, str]]:
    """Spans that look like a national ID: ``(start, end, digits)``."""
    return [(m.start(), m.end(), _digits(m.group())) for m in NATIONAL_ID_PATTERN.finditer(text)]


def mask_national_id(digits: str) -> str:
    """Show only the last four digits, in the 1-4-5-2-1 grouping printed on the card.

    :Example:

        >>> mask_national_id("1103702071811")
        'x-xxxx-xxxx1-81-1'
    """
    if len(digits) != 13:
        return "x" * len(digits)
    return f"x-xxxx-xxxx{digits[9]}-{digits[10:12]}-{digits[12]}"
