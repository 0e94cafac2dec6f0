"""Who a service is for, as data a machine can check: an age range, a nationality, situations, provinces.

A service's prose ``eligibility`` says it to a citizen; :class:`Eligibility` says the part of it a
rule can decide, so the bot can one day tell a citizen "you may be entitled to ..." from a consented
profile (issue 17). :func:`evaluate` never guesses: a profile that lacks what a condition needs gives
``unknown`` with the missing fields, not ``not eligible``, and every condition is only a *necessary*
one (income tests, contribution months and the like stay in the prose), so ``eligible`` means
"nothing we can check rules you out". The profile is the person the service is for: the child for a
child grant, the disabled person for a disability card, whoever applies on their behalf.

:Example:

    >>> import datetime as dt
    >>> rules = Eligibility(min_age=60, nationality="thai")
    >>> evaluate(rules, Profile(birth_date=dt.date(1966, 12, 2), nationality="thai"), dt.date(2026, 12, 2)).status
    'eligible'
    >>> evaluate(rules, Profile(birth_year=2508), dt.date(2026, 12, 2)).missing  # พ.ศ. 2508 = 1965: 60 or 61
    ('nationality',)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator

__all__ = [
    "BUDDHIST_ERA_OFFSET",
    "Eligibility",
    "EligibilitySource",
    "Nationality",
    "Profile",
    "Situation",
    "Verdict",
    "VerdictStatus",
    "age_on",
    "evaluate",
    "to_common_era",
]

# Thai years count the Buddhist era, 543 years ahead of the Common Era (พ.ศ. 2509 = 1966).
BUDDHIST_ERA_OFFSET = 543
# A year this large can only be a Buddhist-era year: 2500 BE is 1957 CE, and nobody is born after 2499 CE.
_FIRST_BUDDHIST_YEAR = 2500
_OLDEST_BIRTH_YEAR = 1880

Nationality = Literal["thai", "foreign"]


class Situation(StrEnum):
    """The fixed vocabulary of life situations a service may require; a profile names the ones that hold."""

    PREGNANT = "pregnant"
    NEW_PARENT = "new_parent"
    CARING_FOR_ELDERLY = "caring_for_elderly"
    CARING_FOR_DISABLED = "caring_for_disabled"
    DISABILITY = "disability"
    STUDENT = "student"
    EMPLOYEE = "employee"
    UNEMPLOYED = "unemployed"
    SELF_EMPLOYED = "self_employed"
    BUSINESS_OWNER = "business_owner"
    FARMER = "farmer"
    RETIRED = "retired"
    LOW_INCOME = "low_income"
    BEREAVED = "bereaved"


_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)


class EligibilitySource(BaseModel):
    """Where the rule is stated: the exact page or act, like a fact's source (knowledge.schema.FactSource)."""

    model_config = _STRICT

    url: HttpUrl
    title: str = Field(min_length=1)


class Eligibility(BaseModel):
    """The conditions a service's applicant must meet that a rule can check; all must hold.

    ``min_age``/``max_age`` are whole years of age on the day checked, both inclusive (``max_age: 64``
    means "under 65"); ``situations`` are all required; ``any_situation`` needs at least one of its
    entries; ``provinces`` (Thai names as the catalogue writes them) is empty when the province does not
    matter. ``status``/``note`` mark, as a fact does, whether someone compared the rule with its source.
    """

    model_config = _STRICT

    min_age: int | None = Field(default=None, ge=0, le=130)
    max_age: int | None = Field(default=None, ge=0, le=130)
    nationality: Literal["thai", "foreign", "any"] = "any"
    situations: list[Situation] = Field(default_factory=list, description="Every one of these must hold.")
    any_situation: list[Situation] = Field(default_factory=list, description="At least one of these must hold.")
    provinces: list[str] = Field(default_factory=list, description="Empty: anywhere in Thailand.")
    source: EligibilitySource | None = None
    status: Literal["verified", "unverified"] = Field(
        default="unverified", description="verified: someone compared the rule with source.url."
    )
    note: str | None = Field(default=None, description="Editor-facing: what the rule leaves out, what to check.")

    @field_validator("provinces")
    @classmethod
    def _named_provinces(cls, value: list[str]) -> list[str]:
        cleaned = [province.strip() for province in value]
        if any(not province for province in cleaned):
            raise ValueError("a province name must not be empty")
        return list(dict.fromkeys(cleaned))

    @model_validator(mode="after")
    def _consistent(self) -> Eligibility:
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise ValueError(f"min_age {self.min_age} is above max_age {self.max_age}")
        if self.status == "verified" and self.source is None:
            raise ValueError(
                "a verified rule needs source.url; if nobody has read the source, write status: unverified"
            )
        overlap = sorted(set(self.situations) & set(self.any_situation))
        if overlap:
            raise ValueError(f"{overlap} are both required and one-of; name each once")
        return self


def to_common_era(year: int) -> int:
    """A birth year as the Common Era counts it: a Buddhist-era year (2500 and over) loses 543.

    :Example:

        >>> to_common_era(2509), to_common_era(1966)
        (1966, 1966)
    """
    return year - BUDDHIST_ERA_OFFSET if year >= _FIRST_BUDDHIST_YEAR else year


class Profile(BaseModel):
    """What the citizen told us, each field optional: the evaluator says what it still needs.

    ``birth_date`` decides an age to the day; with only ``birth_year`` (Common or Buddhist era) an age
    is known only when the year alone decides it (see :func:`age_on`). ``situations`` lists those that
    hold; ``situations_known`` is True once the citizen answered the question, so a situation not
    listed then means "does not hold" rather than "not asked"."""

    model_config = _STRICT

    birth_date: dt.date | None = None
    birth_year: int | None = None
    nationality: Nationality | None = None
    province: str | None = None
    situations: list[Situation] = Field(default_factory=list)
    situations_known: bool = False

    @field_validator("birth_year")
    @classmethod
    def _plausible_year(cls, value: int | None) -> int | None:
        if value is None:
            return value
        year = to_common_era(value)
        if year < _OLDEST_BIRTH_YEAR or year > dt.date.today().year + 1:
            raise ValueError(f"birth year {value} is not a plausible year of birth (Common or Buddhist era)")
        return year

    @model_validator(mode="after")
    def _one_birth(self) -> Profile:
        if self.birth_date is not None and self.birth_year is not None and self.birth_date.year != self.birth_year:
            raise ValueError(f"birth_year {self.birth_year} contradicts birth_date {self.birth_date.isoformat()}")
        return self


def _full_years(born: dt.date, today: dt.date) -> int:
    years = today.year - born.year
    if (today.month, today.day) < (born.month, born.day):
        years -= 1
    return years


def age_on(profile: Profile, today: dt.date) -> tuple[int, int] | None:
    """The citizen's possible ages in whole years on ``today``: ``(low, high)``, equal when known exactly.

    From a birth date the age is exact (someone born on 29 February turns a year older on 1 March
    in a common year). From a birth year alone it is one of two ages, depending on whether the
    birthday has passed; None when nothing about the birth is known."""
    if profile.birth_date is not None:
        if profile.birth_date > today:
            return None
        age = _full_years(profile.birth_date, today)
        return age, age
    if profile.birth_year is not None:
        high = today.year - profile.birth_year
        return max(high - 1, 0), max(high, 0)
    return None


VerdictStatus = Literal["eligible", "not_eligible", "unknown"]


@dataclass(frozen=True)
class Verdict:
    """The outcome for one profile: ``failed`` names the first condition that rules the citizen out,
    ``missing`` the profile fields that would decide the conditions still open."""

    status: VerdictStatus
    failed: str | None = None  # min_age | max_age | nationality | situations | any_situation | provinces
    missing: tuple[str, ...] = field(default=())

    @property
    def eligible(self) -> bool:
        return self.status == "eligible"


def evaluate(conditions: Eligibility | None, profile: Profile, today: dt.date) -> Verdict:
    """Check ``profile`` against ``conditions`` on ``today`` (the caller's clock, in Thailand's date).

    A condition that fails decides at once (``not_eligible``, even when other fields are missing: a
    citizen who is too young need not be asked their nationality). Otherwise any condition the
    profile cannot decide gives ``unknown`` with every field still needed. No conditions: eligible."""
    if conditions is None:
        return Verdict("eligible")
    missing: list[str] = []

    if conditions.min_age is not None or conditions.max_age is not None:
        ages = age_on(profile, today)
        if ages is None:
            missing.append("birth_date")
        else:
            low, high = ages
            if conditions.min_age is not None and high < conditions.min_age:
                return Verdict("not_eligible", failed="min_age")
            if conditions.max_age is not None and low > conditions.max_age:
                return Verdict("not_eligible", failed="max_age")
            undecided = (conditions.min_age is not None and low < conditions.min_age) or (
                conditions.max_age is not None and high > conditions.max_age
            )
            if undecided:  # only the year is known and the birthday decides
                missing.append("birth_date")

    if conditions.nationality != "any":
        if profile.nationality is None:
            missing.append("nationality")
        elif profile.nationality != conditions.nationality:
            return Verdict("not_eligible", failed="nationality")

    held = set(profile.situations)
    if conditions.situations and not set(conditions.situations) <= held:
        if profile.situations_known:
            return Verdict("not_eligible", failed="situations")
        missing.append("situations")
    if conditions.any_situation and not held & set(conditions.any_situation):
        if profile.situations_known:
            return Verdict("not_eligible", failed="any_situation")
        if "situations" not in missing:
            missing.append("situations")

    if conditions.provinces:
        if profile.province is None:
            missing.append("province")
        elif profile.province.strip() not in conditions.provinces:
            return Verdict("not_eligible", failed="provinces")

    if missing:
        return Verdict("unknown", missing=tuple(missing))
    return Verdict("eligible")
