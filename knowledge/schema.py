"""The shape of one government service in the catalogue, in Thai and English.

Every citizen-facing text is a :class:`Bilingual` pair; validation names the
field and the missing language, so an editor knows exactly what to fix.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationInfo, field_validator

from knowledge.eligibility import Eligibility
from nlu.language import Lang

__all__ = [
    "SOURCED_KINDS",
    "VERIFIABLE_FIELDS",
    "Bilingual",
    "BilingualList",
    "Fact",
    "FactKind",
    "FactSource",
    "FactStatus",
    "FaqEntry",
    "LifeEvent",
    "Office",
    "Service",
    "ServiceId",
    "latest_allowed_date",
]


ServiceId = Annotated[str, Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)]


class LifeEvent(StrEnum):
    """The life events citizens browse by, in the order a life goes."""

    BIRTH = "birth"
    EDUCATION = "education"
    WORK = "work"
    FAMILY = "family"
    MOVING_HOUSE = "moving-house"
    DRIVING = "driving"
    BUSINESS = "business"
    HEALTH = "health"
    RETIREMENT_WELFARE = "retirement-welfare"
    DEATH = "death"


_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Bilingual(BaseModel):
    """A text in both languages; neither may be empty."""

    model_config = _STRICT

    th: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: Lang) -> str:
        return self.th if lang == "th" else self.en


class BilingualList(BaseModel):
    """Free word lists (keywords, colloquial synonyms); either side may be short."""

    model_config = _STRICT

    th: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)

    def get(self, lang: Lang) -> list[str]:
        return self.th if lang == "th" else self.en


class FaqEntry(BaseModel):
    model_config = _STRICT

    question: Bilingual
    answer: Bilingual


class Office(BaseModel):
    """A place to apply; coordinates let LINE suggest the nearest one."""

    model_config = _STRICT

    name: Bilingual
    address: Bilingual | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)


class WhereToApply(BaseModel):
    model_config = _STRICT

    description: Bilingual
    online_url: HttpUrl | None = None
    opening_hours: Bilingual | None = None
    offices: list[Office] = Field(default_factory=list)


# The Service fields a fact can back, and that an editor can flag as "verify before relying on it".
VERIFIABLE_FIELDS = frozenset({"eligibility", "documents", "fees", "processing_time", "where_to_apply", "steps"})


def latest_allowed_date() -> dt.date:
    """The latest date a check or review may carry: today, plus a day for an editor in Bangkok
    (UTC+7) who writes their own today's date before the server's UTC day has turned."""
    return dt.date.today() + dt.timedelta(days=1)


class FactKind(StrEnum):
    """What sort of claim a fact is; the kinds a citizen pays, misses or qualifies by need a source."""

    FEE = "fee"
    FINE = "fine"
    DEADLINE = "deadline"
    AMOUNT = "amount"
    ELIGIBILITY = "eligibility"
    DOCUMENT = "document"
    TIME = "time"


# A citizen pays, misses a date or qualifies by these: never silently unsourced.
SOURCED_KINDS = frozenset({FactKind.FEE, FactKind.FINE, FactKind.DEADLINE, FactKind.AMOUNT, FactKind.ELIGIBILITY})


class FactStatus(StrEnum):
    """Whether someone compared the fact with its source; never guessed, so it has no default."""

    VERIFIED = "verified"
    UNVERIFIED = "unverified"


class FactSource(BaseModel):
    """Where a fact is stated: the exact page or document, not the agency's home page."""

    model_config = _STRICT

    url: HttpUrl | None = None
    title: str = Field(min_length=1, description="The page's or document's name.")
    date: dt.date | None = Field(default=None, description="The document's or rule's own date (published/effective).")


class Fact(BaseModel):
    """One concrete claim a citizen may act on (a fee, a fine, a deadline, an amount, a threshold,
    a document), with where it is stated and when someone checked it.

    Field order matters: ``source`` and ``checked`` are validated against ``status``, so errors
    land on the field to fix (``facts[2].checked``), not on the fact as a whole.
    """

    model_config = _STRICT

    field: str = Field(description=f"The Service field the fact backs: {' | '.join(sorted(VERIFIABLE_FIELDS))}.")
    kind: FactKind
    text: Bilingual
    status: FactStatus
    source: FactSource | None = Field(default=None, validate_default=True)
    checked: dt.date | None = Field(
        default=None,
        validate_default=True,
        description="The day someone compared the fact with its source; only on a verified fact.",
    )
    note: str | None = Field(default=None, description="Editor-facing: what is uncertain or pending, and why.")

    @field_validator("field")
    @classmethod
    def _known_field(cls, value: str) -> str:
        if value not in VERIFIABLE_FIELDS:
            raise ValueError(f"unknown field {value!r}; a fact backs one of {sorted(VERIFIABLE_FIELDS)}")
        return value

    @field_validator("source")
    @classmethod
    def _source_when_verified(cls, value: FactSource | None, info: ValidationInfo) -> FactSource | None:
        # This also holds the rule for fees, fines, deadlines, amounts and thresholds (SOURCED_KINDS):
        # with status required, each is either sourced and checked or explicitly unverified.
        if info.data.get("status") == FactStatus.VERIFIED and (value is None or value.url is None):
            raise ValueError(
                "a verified fact needs source.url (the exact page or document that states it); "
                "if nobody has read the source, write status: unverified"
            )
        return value

    @field_validator("checked")
    @classmethod
    def _checked_when_verified(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        status = info.data.get("status")
        if status == FactStatus.VERIFIED and value is None:
            raise ValueError("a verified fact needs checked: the day someone compared it with the source")
        if status == FactStatus.UNVERIFIED and value is not None:
            raise ValueError(
                "an unverified fact must not carry checked; if someone compared it with the source, "
                "write status: verified with its source"
            )
        if value is not None and value > latest_allowed_date():
            raise ValueError(f"checked {value.isoformat()} is in the future")
        return value

    @property
    def verified(self) -> bool:
        return self.status == FactStatus.VERIFIED


class Service(BaseModel):
    """One service as a citizen needs it: what, who, what to bring, cost, time, where."""

    model_config = _STRICT

    id: ServiceId
    title: Bilingual
    summary: Bilingual
    eligibility: Bilingual
    # The part of ``eligibility`` a rule can check (knowledge/eligibility.py); absent in older data.
    eligibility_rules: Eligibility | None = Field(
        default=None,
        description="Machine-checkable conditions (age range, nationality, situations, provinces) with their source.",
    )
    documents: list[Bilingual] = Field(min_length=1)
    fees: Bilingual
    processing_time: Bilingual
    where_to_apply: WhereToApply
    steps: list[Bilingual] = Field(min_length=1)
    agency: Bilingual
    life_events: list[LifeEvent] = Field(min_length=1)
    keywords: BilingualList = Field(default_factory=BilingualList)
    # The editors' lever on search: what citizens call the service, the short forms they type, and
    # questions as they write them. Search and the service classifier use them as soon as they are saved.
    colloquial_names: BilingualList = Field(
        default_factory=BilingualList,
        description="What citizens call the service in everyday words (ต่อบัตร, ทำพาสปอร์ต; renew my ID).",
    )
    abbreviations: BilingualList = Field(
        default_factory=BilingualList,
        description="Short forms citizens type (บัตร ปชช, ปกส., ใบขับขี่; SSO, ID).",
    )
    example_questions: BilingualList = Field(
        default_factory=BilingualList,
        description="Questions written the way citizens write them; the seed catalogue has at least 8 per language.",
    )
    faq: list[FaqEntry] = Field(default_factory=list)
    facts: list[Fact] = Field(
        default_factory=list,
        description="The audited claims behind the prose fields, each with its source and check date.",
    )
    source_url: HttpUrl
    last_reviewed: dt.date | None = Field(
        default=None,
        description="The day the service's facts were last checked against their sources; None: not yet.",
    )
    to_verify: list[str] = Field(
        default_factory=list,
        description="Fields whose facts were written from public knowledge and must be checked.",
    )

    @field_validator("to_verify")
    @classmethod
    def _known_fields(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - VERIFIABLE_FIELDS)
        if unknown:
            raise ValueError(f"unknown fields in to_verify: {unknown}; allowed: {sorted(VERIFIABLE_FIELDS)}")
        return value

    @field_validator("last_reviewed")
    @classmethod
    def _reviewed_when_checked(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        """A review is the day facts were checked, not the day the file was written."""
        if value is None:
            return value
        if value > latest_allowed_date():
            raise ValueError(f"last_reviewed {value.isoformat()} is in the future")
        facts: list[Fact] | None = info.data.get("facts")
        if not facts:  # no facts yet (a service stored before facts existed): the editor's own date stands
            return value
        checks = [(fact.checked, position) for position, fact in enumerate(facts) if fact.checked is not None]
        if not checks:
            raise ValueError(
                f"last_reviewed {value.isoformat()} but no fact is verified; "
                "omit last_reviewed until a fact has been checked against its source"
            )
        latest, position = max(checks)
        if value > latest:
            raise ValueError(
                f"last_reviewed {value.isoformat()} is later than the latest check of a fact "
                f"(facts[{position}].checked {latest.isoformat()}); set it to the day the facts were checked"
            )
        return value

    def last_checked(self) -> dt.date | None:
        """When the service's facts were last checked: the latest verified fact's check, or the
        editor's ``last_reviewed`` for a service without facts; None when nobody has checked it."""
        dates = [fact.checked for fact in self.facts if fact.checked is not None]
        if self.last_reviewed is not None:
            dates.append(self.last_reviewed)
        return max(dates, default=None)

    def unverified_fields(self) -> list[str]:
        """The fields a citizen must be told are not confirmed: those with an unverified fact, then
        the old field-level ``to_verify`` flags, each once, in the order first named."""
        fields = [fact.field for fact in self.facts if not fact.verified] + list(self.to_verify)
        return list(dict.fromkeys(fields))

    def stored_json(self) -> str:
        """The text a service is kept as, live or in a draft: sorted keys, so equal services store equal text."""
        return json.dumps(self.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)


_LOC_RE = re.compile(r"\d+")


def describe_error_location(loc: tuple[int | str, ...]) -> str:
    """Turn pydantic's ``('documents', 0, 'en')`` into ``documents[0].en`` for editors."""
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int) or _LOC_RE.fullmatch(str(item)):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts)
