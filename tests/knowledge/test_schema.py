import pytest
from pydantic import ValidationError

from knowledge.catalogue_files import CatalogueFileError, parse_services
from knowledge.schema import Service


def _valid(seed_services) -> dict:
    return seed_services[0].model_dump(mode="json")


def test_missing_english_title_is_refused_naming_the_field(seed_services):
    raw = _valid(seed_services)
    del raw["title"]["en"]
    with pytest.raises(CatalogueFileError, match=r"title\.en: Field required"):
        parse_services([raw])


def test_empty_thai_document_is_refused_naming_its_position(seed_services):
    raw = _valid(seed_services)
    raw["documents"][0]["th"] = "  "
    with pytest.raises(CatalogueFileError, match=r"documents\[0\]\.th"):
        parse_services([raw])


def test_unknown_verify_field_and_life_event_are_refused(seed_services):
    raw = _valid(seed_services)
    raw["to_verify"] = ["colour"]
    raw["life_events"] = ["holiday"]
    with pytest.raises(CatalogueFileError) as error:
        parse_services([raw])
    assert "to_verify" in str(error.value) and "life_events[0]" in str(error.value)


def test_duplicate_ids_are_refused(seed_services):
    raw = _valid(seed_services)
    with pytest.raises(CatalogueFileError, match="duplicate service id"):
        parse_services([raw, raw])


def test_every_seed_service_is_complete_and_sourced(seed_services):
    assert len(seed_services) >= 5
    for service in seed_services:
        assert isinstance(service, Service)
        assert str(service.source_url).startswith("https://")
        # None: no fact of the service has been checked yet (issue 12); never a made-up date.
        assert service.last_reviewed is None or service.last_reviewed.year >= 2025


def test_bad_id_is_refused(seed_services):
    raw = _valid(seed_services)
    raw["id"] = "Not An Id"
    with pytest.raises(ValidationError):
        Service.model_validate(raw)
