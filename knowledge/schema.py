"""The shape of one government service in the catalogue, in Thai and English.

Every citizen-facing text is a :class:`Bilingual` pair; validation names the
field and the missing language, so an editor knows exactly what to fix.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator

from nlu.language import Lang

__all__ = [
    "VERIFIABLE_FIELDS",
    "Bilingual",
    "BilingualList",
    "FaqEntry",
    "LifeEvent",
    "Office",
    "Service",
    "ServiceId",
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


# Facts an editor can flag as "verify before relying on it"; the bot then says so.
VERIFIABLE_FIELDS = frozenset({"eligibility", "documents", "fees", "processing_time", "where_to_apply", "steps"})


class Service(BaseModel):
    """One service as a citizen needs it: what, who, what to bring, cost, time, where."""

    model_config = _STRICT

    id: ServiceId
    title: Bilingual
    summary: Bilingual
    eligibility: Bilingual
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
    source_url: HttpUrl
    last_reviewed: dt.date
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

    @model_validator(mode="after")
    def _not_in_future(self) -> Service:
        if self.last_reviewed > dt.date.today() + dt.timedelta(days=1):
            raise ValueError("last_reviewed cannot be in the future")
        return self


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
