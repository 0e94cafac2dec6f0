"""Journeys (knowledge/journeys.py): the seed files are valid against the seed catalogue, an unknown
service is refused with its step, deadlines read "ภายใน 15 วัน" / "within 15 days" and fall due on time."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from knowledge.journeys import (
    JOURNEY_SEED_DIR,
    Deadline,
    Journey,
    JourneyFileError,
    UnknownServiceError,
    check_services,
    load_journeys,
    load_seed_journeys,
)
from knowledge.schema import LifeEvent
from texts import text

EXPECTED = {
    "having-a-baby",
    "death-in-the-family",
    "moving-house",
    "starting-a-business",
    "turning-60",
    "losing-a-job",
    "getting-married",
    "learning-to-drive",
}


@pytest.fixture(scope="module")
def service_ids(seed_services) -> set[str]:
    return {service.id for service in seed_services}


@pytest.fixture(scope="module")
def journeys(service_ids) -> dict[str, Journey]:
    return {journey.id: journey for journey in load_seed_journeys(service_ids)}


def _said(deadline: Deadline, lang: str) -> str:
    key, values = deadline.wording()
    return text(key, lang, **values)  # type: ignore[arg-type]


def test_every_seed_journey_is_valid_against_the_seed_catalogue(journeys):
    assert set(journeys) == EXPECTED
    assert len(list(JOURNEY_SEED_DIR.glob("*.yml"))) == len(EXPECTED)
    for journey in journeys.values():
        assert len(journey.steps) >= 3, journey.id
        for step in journey.steps:
            if step.deadline is not None:
                # Every deadline names its law, and is either checked against a page or says what to check.
                assert step.deadline.law
                assert step.deadline.status == "verified" or step.deadline.note, (journey.id, step.service)


def test_the_legal_deadlines_read_as_the_law_says(journeys):
    birth = journeys["having-a-baby"].steps[0]
    assert (birth.service, journeys["having-a-baby"].life_event) == ("birth-registration", LifeEvent.BIRTH)
    assert birth.deadline is not None and "มาตรา 18" in birth.deadline.law
    assert (_said(birth.deadline, "th"), _said(birth.deadline, "en")) == ("ภายใน 15 วัน", "within 15 days")
    death = journeys["death-in-the-family"].steps[0]
    assert death.service == "death-registration" and death.deadline is not None and "มาตรา 21" in death.deadline.law
    assert (_said(death.deadline, "th"), _said(death.deadline, "en")) == ("ภายใน 24 ชั่วโมง", "within 24 hours")
    section_39 = next(s for s in journeys["losing-a-job"].steps if s.service == "social-security-section-39")
    assert section_39.deadline is not None and _said(section_39.deadline, "en") == "within 6 months"


def test_one_of_a_unit_reads_in_the_singular():
    one = Deadline(days=1, law="test", status="unverified", note="n")
    assert one.wording() == ("journeys.within_one_day", {})
    assert (_said(one, "th"), _said(one, "en")) == ("ภายใน 1 วัน", "within a day")


def test_deadlines_fall_due_from_the_event():
    born = dt.datetime(2026, 12, 2, 9, 30, tzinfo=dt.UTC)
    assert Deadline(days=15, law="x", status="unverified").due(born) == dt.datetime(2026, 12, 17, 9, 30, tzinfo=dt.UTC)
    assert Deadline(hours=24, law="x", status="unverified").due(born) == born + dt.timedelta(days=1)
    end_of_january = dt.datetime(2027, 1, 31, tzinfo=dt.UTC)
    assert Deadline(months=1, law="x", status="unverified").due(end_of_january).date() == dt.date(2027, 2, 28)
    assert Deadline(months=13, law="x", status="unverified").due(end_of_january).date() == dt.date(2028, 2, 29)
    assert Deadline(months=12, law="x", status="unverified").due(born).date() == dt.date(2027, 12, 2)


@pytest.mark.parametrize(
    ("deadline", "problem"),
    [
        ({"law": "x", "status": "unverified"}, "exactly one of hours, days or months"),
        ({"days": 15, "hours": 24, "law": "x", "status": "unverified"}, "exactly one of hours, days or months"),
        ({"days": 15, "law": "x", "status": "verified"}, "a verified deadline needs source.url"),
        ({"days": 0, "law": "x", "status": "unverified"}, "days"),
        ({"days": 15, "status": "unverified"}, "law"),
        ({"days": 15, "law": "x", "status": "unverified", "from": "birthday"}, "from"),
    ],
)
def test_a_malformed_deadline_is_refused(deadline, problem):
    with pytest.raises(ValidationError) as error:
        Deadline.model_validate(deadline)
    assert problem in str(error.value)


def test_the_file_names_of_a_deadline_round_trip(journeys):
    journey = journeys["having-a-baby"]
    stored = journey.stored_json()
    assert '"from": "event"' in stored and "counted_from" not in stored
    assert Journey.model_validate_json(stored) == journey


def test_an_unknown_service_is_refused_with_its_step(journeys, service_ids):
    broken = journeys["moving-house"].model_dump(mode="json", by_alias=True)
    broken["steps"][2]["service"] = "teleport-licence"
    journey = Journey.model_validate(broken)
    with pytest.raises(UnknownServiceError) as error:
        check_services(journey, service_ids)
    assert error.value.problems == [("steps[2].service", "no service 'teleport-licence' in the catalogue")]
    assert "journey 'moving-house'" in str(error.value)


def test_a_service_twice_in_one_journey_is_refused(journeys):
    twice = journeys["getting-married"].model_dump(mode="json", by_alias=True)
    twice["steps"].append(twice["steps"][0])
    with pytest.raises(ValidationError, match="names 'marriage-registration' again"):
        Journey.model_validate(twice)


def test_a_broken_journey_file_names_the_file_the_journey_and_the_field(tmp_path: Path, service_ids):
    good = yaml.safe_load((JOURNEY_SEED_DIR / "turning-60.yml").read_text(encoding="utf-8"))
    bad = copy.deepcopy(good) | {"id": "bad-one"}
    bad["steps"] = [dict(bad["steps"][0], service="no-such-service")]
    del bad["title"]["en"]
    (tmp_path / "a.yml").write_text(yaml.safe_dump(good, allow_unicode=True), encoding="utf-8")
    (tmp_path / "b.yml").write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    (tmp_path / "c.yml").write_text("id: [unclosed", encoding="utf-8")
    (tmp_path / "d.yml").write_text(yaml.safe_dump(good, allow_unicode=True), encoding="utf-8")
    with pytest.raises(JourneyFileError) as error:
        load_journeys(tmp_path, service_ids)
    message = str(error.value)
    assert f"{tmp_path / 'b.yml'}: journey bad-one: title.en: Field required" in message
    assert f"{tmp_path / 'c.yml'}: not valid YAML" in message
    # Schema problems first, then the catalogue check: the unknown service shows once the title is fixed.
    bad["title"]["en"] = "Fixed"
    (tmp_path / "b.yml").write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    (tmp_path / "c.yml").unlink()
    with pytest.raises(JourneyFileError) as error:
        load_journeys(tmp_path, service_ids)
    assert "journey bad-one: steps[0].service: no service 'no-such-service' in the catalogue" in str(error.value)
    (tmp_path / "b.yml").unlink()
    with pytest.raises(JourneyFileError, match="duplicate journey id 'turning-60'"):
        load_journeys(tmp_path, service_ids)
