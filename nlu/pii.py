"""Finding and masking personal data in what citizens type: Thai national IDs, phone numbers, e-mails.

PDPA asks that these are not kept or logged in clear. The detector is rule-based because every one of
these formats is exact: a national ID has a check digit (:mod:`nlu.national_id`), a Thai phone number
has a known length per prefix, and an address has an ``@``. Presidio (its Thai ID recognizer needs a
spaCy model that is not on PyPI here) and PyThaiNLP's NER (a model download plus python-crfsuite at
run time) were considered and rejected; ``benchmarks/pii_masking.py`` measures this one on
``tests/data/pii_messages``.

How numbers are read: a *run* is digits joined by single separators (``-``, ``.``, space, brackets);
it is split into its digit groups and the longest stretch of whole groups that makes a national ID or
a phone number is taken, so ``โทร 081 234 5678 10 โมง`` masks the phone and leaves the time.

- **National ID** (13 digits): any grouping when the check digit is right; when it is wrong (a typo is
  still somebody's ID), only as typed on the card (``1-2345-67890-12-3``) or as 13 digits in a row.
  A number glued to Latin letters (``TH1234...``) needs a right check digit. Just after a word that
  names another kind of 13-digit number (company tax ID, barcode, parcel, account, meter), a number
  that cannot be a citizen's valid ID (wrong check digit, or a leading 0 as companies' numbers have)
  is not taken for one; a right check digit with a leading 1-8 is masked whatever precedes it.
- **Phone**: mobile ``06/08/09`` + 8 digits, landline ``02``-``07`` + 7 digits, with ``+66``,
  ``(+66)``, ``0066`` or ``+66 (0)`` in front, grouped the ways Thai numbers are written
  (``081-234-5678``, ``08-1234-5678``, ``02 123 4567``, ``053-123-456``, ``+66 81 234 5678``).
  Short official numbers (1111, 1555, 191), reference numbers (``DOPA-2569-000123``), dates,
  amounts and bank accounts (``123-4-56789-0``) have other lengths or groupings.
- **E-mail**: ``local@domain.tld``; a LINE id (``@somchai99``) has no domain and is left.

Masked forms, the same everywhere (stores, logs, the text Rasa sees):

- national ID: the last four digits, as on the card: ``x-xxxx-xxxx1-81-1`` (:func:`mask_national_id`);
- phone: the first two and last two digits: ``08x-xxx-xx78``, ``02-xxx-xx67``, ``+66 8x-xxx-xx78``;
- e-mail: the first letter and the domain: ``s***@example.com``.

A masked form is never detected again, so masking twice changes nothing.
"""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from nlu.national_id import mask_national_id
from nlu.normalize import thai_digits_to_arabic

__all__ = [
    "PII_KINDS",
    "MaskingLogFilter",
    "PiiKind",
    "PiiMatch",
    "checksum_valid",
    "find_pii",
    "install_log_masking",
    "mask_deep",
    "mask_pii",
    "surrogate_national_id",
    "with_digits",
]

PiiKind = Literal["national_id", "phone", "email"]
PII_KINDS: tuple[PiiKind, ...] = ("national_id", "phone", "email")

_DIGIT = "[0-9๐-๙]"
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
# Digit groups joined by a separator of up to three of "-. ()"; a leading "+" or "(+" is kept with the run.
_RUN = re.compile(rf"(?:\(?\+)?{_DIGIT}+(?:[-. ()]{{1,3}}{_DIGIT}+)*\)?")
_GROUP = re.compile(f"{_DIGIT}+")
_GLUE = re.compile(r"[A-Za-z_/#@]")  # a number touching one of these is part of a code, not typed alone

# Words that name a 13-digit number which is not a person's ID, and words that name the ID card.
_OTHER_NUMBER = re.compile(
    r"tax|company|juristic|barcode|bar code|tracking|parcel|order|account|invoice|meter|serial|ean|"
    r"ผู้เสียภาษี|นิติบุคคล|บริษัท|ห้างหุ้นส่วน|บาร์โค้ด|บาร์โค๊ด|พัสดุ|คำสั่งซื้อ|บัญชี|ใบแจ้งหนี้|มิเตอร์|ผู้ใช้ไฟ|สินค้า",
    re.IGNORECASE,
)
# Not "id" or "ประจำตัว" alone: "tax id" and "เลขประจำตัวผู้เสียภาษี" name a company's number too.
_ID_CARD = re.compile(r"บัตร|ประชาชน|national|citizen|id card", re.IGNORECASE)
_CONTEXT_CHARS = 30

_CARD_LAYOUT = (1, 4, 5, 2, 1)
# No ID or phone has more digit groups than "0066 (0) 8 1234 5678" or "1 2345 67890 12 3" with a
# little room: longer stretches are not tried, so a long run of numbers costs linear time.
_MAX_GROUPS = 8
# Digit-group sizes as Thai numbers are written: local numbers (with the leading 0) ...
_MOBILE_LAYOUTS = {
    (10,), (3, 3, 4), (3, 7), (2, 4, 4), (3, 4, 3), (4, 3, 3), (4, 6), (2, 8), (3, 3, 2, 2), (1, 4, 4, 1),
}  # fmt: skip
# "0-2141-4444" / "0 5312 3456" is how agencies print landlines.
_LANDLINE_LAYOUTS = {(9,), (2, 3, 4), (2, 7), (3, 3, 3), (3, 6), (2, 3, 2, 2), (1, 4, 4)}
# ... and after +66 (no leading 0).
_INTL_MOBILE_LAYOUTS = {(9,), (2, 3, 4), (1, 4, 4), (2, 7), (1, 8), (2, 3, 2, 2)}
_INTL_LANDLINE_LAYOUTS = {(8,), (1, 3, 4), (1, 7), (1, 3, 2, 2)}


@dataclass(frozen=True)
class PiiMatch:
    """One piece of personal data: where it is, what was typed, and (for numbers) its digits."""

    kind: PiiKind
    start: int
    end: int
    text: str
    digits: str = ""  # Arabic digits of an ID or phone (a phone without +66 or its leading 0)
    international: bool = False  # a phone typed with +66 / 0066

    @property
    def masked(self) -> str:
        if self.kind == "national_id":
            return mask_national_id(self.digits)
        if self.kind == "phone":
            return _mask_phone(self.digits, self.international)
        local, _, domain = self.text.partition("@")
        return f"{local[:1]}***@{domain}"


def checksum_valid(digits: str) -> bool:
    """The national ID's check digit is right (the first digit is not judged here)."""
    if len(digits) != 13 or not digits.isdigit():
        return False
    total = sum(int(digit) * (13 - position) for position, digit in enumerate(digits[:12]))
    return (11 - total % 11) % 10 == int(digits[12])


def find_pii(text: str) -> list[PiiMatch]:
    """Every national ID, phone number and e-mail address in ``text``, in order.

    :Example:

        >>> [(m.kind, m.text) for m in find_pii("โทร 081-234-5678 หรือ 1111")]
        [('phone', '081-234-5678')]
    """
    found = [PiiMatch("email", m.start(), m.end(), m.group()) for m in _EMAIL.finditer(text)]
    for run in _RUN.finditer(text):
        if any(run.start() < m.end and m.start < run.end() for m in found if m.kind == "email"):
            continue
        found.extend(_numbers_in_run(text, run))
    return sorted(found, key=lambda m: m.start)


def mask_pii(text: str, replace: Callable[[PiiMatch], str] | None = None) -> str:
    """``text`` with every piece of personal data replaced by its masked form (or ``replace(match)``).

    :Example:

        >>> mask_pii("ID 1103702071811, mail somchai@example.com")
        'ID x-xxxx-xxxx1-81-1, mail s***@example.com'
    """
    matches = find_pii(text)
    if not matches:
        return text
    parts: list[str] = []
    position = 0
    for match in matches:
        parts.append(text[position : match.start])
        parts.append(replace(match) if replace else match.masked)
        position = match.end
    parts.append(text[position:])
    return "".join(parts)


def mask_deep(value: Any) -> Any:
    """Every string inside lists, tuples and dict values masked (a transcript, a JSON body)."""
    if isinstance(value, str):
        return mask_pii(value)
    if isinstance(value, dict):
        return {key: mask_deep(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(mask_deep(item) for item in value)
    return value


def surrogate_national_id(digits: str, rng: random.Random | None = None) -> str:
    """A made-up 13-digit number that passes (or fails) the same checks as ``digits``.

    It keeps the last four digits, so its masked form is the real one's (what the citizen is shown
    does not change), the first digit's zero-or-not, and whether the check digit is right: the
    form's validation says the same thing about the surrogate as about the real ID.
    """
    rng = rng or random.SystemRandom()
    valid = checksum_valid(digits)
    while True:
        first = "0" if digits[:1] == "0" else str(rng.randint(1, 8))
        middle = "".join(str(rng.randint(0, 9)) for _ in range(7))
        for eighth in rng.sample("0123456789", 10):
            candidate = first + middle + eighth + digits[9:]
            if checksum_valid(candidate) == valid and candidate != digits:
                return candidate


def with_digits(typed: str, digits: str) -> str:
    """``typed`` with its digits replaced, in order, by ``digits`` (the separators stay as typed)."""
    replacement = iter(digits)
    return "".join(next(replacement) if char.isdigit() else char for char in typed)


# --- numbers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Group:
    start: int
    end: int
    digits: str
    spaced: bool  # the separator before this group holds a space: a new number may start here


def _numbers_in_run(text: str, run: re.Match[str]) -> Iterator[PiiMatch]:
    plus = run.group().lstrip("(").startswith("+")
    groups: list[_Group] = []
    previous_end = run.start()
    for group in _GROUP.finditer(text, run.start(), run.end()):
        separator = text[previous_end : group.start()]
        groups.append(_Group(group.start(), group.end(), thai_digits_to_arabic(group.group()), " " in separator))
        previous_end = group.end()
    index = 0
    while index < len(groups):
        if index > 0 and not groups[index].spaced:
            index += 1
            continue
        for stop in range(min(len(groups), index + _MAX_GROUPS), index, -1):
            if stop < len(groups) and not groups[stop].spaced:
                continue  # a number does not end in the middle of "081-234-5678-9"
            match = _classify(text, groups[index:stop], plus and index == 0, run.start())
            if match is not None:
                yield match
                index = stop
                break
        else:
            index += 1


def _classify(text: str, groups: list[_Group], plus: bool, run_start: int) -> PiiMatch | None:
    start = run_start if plus else groups[0].start
    end = groups[-1].end
    if end < len(text) and text[end] == ")" and text[start] == "(":
        end += 1
    glued = (start > 0 and bool(_GLUE.match(text[start - 1]))) or (end < len(text) and bool(_GLUE.match(text[end])))
    digits = "".join(group.digits for group in groups)
    sizes = tuple(len(group.digits) for group in groups)
    if not glued:
        phone = _international_phone(digits, sizes, plus)
        if phone is not None:
            return PiiMatch("phone", start, end, text[start:end], phone, international=True)
    if len(digits) == 13 and _is_national_id(text, start, digits, sizes, glued):
        return PiiMatch("national_id", start, end, text[start:end], digits)
    if not glued and not plus and _is_local_phone(digits, sizes):
        return PiiMatch("phone", start, end, text[start:end], digits[1:])
    return None


def _international_phone(digits: str, sizes: tuple[int, ...], plus: bool) -> str | None:
    """The number without the country code, when ``digits`` is a +66 / 0066 phone."""
    if plus and digits.startswith("66"):
        prefix = 2
    elif not plus and sizes[0] == 4 and digits.startswith("0066"):
        prefix = 4
    else:
        return None
    number = digits[prefix:]
    if len(sizes) == 1:  # "+66812345678"
        rest = [len(number)]
    elif sizes[0] == prefix:
        rest = list(sizes[1:])
    else:  # "+662 123 4567": the country code glued to the area code
        rest = [sizes[0] - prefix, *sizes[1:]]
    if rest and rest[0] == 1 and number.startswith("0"):  # "+66 (0) 81 ..."
        rest, number = rest[1:], number[1:]
    if not rest:
        return None
    layout = tuple(rest)
    if number[:1] in "689" and len(number) == 9 and layout in _INTL_MOBILE_LAYOUTS:
        return number
    if number[:1] in "234567" and len(number) == 8 and layout in _INTL_LANDLINE_LAYOUTS:
        return number
    return None


def _is_local_phone(digits: str, sizes: tuple[int, ...]) -> bool:
    if not digits.startswith("0"):
        return False
    if digits[1:2] in ("6", "8", "9"):
        return len(digits) == 10 and sizes in _MOBILE_LAYOUTS
    if digits[1:2] in ("2", "3", "4", "5", "7"):
        return len(digits) == 9 and sizes in _LANDLINE_LAYOUTS
    return False


def _is_national_id(text: str, start: int, digits: str, sizes: tuple[int, ...], glued: bool) -> bool:
    valid = checksum_valid(digits)
    if (digits[0] == "0" or not valid) and _names_another_number(text[max(0, start - _CONTEXT_CHARS) : start]):
        return False  # a company's tax ID, a barcode: a citizen's valid ID is masked whatever precedes it
    if valid:
        return True
    return not glued and sizes in ((13,), _CARD_LAYOUT)


def _names_another_number(before: str) -> bool:
    other = [m.end() for m in _OTHER_NUMBER.finditer(before)]
    named = [m.end() for m in _ID_CARD.finditer(before)]
    return bool(other) and (not named or named[-1] < other[-1])


def _mask_phone(number: str, international: bool) -> str:
    """``number`` is without the leading 0 / +66: 9 digits for a mobile, 8 for a landline."""
    head, tail = number[:1], number[-2:]
    body = f"{head}x-xxx-xx{tail}" if len(number) == 9 else f"{head}-xxx-xx{tail}"
    return f"+66 {body}" if international else f"0{body}"


# --- logs ------------------------------------------------------------------------------------


class MaskingLogFilter(logging.Filter):
    """Masks personal data in a record's message, arguments and exception text.

    The arguments are merged into the message first (a national ID passed as ``%s`` is masked
    like one written into the format). Always lets the record through.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        _mask_record(record)
        return True


def _mask_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a broken format string is the logging module's to report
        return
    masked = mask_pii(message)
    if masked != message:
        record.msg, record.args = masked, None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = mask_pii(record.exc_text)
    if record.stack_info:
        record.stack_info = mask_pii(record.stack_info)


_installed_factory: Callable[..., logging.LogRecord] | None = None


def install_log_masking() -> None:
    """Mask every log record of this process as it is made, whichever logger or handler it goes to
    (handlers added later, such as a test's capture or uvicorn's own, included). Idempotent."""
    global _installed_factory
    current = logging.getLogRecordFactory()
    if current is _installed_factory:
        return
    previous = current

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _mask_record(record)
        return record

    _installed_factory = factory
    logging.setLogRecordFactory(factory)
