"""The nearest offices to a shared location, and what the citizen is told."""

from __future__ import annotations

import copy

import pytest

from channels.line.offices import format_distance, haversine_km, nearest_offices, offices_text
from knowledge.schema import Office


def test_haversine_matches_known_distances():
    assert haversine_km(13.7563, 100.5018, 13.7563, 100.5018) == 0
    assert haversine_km(13.7563, 100.5018, 18.7883, 98.9853) == pytest.approx(582, abs=3)  # Bangkok - Chiang Mai
    assert haversine_km(0, 0, 0, 180) == pytest.approx(20015, rel=0.001)  # half the equator


def test_distances_read_naturally():
    assert format_distance(0.004, "th") == "10 ม."
    assert format_distance(0.27, "en") == "270 m"
    assert format_distance(2.345, "th") == "2.3 กม."
    assert format_distance(582.46, "en") == "582 km"


def test_an_office_shared_by_services_appears_once_naming_them(seed_services):
    office = Office(
        name={"th": "สำนักงานเขตบางรัก", "en": "Bang Rak District Office"}, latitude=13.7300, longitude=100.5240
    )
    services = []
    for service in seed_services[:3]:
        service = copy.deepcopy(service)
        service.where_to_apply.offices = [office]
        services.append(service)
    (found,) = nearest_offices(services, 13.7563, 100.5018, "en")
    assert found.name == "Bang Rak District Office"
    assert found.services == [s.title.en for s in services]
    text = offices_text([found], "en")
    assert text.startswith("The nearest offices we know of:\n1. Bang Rak District Office (about 3.8 km), for ")
    assert "(+1)" in text  # two services named, the third counted


def test_no_coordinates_means_an_honest_answer(seed_services):
    service = copy.deepcopy(seed_services[0])
    service.where_to_apply.offices = [Office(name={"th": "สำนักงาน", "en": "An office"}, latitude=13.7)]
    assert nearest_offices([service], 13.75, 100.5, "th") == []  # half a coordinate is no coordinate
    assert "ยังไม่มีพิกัด" in offices_text([], "th")
    assert "don't know where any offices are" in offices_text([], "en")
