"""Dates as Thai citizens write them: Buddhist or Christian era, Thai or Arabic digits.

"12 พ.ค. 2569", "๑๒ พฤษภาคม ๒๕๖๙", "12/05/2569", "12/5/26", "2026-05-12",
"May 12, 2026", "12 May 2026" all mean 12 May 2026. A year above 2400 is taken as
Buddhist era (BE = CE + 543); two-digit years follow the era of the rest of the text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from nlu.normalize import thai_digits_to_arabic

__all__ = ["DateMention", "find_dates", "parse_date", "to_buddhist_year"]

BE_OFFSET = 543

_THAI_MONTHS = {
    1: ["มกราคม", "ม.ค.", "มค"],
    2: ["กุมภาพันธ์", "ก.พ.", "กพ"],
    3: ["มีนาคม", "มี.ค.", "มีค"],
    4: ["เมษายน", "เม.ย.", "เมย"],
    5: ["พฤษภาคม", "พ.ค.", "พค"],
    6: ["มิถุนายน", "มิ.ย.", "มิย"],
    7: ["กรกฎาคม", "ก.ค.", "กค"],
    8: ["สิงหาคม", "ส.ค.", "สค"],
    9: ["กันยายน", "ก.ย.", "กย"],
    10: ["ตุลาคม", "ต.ค.", "ตค"],
    11: ["พฤศจิกายน", "พ.ย.", "พย"],
    12: ["ธันวาคม", "ธ.ค.", "ธค"],
}
_EN_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
            ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
            ("october", "oct"), ("november", "nov"), ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}  # fmt: skip
_MONTH_WORDS = {name: number for number, names in _THAI_MONTHS.items() for name in names} | _EN_MONTHS
_MONTH_ALT = "|".join(sorted((re.escape(m) for m in _MONTH_WORDS), key=len, reverse=True))

_PATTERNS = [
    # 2026-05-12
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"),
    # 12/05/2569, 12-5-26, 12.5.2026
    re.compile(r"(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4}|\d{2})(?!\d)"),
    # 12 พ.ค. 2569, 12 May 2026, วันที่ 12 พฤษภาคม พ.ศ. 2569
    re.compile(
        rf"(?P<d>\d{{1,2}})\s*(?P<mw>{_MONTH_ALT})\s*(?P<era1>พ\.?ศ\.?|ค\.?ศ\.?)?\s*(?P<y>\d{{4}}|\d{{2}})(?!\d)", re.I
    ),
    # May 12, 2026
    re.compile(rf"(?P<mw>{_MONTH_ALT})\s+(?P<d>\d{{1,2}}),?\s*(?P<y>\d{{4}})", re.I),
]


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    date: dt.date
    era: str  # "BE" or "CE", as written


def to_buddhist_year(year: int) -> int:
    return year + BE_OFFSET


def _year(raw: str, text: str, era_hint: str | None) -> tuple[int, str]:
    value = int(raw)
    be_context = bool(re.search(r"พ\.?\s?ศ|B\.?E", text)) or (era_hint or "").startswith("พ")
    ce_context = bool(re.search(r"ค\.?\s?ศ|\bA\.?D\b|\bCE\b", text)) or (era_hint or "").startswith("ค")
    if len(raw) == 2:
        # Two digits: Thai forms usually mean BE ("12/5/69" = 2569); "CE" in the text says otherwise.
        value += 2500 if not ce_context else 2000
    if value > 2400 and not ce_context:
        return value - BE_OFFSET, "BE"
    if be_context and value > 2400:
        return value - BE_OFFSET, "BE"
    return value, "CE"


def find_dates(text: str) -> list[DateMention]:
    """Every valid date in ``text`` (Thai digits allowed), with its span.

    :Example:

        >>> [m.date.isoformat() for m in find_dates("นัดวันที่ ๑๒ พ.ค. ๒๕๖๙ ครับ")]
        ['2026-05-12']
        >>> [m.date.isoformat() for m in find_dates("born 3 March 1990")]
        ['1990-03-03']
    """
    normalised = thai_digits_to_arabic(text)  # same length: offsets stay valid
    mentions: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(normalised):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            groups = match.groupdict()
            month = int(groups["m"]) if groups.get("m") else _MONTH_WORDS.get(groups["mw"].lower(), 0)
            year, era = _year(groups["y"], normalised, groups.get("era1"))
            try:
                date = dt.date(year, month, int(groups["d"]))
            except ValueError:
                continue
            taken.append((match.start(), match.end()))
            mentions.append(DateMention(match.start(), match.end(), date, era))
    return sorted(mentions, key=lambda m: m.start)


def parse_date(text: str) -> dt.date | None:
    """The first date in ``text``, or None."""
    found = find_dates(text)
    return found[0].date if found else None
