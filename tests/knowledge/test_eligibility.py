"""Eligibility as data (knowledge/eligibility.py): the condition model, the evaluator's boundaries, Buddhist-era
years, missing profile fields as "unknown", and the seed services' rules."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from knowledge.eligibility import Eligibility, Profile, Situation, Verdict, age_on, evaluate, to_common_era
from knowledge.schema import Service

TODAY = dt.date(2026, 12, 2)
SIXTY_PLUS_THAI = Eligibility(min_age=60, nationality="thai")


def _thai(born: dt.date, **extra: object) -> Profile:
    return Profile(birth_date=born, nationality="thai", **extra)


# --- ages ----------------------------------------------------------------------------


def test_turning_60_today_is_eligible_and_tomorrow_is_not_yet():
    assert evaluate(SIXTY_PLUS_THAI, _thai(dt.date(1966, 12, 2)), TODAY) == Verdict("eligible")
    assert evaluate(SIXTY_PLUS_THAI, _thai(dt.date(1966, 12, 3)), TODAY) == Verdict("not_eligible", failed="min_age")
    assert evaluate(SIXTY_PLUS_THAI, _thai(dt.date(1966, 12, 3)), TODAY + dt.timedelta(days=1)).eligible


def test_max_age_is_inclusive_until_the_next_birthday():
    under_65 = Eligibility(min_age=15, max_age=64)
    assert evaluate(under_65, Profile(birth_date=dt.date(1961, 12, 3)), TODAY).eligible  # 64, 65 tomorrow
    assert evaluate(under_65, Profile(birth_date=dt.date(1961, 12, 2)), TODAY) == Verdict(
        "not_eligible", failed="max_age"
    )
    assert evaluate(under_65, Profile(birth_date=dt.date(2011, 12, 2)), TODAY).eligible  # 15 today
    assert evaluate(under_65, Profile(birth_date=dt.date(2011, 12, 3)), TODAY).failed == "min_age"


def test_a_leap_day_birthday_counts_on_the_first_of_march_in_a_common_year():
    born = dt.date(1964, 2, 29)
    assert age_on(Profile(birth_date=born), dt.date(2027, 2, 28)) == (62, 62)
    assert age_on(Profile(birth_date=born), dt.date(2027, 3, 1)) == (63, 63)
    assert age_on(Profile(birth_date=born), dt.date(2028, 2, 29)) == (64, 64)


def test_buddhist_era_birth_years_are_converted():
    assert to_common_era(2509) == 1966 and to_common_era(2500) == 1957 and to_common_era(1966) == 1966
    assert Profile(birth_year=2509).birth_year == 1966
    assert Profile(birth_year=2509) == Profile(birth_year=1966)


def test_a_birth_year_alone_decides_only_when_the_birthday_cannot_matter():
    # Born 1966 (พ.ศ. 2509): 59 or 60 on 2 Dec 2026, so the birthday decides.
    assert evaluate(SIXTY_PLUS_THAI, Profile(birth_year=2509, nationality="thai"), TODAY) == Verdict(
        "unknown", missing=("birth_date",)
    )
    # Born 1965: 60 or 61, eligible whatever the day; born 1967: 58 or 59, not yet.
    assert evaluate(SIXTY_PLUS_THAI, Profile(birth_year=2508, nationality="thai"), TODAY).eligible
    assert evaluate(SIXTY_PLUS_THAI, Profile(birth_year=1967, nationality="thai"), TODAY).failed == "min_age"


@pytest.mark.parametrize("year", [1700, 2600, 3000, dt.date.today().year + 2])
def test_an_impossible_birth_year_is_refused(year):
    with pytest.raises(ValidationError, match="plausible year of birth"):
        Profile(birth_year=year)


def test_a_birth_year_that_contradicts_the_birth_date_is_refused():
    with pytest.raises(ValidationError, match="contradicts"):
        Profile(birth_date=dt.date(1966, 5, 1), birth_year=2510)
    assert Profile(birth_date=dt.date(1966, 5, 1), birth_year=2509).birth_year == 1966


# --- missing fields give "unknown", never "no" -----------------------------------------


def test_an_empty_profile_is_unknown_with_everything_it_needs():
    rules = Eligibility(min_age=18, nationality="thai", situations=[Situation.UNEMPLOYED], provinces=["เชียงใหม่"])
    verdict = evaluate(rules, Profile(), TODAY)
    assert verdict == Verdict("unknown", missing=("birth_date", "nationality", "situations", "province"))
    assert not verdict.eligible


def test_a_failed_condition_decides_even_when_other_fields_are_missing():
    rules = Eligibility(min_age=60, nationality="thai", provinces=["ภูเก็ต"])
    assert evaluate(rules, Profile(birth_date=dt.date(2000, 1, 1)), TODAY) == Verdict("not_eligible", failed="min_age")
    assert evaluate(rules, Profile(nationality="foreign"), TODAY) == Verdict("not_eligible", failed="nationality")


def test_situations_not_listed_are_unknown_until_the_citizen_has_answered():
    rules = Eligibility(situations=[Situation.DISABILITY])
    assert evaluate(rules, Profile(), TODAY) == Verdict("unknown", missing=("situations",))
    assert evaluate(rules, Profile(situations_known=True), TODAY) == Verdict("not_eligible", failed="situations")
    assert evaluate(rules, Profile(situations=[Situation.DISABILITY]), TODAY).eligible


def test_any_situation_needs_one_of_them():
    rules = Eligibility(any_situation=[Situation.PREGNANT, Situation.NEW_PARENT])
    assert evaluate(rules, Profile(situations=[Situation.NEW_PARENT]), TODAY).eligible
    assert evaluate(rules, Profile(situations=[Situation.STUDENT]), TODAY) == Verdict(
        "unknown", missing=("situations",)
    )
    known = Profile(situations=[Situation.STUDENT], situations_known=True)
    assert evaluate(rules, known, TODAY) == Verdict("not_eligible", failed="any_situation")


def test_provinces_matter_only_where_listed():
    rules = Eligibility(provinces=["เชียงใหม่", "ลำพูน"])
    assert evaluate(rules, Profile(province="เชียงใหม่"), TODAY).eligible
    assert evaluate(rules, Profile(province="ภูเก็ต"), TODAY) == Verdict("not_eligible", failed="provinces")
    assert evaluate(Eligibility(), Profile(province="ภูเก็ต"), TODAY).eligible


def test_nationality_any_and_no_conditions_at_all_are_eligible():
    assert evaluate(Eligibility(nationality="any"), Profile(nationality="foreign"), TODAY).eligible
    assert evaluate(None, Profile(), TODAY) == Verdict("eligible")


# --- the model refuses contradictions --------------------------------------------------


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"min_age": 65, "max_age": 60}, "min_age 65 is above max_age 60"),
        ({"status": "verified"}, "a verified rule needs source.url"),
        ({"situations": ["student"], "any_situation": ["student"]}, "both required and one-of"),
        ({"situations": ["astronaut"]}, "situations.0"),
        ({"nationality": "martian"}, "nationality"),
        ({"min_age": -1}, "min_age"),
        ({"provinces": [" "]}, "a province name must not be empty"),
        ({"minimum_age": 60}, "minimum_age"),
    ],
)
def test_contradictory_or_unknown_conditions_are_refused(data, problem):
    with pytest.raises(ValidationError) as error:
        Eligibility.model_validate(data)
    assert problem in str(error.value)


# --- on services -------------------------------------------------------------------------


def test_a_service_stored_before_rules_existed_still_loads(seed_services):
    old = seed_services[0].model_dump(mode="json")
    old.pop("eligibility_rules")
    assert Service.model_validate(old).eligibility_rules is None


def test_the_seed_rules_are_sourced_and_decide_as_the_prose_says(seed_services):
    ruled = {service.id: service.eligibility_rules for service in seed_services if service.eligibility_rules}
    assert {"elderly-allowance", "newborn-child-support-grant", "disability-card-registration"} <= set(ruled)
    for service_id, rules in ruled.items():
        assert rules.source is not None, f"{service_id}: a rule without its source"
        assert rules.status == "verified" or rules.note, f"{service_id}: an unverified rule says what to check"

    elderly = ruled["elderly-allowance"]
    assert evaluate(elderly, _thai(dt.date(1966, 12, 2)), TODAY).eligible
    assert evaluate(elderly, Profile(birth_year=2510, nationality="thai"), TODAY).failed == "min_age"
    assert evaluate(elderly, Profile(birth_date=dt.date(1950, 1, 1), nationality="foreign"), TODAY).failed == (
        "nationality"
    )
    grant = ruled["newborn-child-support-grant"]  # the child's profile: Thai and under 6
    assert evaluate(grant, _thai(dt.date(2026, 6, 1)), TODAY).eligible
    assert evaluate(grant, _thai(dt.date(2020, 12, 3)), TODAY).eligible  # 6 tomorrow
    assert evaluate(grant, _thai(dt.date(2020, 12, 2)), TODAY).failed == "max_age"  # 6 today
    disability = ruled["disability-allowance"]
    assert evaluate(disability, _thai(dt.date(1990, 1, 1), situations=["disability"]), TODAY).eligible
    assert evaluate(disability, _thai(dt.date(1990, 1, 1)), TODAY).missing == ("situations",)
