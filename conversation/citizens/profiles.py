"""The profile a citizen chose to tell the bot (table ``profiles``): birth year, province, situations.

Why a version: the same citizen may answer on LINE and in the web chat at once (linked conversations);
a save names the version it read, and a save from a stale read is refused (:class:`StaleProfileError`)
instead of silently dropping the other answer. Nothing is written without the ``profile`` consent
(:meth:`ConsentBook.require` raises :class:`ConsentRequiredError`); the fields are checked before
anything is written, so an implausible year or an unknown province is a clear error and stores nothing.

:Example:

    >>> ProfileFields(birth_year=2510).birth_year  # พ.ศ. 2510 = 1967
    1967
    >>> ProfileFields(province="เชียงใหม่").province
    'เชียงใหม่'
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy import Engine, Row, delete, insert, select, update

from conversation.citizens.consents import ConsentBook
from conversation.citizens.models import profiles
from knowledge.database import as_utc
from knowledge.eligibility import Profile, Situation, to_common_era
from knowledge.reports.places import load_gazetteer

__all__ = [
    "ProfileBook",
    "ProfileError",
    "ProfileFields",
    "StaleProfileError",
    "StoredProfile",
    "province_names",
]

_SITUATION_NAMES = frozenset(situation.value for situation in Situation)
_OLDEST_BIRTH_YEAR = 1900  # nobody alive was born earlier; eligibility.py accepts 1880 for records


class ProfileError(ValueError):
    """A profile field the citizen gave cannot be kept as given (the message says which and why)."""


class StaleProfileError(Exception):
    """The profile changed since it was read (another conversation of the citizen saved first)."""

    def __init__(self, citizen_id: str, expected: int, current: int) -> None:
        super().__init__(f"profile of {citizen_id!r} is at version {current}, not {expected}: read it again")
        self.expected = expected
        self.current = current


@lru_cache(maxsize=1)
def province_names() -> tuple[str, ...]:
    """Thailand's provinces by their Thai names, as knowledge/reports/places.py and the catalogue write them."""
    return tuple(place.th for place in load_gazetteer().places if place.kind == "province")


class ProfileFields(BaseModel):
    """What the citizen told: each field optional (None: not told, or skipped)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    birth_year: int | None = None  # Common Era; a Buddhist-era year (2500 and over) is converted
    birth_date: dt.date | None = None
    nationality: Literal["thai", "foreign"] | None = None
    province: str | None = None  # a Thai province name from province_names()
    situations: list[Situation] = Field(default_factory=list)
    situations_known: bool = False  # True once the citizen answered the situations question
    language: Literal["th", "en"] = "th"

    @field_validator("birth_year")
    @classmethod
    def _plausible_year(cls, value: int | None) -> int | None:
        if value is None:
            return None
        year = to_common_era(value)
        if year < _OLDEST_BIRTH_YEAR or year > dt.date.today().year:
            raise ValueError(f"birth year {value} is not a plausible year of birth (Common or Buddhist era)")
        return year

    @field_validator("birth_date")
    @classmethod
    def _plausible_date(cls, value: dt.date | None) -> dt.date | None:
        if value is not None and (value.year < _OLDEST_BIRTH_YEAR or value > dt.date.today()):
            raise ValueError(f"birth date {value.isoformat()} is not a plausible date of birth")
        return value

    @field_validator("province")
    @classmethod
    def _known_province(cls, value: str | None) -> str | None:
        if value is None:
            return None
        name = value.removeprefix("จังหวัด").strip()
        if name not in province_names():
            raise ValueError(f"{value!r} is not a Thai province name")
        return name

    @field_validator("situations")
    @classmethod
    def _once_each(cls, value: list[Situation]) -> list[Situation]:
        return list(dict.fromkeys(value))

    @model_validator(mode="after")
    def _one_birth(self) -> ProfileFields:
        if self.birth_date is not None:
            if self.birth_year is None:
                self.birth_year = self.birth_date.year
            elif self.birth_year != self.birth_date.year:
                raise ValueError(f"birth_year {self.birth_year} contradicts birth_date {self.birth_date.isoformat()}")
        return self

    def eligibility_profile(self) -> Profile:
        """The profile :func:`knowledge.eligibility.evaluate` takes."""
        return Profile(
            birth_date=self.birth_date,
            birth_year=self.birth_year,
            nationality=self.nationality,
            province=self.province,
            situations=list(self.situations),
            situations_known=self.situations_known,
        )

    def is_empty(self) -> bool:
        return (
            self.birth_year is None
            and self.nationality is None
            and self.province is None
            and not self.situations
            and not self.situations_known
        )


@dataclass(frozen=True)
class StoredProfile:
    citizen_id: str
    fields: ProfileFields
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    def eligibility_profile(self) -> Profile:
        return self.fields.eligibility_profile()

    def to_dict(self) -> dict[str, Any]:
        """For the citizen's export: the fields as told, and when."""
        return {
            **self.fields.model_dump(mode="json"),
            "version": self.version,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


def _stored(row: Row[Any]) -> StoredProfile:
    values = row._mapping
    fields = ProfileFields.model_construct(
        birth_year=values["birth_year"],
        birth_date=values["birth_date"],
        nationality=values["nationality"],
        province=values["province"],
        situations=[Situation(name) for name in json.loads(values["situations"] or "[]") if name in _SITUATION_NAMES],
        situations_known=bool(values["situations_known"]),
        language=values["language"],
    )
    return StoredProfile(
        citizen_id=str(values["citizen_id"]),
        fields=fields,
        version=int(values["version"]),
        created_at=as_utc(values["created_at"]),
        updated_at=as_utc(values["updated_at"]),
    )


class ProfileBook:
    """Read, save (with the consent and the version read) and delete citizens' profiles."""

    def __init__(self, engine: Engine, consents: ConsentBook) -> None:
        self.engine = engine
        self.consents = consents

    def get(self, citizen_id: str) -> StoredProfile | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(profiles).where(profiles.c.citizen_id == citizen_id)).first()
        return _stored(row) if row is not None else None

    def save(self, citizen_id: str, fields: ProfileFields, *, expected_version: int, now: dt.datetime) -> StoredProfile:
        """Keep ``fields`` as the whole profile; ``expected_version`` is the version read (0: none yet).

        :class:`ConsentRequiredError` without the ``profile`` consent, :class:`StaleProfileError` when
        the profile is no longer at ``expected_version``; either way nothing is written."""
        self.consents.require(citizen_id, "profile")
        checked = ProfileFields.model_validate(fields.model_dump())
        values = {
            "birth_year": checked.birth_year,
            "birth_date": checked.birth_date,
            "nationality": checked.nationality,
            "province": checked.province,
            "situations": json.dumps([str(situation) for situation in checked.situations]),
            "situations_known": checked.situations_known,
            "language": checked.language,
            "version": expected_version + 1,
            "updated_at": now,
        }
        with self.engine.begin() as connection:
            if expected_version == 0:
                current = connection.execute(
                    select(profiles.c.version).where(profiles.c.citizen_id == citizen_id)
                ).scalar()
                if current is not None:
                    raise StaleProfileError(citizen_id, expected_version, int(current))
                connection.execute(insert(profiles).values(citizen_id=citizen_id, created_at=now, **values))
                created = now
            else:
                changed = connection.execute(
                    update(profiles)
                    .where(profiles.c.citizen_id == citizen_id, profiles.c.version == expected_version)
                    .values(**values)
                ).rowcount
                if not changed:
                    current = connection.execute(
                        select(profiles.c.version).where(profiles.c.citizen_id == citizen_id)
                    ).scalar()
                    raise StaleProfileError(citizen_id, expected_version, int(current or 0))
                created = as_utc(
                    connection.execute(
                        select(profiles.c.created_at).where(profiles.c.citizen_id == citizen_id)
                    ).scalar_one()
                )
        return StoredProfile(citizen_id, checked, expected_version + 1, created, now)

    def change(self, citizen_id: str, *, now: dt.datetime, **changes: Any) -> StoredProfile:
        """Change some fields of the current profile (one chat answer); creates the profile if none.

        :class:`ProfileError` when a value cannot be kept; the consent is checked before anything."""
        self.consents.require(citizen_id, "profile")
        current = self.get(citizen_id)
        base = current.fields.model_dump() if current is not None else {}
        try:
            fields = ProfileFields.model_validate({**base, **changes})
        except ValidationError as refused:
            raise ProfileError("; ".join(error["msg"] for error in refused.errors())) from refused
        return self.save(citizen_id, fields, expected_version=current.version if current else 0, now=now)

    def delete(self, citizen_id: str) -> bool:
        """Erase the citizen's profile (withdrawal or erasure); False when there was none."""
        with self.engine.begin() as connection:
            result = connection.execute(delete(profiles).where(profiles.c.citizen_id == citizen_id))
        return bool(result.rowcount)
