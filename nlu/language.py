"""Which language a citizen wrote in, so the bot can answer in the same one."""

from __future__ import annotations

from typing import Literal

__all__ = ["Lang", "Language", "detect_language", "reply_language"]

Lang = Literal["th", "en"]  # a language the assistant answers in
Language = Literal["th", "en", "mixed"]  # a language a citizen may write in

# A message is "mixed" when the minority script holds at least this share of
# the letters, e.g. "ขอ passport ใหม่"; a single stray Latin letter is not.
_MIXED_SHARE = 0.15


def _count_letters(text: str) -> tuple[int, int]:
    thai = latin = 0
    for char in text:
        if "\u0e01" <= char <= "\u0e4e":
            thai += 1
        elif ("a" <= char <= "z") or ("A" <= char <= "Z"):
            latin += 1
    return thai, latin


def detect_language(text: str, default: Language = "th") -> Language:
    """Return ``"th"``, ``"en"`` or ``"mixed"`` from the letters in ``text``.

    Text without Thai or Latin letters (empty, digits, emoji) gives ``default``.

    :Example:

        >>> detect_language("ต่ออายุบัตรประชาชนต้องใช้เอกสารอะไร")
        'th'
        >>> detect_language("How do I renew my passport?")
        'en'
        >>> detect_language("ขอ passport ใหม่")
        'mixed'
        >>> detect_language("👍", default="en")
        'en'
    """
    thai, latin = _count_letters(text)
    total = thai + latin
    if total == 0:
        return default
    if thai == 0:
        return "en"
    if latin == 0:
        return "th"
    if min(thai, latin) / total >= _MIXED_SHARE:
        return "mixed"
    return "th" if thai > latin else "en"


def reply_language(detected: Language) -> Lang:
    """Map a detected language to the one to answer in: Thai for code-switched Thai."""
    return "en" if detected == "en" else "th"
