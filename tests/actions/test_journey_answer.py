from actions.journey_answer import journey_text
from knowledge.journeys import Journey, load_seed_journeys
from texts import text


def _journey(life_event: str) -> Journey:
    return next(journey for journey in load_seed_journeys() if journey.life_event == life_event)


def test_the_death_journey_says_the_24_hours_in_both_languages(catalogue):
    death = _journey("death")
    thai = journey_text(death, catalogue.get, "th")
    english = journey_text(death, catalogue.get, "en")
    assert thai is not None and english is not None
    first = catalogue.get(death.steps[0].service)
    assert f"1. {first.title.th} (ภายใน 24 ชั่วโมง)" in thai
    assert f"1. {first.title.en} (within 24 hours)" in english
    assert english.splitlines()[:2] == [death.title.en, death.summary.en]


def test_a_step_whose_service_left_the_catalogue_is_skipped_and_the_rest_renumbered(catalogue):
    baby = _journey("birth")
    gone = baby.steps[0].service
    said = journey_text(baby, lambda service_id: None if service_id == gone else catalogue.get(service_id), "en")
    assert said is not None
    assert catalogue.get(gone).title.en not in said
    assert f"1. {catalogue.get(baby.steps[1].service).title.en}" in said
    assert journey_text(baby, lambda _id: None, "en") is None  # nothing left to say


def test_only_an_unchecked_deadline_brings_the_caution(catalogue):
    for journey in load_seed_journeys():
        said = journey_text(journey, catalogue.get, "th") or ""
        assert (text("journeys.unchecked_deadline", "th") in said) == bool(journey.unverified_deadlines())
