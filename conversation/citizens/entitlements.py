"""Services a citizen *may be* entitled to, from their consented profile and the services' rules.

Why "may be": a service's ``eligibility_rules`` are necessary conditions only (knowledge/eligibility.py);
income tests and the like stay in the prose, and a rule nobody compared with its source is said with
more caution. The ranking puts first what the citizen can apply for now, then what they will soon be
able to (turning 60 next month: the elderly allowance), then what the profile does not yet decide,
with what would decide it. Services the rules rule out are left out.

:Example:

    >>> import datetime as dt
    >>> from knowledge.eligibility import Eligibility, Profile
    >>> turns_old_enough(Eligibility(min_age=60), Profile(birth_date=dt.date(1966, 12, 20)), dt.date(2026, 12, 3))
    datetime.date(2026, 12, 20)
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from knowledge.eligibility import Eligibility, Profile, Verdict, evaluate
from knowledge.reports.places import Place, load_gazetteer
from knowledge.schema import Office, Service

__all__ = [
    "SOON_DAYS",
    "Entitlement",
    "entitlements",
    "find_province",
    "office_in_province",
    "shortlist",
    "specificity",
    "turns_old_enough",
    "when_label",
]

# "Soon" eligible: the citizen reaches the service's minimum age within this many days.
SOON_DAYS = 92
# An office with coordinates this close to a province's centre serves it when no office names it.
_OFFICE_KM = 60.0

_THAI_MONTHS = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)

_ENGLISH_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)  # not strftime("%B"): that follows the process's locale

Standing = Literal["eligible", "soon", "unknown"]


@dataclass(frozen=True)
class Entitlement:
    """One service offered from the profile, with why it is offered."""

    service: Service
    standing: Standing
    verdict: Verdict
    verified: bool  # someone compared the rule with its source
    eligible_from: dt.date | None = None  # standing "soon": the day (or the first possible day) they qualify
    from_year_only: bool = False  # eligible_from is only the year (the profile has no birth date)
    office: Office | None = None  # where to apply in the citizen's province, when the catalogue has one

    @property
    def missing(self) -> tuple[str, ...]:
        return self.verdict.missing


def _birthday(born: dt.date, year: int) -> dt.date:
    try:
        return born.replace(year=year)
    except ValueError:  # born on 29 February: a year older on 1 March of a common year
        return dt.date(year, 3, 1)


def turns_old_enough(rules: Eligibility, profile: Profile, today: dt.date) -> dt.date | None:
    """The day the citizen reaches ``rules.min_age`` if that is still ahead (with only a birth year:
    1 January of the year they do), else None."""
    if rules.min_age is None:
        return None
    if profile.birth_date is not None:
        day = _birthday(profile.birth_date, profile.birth_date.year + rules.min_age)
        return day if day > today else None
    if profile.birth_year is not None:
        year = profile.birth_year + rules.min_age
        return dt.date(year, 1, 1) if year > today.year else None
    return None


def _place_of(texts: Iterable[str]) -> Place | None:
    gazetteer = load_gazetteer()
    for said in texts:
        found = gazetteer.resolve(said)
        if found is not None:
            return found
    return None


def office_in_province(service: Service, province: str | None) -> Office | None:
    """The service's office in ``province``: one whose name or address names it, else the one with
    coordinates nearest the province's centre (if close); None when the catalogue has none there."""
    if not province:
        return None
    offices = service.where_to_apply.offices
    for office in offices:
        texts = [office.name.th, office.name.en]
        if office.address is not None:
            texts = [office.address.th, office.address.en, *texts]
        place = _place_of(texts)
        if place is not None and place.province == province:
            return office
    centre = next((p for p in load_gazetteer().places if p.kind == "province" and p.th == province), None)
    if centre is None:
        return None
    placed = [
        (_km(centre.latitude, centre.longitude, office.latitude, office.longitude), office)
        for office in offices
        if office.latitude is not None and office.longitude is not None
    ]
    if not placed:
        return None
    distance, nearest = min(placed, key=lambda pair: pair[0])
    return nearest if distance <= _OFFICE_KM else None


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def find_province(typed: str) -> list[str]:
    """The provinces a typed answer may name, best first: an exact or contained name (Thai, English,
    an alias such as กทม.), else close spellings ("Chiangmai", "เชียงใม่"); empty when none is close."""
    said = " ".join(typed.split()).removeprefix("จังหวัด").removeprefix("จ.").strip()
    if not said:
        return []
    gazetteer = load_gazetteer()
    found = gazetteer.resolve(said) or gazetteer.resolve(f"จังหวัด{said}")
    if found is not None:
        return [found.province]
    provinces = [place for place in gazetteer.places if place.kind == "province"]
    names: dict[str, str] = {}
    for place in provinces:
        for name in (place.th, place.en.casefold(), *(alias.casefold() for alias in place.aliases)):
            names.setdefault(name, place.th)
    folded = said.casefold()
    starting = list(dict.fromkeys(province for name, province in names.items() if name.startswith(folded)))
    if len(folded) >= 3 and starting:
        return starting[:3]  # the start of a long name: อุบล, Ubon
    scored = sorted(
        ((difflib.SequenceMatcher(None, folded, name).ratio(), province) for name, province in names.items()),
        reverse=True,
    )
    close: dict[str, float] = {}
    for score, province in scored:
        if score >= 0.7 and province not in close:
            close[province] = score
    ranked = list(close.items())[:3]
    if len(ranked) > 1 and ranked[0][1] - ranked[1][1] >= 0.08:
        return [ranked[0][0]]  # one spelling is clearly the nearest
    return [province for province, _ in ranked]


def when_label(day: dt.date, lang: str, *, year_only: bool = False) -> str:
    """When, as the citizen reads it: "เดือนธันวาคม 2569" / "December 2026" ("ปี 2569" / "2026")."""
    if lang == "th":
        year = day.year + 543
        return f"ปี {year}" if year_only else f"เดือน{_THAI_MONTHS[day.month - 1]} {year}"
    return str(day.year) if year_only else f"{_ENGLISH_MONTHS[day.month - 1]} {day.year}"


def _entitlement(service: Service, profile: Profile, today: dt.date) -> Entitlement | None:
    rules = service.eligibility_rules
    if rules is None:
        return None
    verdict = evaluate(rules, profile, today)
    verified = rules.status == "verified"
    office = office_in_province(service, profile.province)
    if verdict.status == "eligible":
        return Entitlement(service, "eligible", verdict, verified, office=office)
    if verdict.status == "not_eligible":
        if verdict.failed != "min_age":
            return None
        day = turns_old_enough(rules, profile, today)
        if day is None or (day - today).days > SOON_DAYS:
            return None
        # Old enough then; the other conditions as they stand today with the age taken as met.
        later = evaluate(rules, profile, day)
        if later.status == "not_eligible":
            return None
        year_only = profile.birth_date is None
        return Entitlement(service, "soon", later, verified, day, year_only, office)
    return Entitlement(service, "unknown", verdict, verified, office=office)


_ORDER = {"eligible": 0, "soon": 1, "unknown": 2}


def entitlements(services: Iterable[Service], profile: Profile, today: dt.date) -> list[Entitlement]:
    """Every service with rules the profile does not rule out, ranked: eligible now, soon eligible
    (soonest first), then undecided (fewest missing answers first); within each, the more specific
    rule (:func:`specificity`) and then the verified one first."""
    found = [entry for service in services if (entry := _entitlement(service, profile, today)) is not None]

    def rank(entry: Entitlement) -> tuple[int, dt.date, int, int, int, str]:
        return (
            _ORDER[entry.standing],
            entry.eligible_from or today,  # the soonest first among the soon ones
            len(entry.missing),  # the undecided nearest to decided first (eligible and soon: none)
            -specificity(entry.service.eligibility_rules),  # a service for people like them first
            0 if entry.verified else 1,
            entry.service.id,
        )

    return sorted(found, key=rank)


def specificity(rules: Eligibility | None) -> int:
    """How much a rule says about who it is for: a service for people with a disability, or for those
    over 60, fits a profile that meets it better than a driving licence from 15 fits an adult."""
    if rules is None:
        return 0
    score = 3 * (len(rules.situations) + (1 if rules.any_situation else 0)) + 2 * (1 if rules.provinces else 0)
    score += 1 if rules.nationality != "any" else 0
    score += 2 if rules.min_age is not None and rules.min_age >= 50 else (1 if rules.min_age is not None else 0)
    return score + (1 if rules.max_age is not None else 0)


def shortlist(found: list[Entitlement], limit: int) -> list[Entitlement]:
    """At most ``limit`` of the ranked ``found``, keeping room for what the citizen qualifies for soon
    (it is the news in the list) and for one still undecided (it says what to tell)."""
    soon = [entry for entry in found if entry.standing == "soon"][:3]
    unknown = [entry for entry in found if entry.standing == "unknown"][:1]
    eligible = [entry for entry in found if entry.standing == "eligible"][: max(limit - len(soon) - len(unknown), 0)]
    chosen = {id(entry) for entry in (*eligible, *soon, *unknown)}
    rest = [entry for entry in found if id(entry) not in chosen]
    picked = [*eligible, *soon, *unknown]
    picked += rest[: max(limit - len(picked), 0)]
    return sorted(picked, key=found.index)
