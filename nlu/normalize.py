"""Thai text normalisation that remembers where every character came from.

Citizens type ``ครับบบบ``, paste text with zero-width spaces, double a tone mark
by accident or write numbers in Thai digits. Matching needs a clean copy, but a
Rasa token must quote the original text verbatim, so :func:`normalize_with_spans`
returns, for each normalised character, the span of original characters it
stands for.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "ZERO_WIDTH_CHARS",
    "normalize_text",
    "normalize_with_spans",
    "remove_zero_width",
    "thai_digits_to_arabic",
]

ZERO_WIDTH_CHARS = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")

_THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
_DIGIT_MAP = {thai: str(value) for value, thai in enumerate(_THAI_DIGITS)}

# Above/below vowels and tone marks: typing one twice is always a mistake.
_COMBINING_MARKS = frozenset(
    "\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4d\u0e4e"
)
# Thai letters and vowels (no digits, no marks): a run of four or more is elongation ("มากกกก",
# "จ้าาาา"). Three is elongation only where a word ends ("ครับบบ", "ครับบบ ขอบคุณ"): inside running
# text it is one word's last letter before another's doubled first ("ใน" + "นนทบุรี").
_THAI_LETTER = re.compile(r"[\u0e01-\u0e30\u0e32\u0e33\u0e40-\u0e46]")
_THAI_CHAR = re.compile(r"[\u0e01-\u0e4e]")
_ELONGATION_MIN = 3
_ELONGATION_ANYWHERE = 4


def _is_thai_letter(char: str) -> bool:
    return bool(_THAI_LETTER.fullmatch(char))


def normalize_with_spans(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Normalise ``text`` and map each output character to its original span.

    The result's ``spans[i]`` is the ``(start, end)`` slice of ``text`` that
    produced normalised character ``i``; dropped characters (zero-width) belong
    to no span, collapsed runs belong to the one character they became.

    :Example:

        >>> normalize_with_spans("ครับบบ")[0]
        'ครับ'
        >>> normalize_with_spans("ครับบบ")[1][-1]
        (3, 6)
        >>> normalize_with_spans("๑๒")[0]
        '12'
    """
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    i = 0
    length = len(text)
    while i < length:
        char = text[i]
        if char in ZERO_WIDTH_CHARS:
            i += 1
            continue
        if char == "เ" and i + 1 < length and text[i + 1] == "เ":
            # Two sara e typed for sara ae: a common keyboard habit.
            out.append("แ")
            spans.append((i, i + 2))
            i += 2
            continue
        if char in _COMBINING_MARKS:
            run_end = i + 1
            while run_end < length and (text[run_end] == char or text[run_end] in ZERO_WIDTH_CHARS):
                run_end += 1
            out.append(char)
            spans.append((i, run_end))
            i = run_end
            continue
        if _is_thai_letter(char):
            run_end = i + 1
            while run_end < length and text[run_end] == char:
                run_end += 1
            run = run_end - i
            word_ends = run_end == length or not _THAI_CHAR.fullmatch(text[run_end])
            if run >= _ELONGATION_ANYWHERE or (run >= _ELONGATION_MIN and word_ends):
                out.append(char)
                spans.append((i, run_end))
                i = run_end
                continue
        out.append(_DIGIT_MAP.get(char, char))
        spans.append((i, i + 1))
        i += 1
    return "".join(out), spans


def normalize_text(text: str) -> str:
    """Return a clean copy for matching: NFC, no zero-width, no elongation, Arabic digits.

    :Example:

        >>> normalize_text("บัตรประชาชน\u200bหายครับบบบ")
        'บัตรประชาชนหายครับ'
        >>> normalize_text("ค่่าธรรมเนียม ๑๐๐ บาท")
        'ค่าธรรมเนียม 100 บาท'
        >>> normalize_text("")
        ''
    """
    if not text:
        return ""
    return normalize_with_spans(unicodedata.normalize("NFC", text))[0]


def remove_zero_width(text: str) -> str:
    """Drop zero-width spaces/joiners and soft hyphens that copy-paste brings in."""
    return "".join(char for char in text if char not in ZERO_WIDTH_CHARS)


def thai_digits_to_arabic(text: str) -> str:
    """Replace Thai digits (๐-๙) with Arabic ones, leaving everything else.

    :Example:

        >>> thai_digits_to_arabic("พ.ศ. ๒๕๖๙")
        'พ.ศ. 2569'
    """
    return "".join(_DIGIT_MAP.get(char, char) for char in text)
