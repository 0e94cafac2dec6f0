"""The seed catalogue gives search and the service classifier the citizens' own words."""

from __future__ import annotations

import pytest

from nlu.normalize import normalize_text

MIN_EXAMPLES = 8


@pytest.mark.parametrize("lang", ["th", "en"])
def test_every_service_has_enough_example_questions(seed_services, lang):
    short = {s.id: len(s.example_questions.get(lang)) for s in seed_services}
    short = {sid: count for sid, count in short.items() if count < MIN_EXAMPLES}
    assert not short, f"services with fewer than {MIN_EXAMPLES} {lang} example questions: {short}"


def test_every_service_has_colloquial_names_in_both_languages(seed_services):
    missing = [s.id for s in seed_services if not s.colloquial_names.th or not s.colloquial_names.en]
    assert not missing, missing


def test_no_example_question_is_given_to_two_services(seed_services):
    owner: dict[str, str] = {}
    shared: list[tuple[str, str, str]] = []
    for service in seed_services:
        for lang in ("th", "en"):
            for question in service.example_questions.get(lang):
                key = normalize_text(question).casefold()
                if owner.setdefault(key, service.id) != service.id:
                    shared.append((question, owner[key], service.id))
    assert not shared, shared
