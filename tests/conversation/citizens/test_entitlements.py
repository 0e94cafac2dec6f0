"""'Services you may be entitled to' from a profile, over the seed catalogue's rules: ranked eligible,
soon eligible, undecided; ruled-out services left out; an office in the citizen's province."""

from __future__ import annotations

import datetime as dt

import pytest

from conversation.citizens.entitlements import (
    entitlements,
    find_province,
    office_in_province,
    shortlist,
    turns_old_enough,
    when_label,
)
from knowledge.eligibility import Eligibility, Profile, Situation
from knowledge.schema import Bilingual, Office, Service

TODAY = dt.date(2026, 12, 3)


def _by_id(found: list) -> dict[str, object]:
    return {entry.service.id: entry for entry in found}


def test_a_thai_of_66_is_offered_the_elderly_allowance_first_and_not_child_services(seed_services) -> None:
    profile = Profile(birth_date=dt.date(1960, 5, 1), nationality="thai", situations_known=True)
    found = entitlements(seed_services, profile, TODAY)
    ids = [entry.service.id for entry in found]
    assert "elderly-allowance" in ids and "social-security-old-age-benefit" in ids
    assert {"newborn-child-support-grant", "passport-for-minor", "national-savings-fund"}.isdisjoint(ids)  # max_age
    assert {"student-loan-application", "disability-card-registration", "foreign-worker-work-permit"}.isdisjoint(ids)
    assert all(entry.standing == "eligible" for entry in found)
    assert ids.index("elderly-allowance") < ids.index("marriage-registration")  # the one for them first
    assert ids.index("elderly-allowance") < ids.index("driving-licence-temporary")


def test_turning_60_next_month_offers_the_elderly_allowance_with_the_month(seed_services) -> None:
    profile = Profile(birth_date=dt.date(1967, 1, 10), nationality="thai", situations_known=True)
    found = entitlements(seed_services, profile, TODAY)
    entry = _by_id(found)["elderly-allowance"]
    assert entry.standing == "soon" and entry.eligible_from == dt.date(2027, 1, 10) and not entry.from_year_only
    assert when_label(entry.eligible_from, "th") == "เดือนมกราคม 2570"
    assert when_label(entry.eligible_from, "en") == "January 2027"
    standings = [e.standing for e in found]
    assert standings == sorted(standings, key=["eligible", "soon", "unknown"].index)
    assert standings[0] == "eligible"  # a 59-year-old may marry, join social security ... now


def test_turning_60_far_ahead_is_not_offered_and_a_birth_year_alone_gives_the_year(seed_services) -> None:
    later = Profile(birth_date=dt.date(1967, 9, 1), nationality="thai")
    assert "elderly-allowance" not in _by_id(entitlements(seed_services, later, TODAY))
    by_year = Profile(birth_year=1967, nationality="thai")
    entry = _by_id(entitlements(seed_services, by_year, TODAY))["elderly-allowance"]
    assert entry.standing == "soon" and entry.from_year_only and entry.eligible_from == dt.date(2027, 1, 1)
    assert when_label(entry.eligible_from, "th", year_only=True) == "ปี 2570"


def test_what_the_profile_does_not_decide_is_offered_with_what_would(seed_services) -> None:
    found = _by_id(entitlements(seed_services, Profile(birth_year=1990), TODAY))
    assert found["universal-coverage-registration"].missing == ("nationality",)
    assert found["student-loan-application"].missing == ("nationality", "situations")
    assert found["student-loan-application"].standing == "unknown"
    assert "elderly-allowance" not in found  # 35 or 36: ruled out whatever the nationality
    ranked = list(found.values())
    assert [len(e.missing) for e in ranked if e.standing == "unknown"] == sorted(
        len(e.missing) for e in ranked if e.standing == "unknown"
    )


@pytest.mark.parametrize(
    ("situations", "known", "offered"),
    [
        ([Situation.UNEMPLOYED], True, True),
        ([], True, False),  # answered, and not unemployed: left out
        ([], False, True),  # not asked yet: offered as undecided
    ],
)
def test_situations_decide_when_the_citizen_answered(seed_services, situations, known, offered) -> None:
    profile = Profile(birth_year=1990, nationality="thai", situations=situations, situations_known=known)
    assert ("unemployment-benefit" in _by_id(entitlements(seed_services, profile, TODAY))) is offered


def _service_with(seed_services, rules: Eligibility, offices: list[Office]) -> Service:
    base = next(s for s in seed_services if s.id == "elderly-allowance")
    where = base.where_to_apply.model_copy(update={"offices": offices})
    return base.model_copy(update={"id": "local-grant", "eligibility_rules": rules, "where_to_apply": where})


def test_a_province_rule_and_the_office_in_the_citizens_province(seed_services) -> None:
    chiang_mai = Office(name=Bilingual(th="สำนักงานพัฒนาสังคมฯ จังหวัดเชียงใหม่", en="Chiang Mai social development office"))
    bangkok = Office(name=Bilingual(th="ศาลาว่าการ กทม.", en="Bangkok City Hall"), latitude=13.75, longitude=100.50)
    service = _service_with(seed_services, Eligibility(provinces=["เชียงใหม่", "ลำพูน"]), [bangkok, chiang_mai])
    [entry] = entitlements([service], Profile(province="เชียงใหม่"), TODAY)
    assert entry.standing == "eligible" and entry.office == chiang_mai
    assert entitlements([service], Profile(province="ภูเก็ต"), TODAY) == []
    [undecided] = entitlements([service], Profile(), TODAY)
    assert undecided.missing == ("province",) and undecided.office is None
    assert office_in_province(service, "นนทบุรี") == bangkok  # no office names it; Bangkok's is close
    assert office_in_province(service, "ภูเก็ต") is None  # nothing near: no office said rather than a far one


def test_turns_old_enough_counts_a_29_february_birthday_from_1_march() -> None:
    rules = Eligibility(min_age=60)
    assert turns_old_enough(rules, Profile(birth_date=dt.date(1968, 2, 29)), dt.date(2027, 12, 1)) == dt.date(
        2028, 2, 29
    )
    leap_born = Profile(birth_date=dt.date(1964, 2, 29))
    assert turns_old_enough(Eligibility(min_age=61), leap_born, dt.date(2024, 12, 1)) == dt.date(2025, 3, 1)
    assert turns_old_enough(rules, Profile(birth_date=dt.date(1967, 2, 28)), TODAY) == dt.date(2027, 2, 28)
    assert turns_old_enough(rules, Profile(birth_date=dt.date(1960, 1, 1)), TODAY) is None


@pytest.mark.parametrize(
    ("typed", "provinces"),
    [
        ("เชียงใหม่", ["เชียงใหม่"]),
        ("จังหวัดเชียงใหม่", ["เชียงใหม่"]),
        ("Chiangmai", ["เชียงใหม่"]),
        ("เชียงใม่", ["เชียงใหม่"]),
        ("กทม.", ["กรุงเทพมหานคร"]),
        ("อุบล", ["อุบลราชธานี"]),
        ("ไม่รู้สิ", []),
    ],
)
def test_a_typed_province_is_found_despite_typos(typed: str, provinces: list[str]) -> None:
    assert find_province(typed) == provinces


def test_the_shortlist_keeps_room_for_what_is_soon_and_one_undecided(seed_services) -> None:
    profile = Profile(birth_date=dt.date(1967, 1, 10), nationality="thai", situations_known=False)
    found = entitlements(seed_services, profile, TODAY)
    short = shortlist(found, 3)
    assert [entry.standing for entry in short] == ["eligible", "soon", "unknown"]
    assert short[1].service.id == "elderly-allowance"
    assert shortlist(found, 100) == found
