"""The answer names what is not confirmed and says when the facts were checked (issue 12).

Built from one service with known facts, so these hold whatever the seed catalogue says.
"""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from actions.service_answer import detail_text, service_card, service_summary_text, unverified_items
from knowledge.schema import Service

CHECKED = dt.date(2026, 12, 1)
FEE_PAGE = "https://www.bora.dopa.go.th/faq/id-card-fees"


def _fact(field: str, kind: str, th: str, en: str, verified: bool) -> dict:
    raw: dict = {"field": field, "kind": kind, "text": {"th": th, "en": en}}
    if verified:
        raw |= {
            "status": "verified",
            "source": {"url": FEE_PAGE, "title": "กรมการปกครอง: ค่าธรรมเนียมบัตร"},
            "checked": CHECKED.isoformat(),
        }
    else:
        raw |= {"status": "unverified", "note": "Check on DOPA's page."}
    return raw


FREE = _fact("fees", "fee", "ต่ออายุบัตรไม่มีค่าธรรมเนียม", "Renewing the card is free.", verified=True)
FEE = _fact("fees", "fee", "ค่าธรรมเนียม 100 บาท", "The fee is 100 baht.", verified=False)
FINE = _fact("fees", "fine", "ปรับไม่เกิน 100 บาท", "A fine of at most 100 baht.", verified=False)
TIME = _fact("processing_time", "time", "ได้บัตรในวันเดียว", "Issued the same day.", verified=False)
DOCS = _fact("documents", "document", "บัตรเดิม", "The old card.", verified=True)


def make(seed_services, facts: list[dict], to_verify: list[str] | None = None) -> Service:
    raw = copy.deepcopy(next(s for s in seed_services if s.id == "id-card-renewal").model_dump(mode="json"))
    raw["facts"], raw["to_verify"] = facts, to_verify or []
    checks = [f["checked"] for f in facts if f.get("checked")]
    raw["last_reviewed"] = max(checks) if checks else None
    return Service.model_validate(raw)


def test_one_unverified_fee_is_named_in_thai_and_english(seed_services):
    service = make(seed_services, [FEE, DOCS])
    th, en = service_summary_text(service, "th"), service_summary_text(service, "en")
    assert "ค่าธรรมเนียมยังไม่ได้ตรวจสอบกับหน่วยงาน กรุณาสอบถามหน่วยงานก่อนดำเนินการครับ" in th.splitlines()
    assert (
        "The fee has not been confirmed with the agency; please check with them before you rely on it."
        in en.splitlines()
    )
    assert "โปรดตรวจสอบ" not in th and "Please confirm the" not in en  # no general warning any more


def test_several_unverified_facts_are_listed_naturally(seed_services):
    service = make(seed_services, [FEE, TIME, DOCS], to_verify=["documents"])
    assert unverified_items(service, ["documents", "fees", "processing_time"]) == [
        "documents",
        "fees",
        "processing_time",
    ]
    en = service_summary_text(service, "en").splitlines()
    th = service_summary_text(service, "th").splitlines()
    assert (
        "The list of documents, the fee and the processing time have not been confirmed with the agency; "
        "please check with them before you rely on them." in en
    )
    assert "รายการเอกสาร ค่าธรรมเนียม และระยะเวลาดำเนินการยังไม่ได้ตรวจสอบกับหน่วยงาน กรุณาสอบถามหน่วยงานก่อนดำเนินการครับ" in th


def test_a_fine_is_named_as_a_fine_beside_a_confirmed_fee(seed_services):
    service = make(seed_services, [FREE, FINE])
    assert "The fine has not been confirmed with the agency" in service_summary_text(service, "en")
    assert "ค่าปรับยังไม่ได้ตรวจสอบกับหน่วยงาน" in service_summary_text(service, "th")


def test_nothing_unverified_means_no_caution(seed_services):
    service = make(seed_services, [FREE, DOCS])
    assert "confirmed" not in service_summary_text(service, "en")
    assert service_card(service, "en")["verify_note"] is None
    assert service_card(service, "en")["unverified"] == []


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("th", "ที่มา: https://www.bora.dopa.go.th/ (ตรวจสอบกับแหล่งที่มาล่าสุด 1 ธ.ค. 2569)"),
        ("en", "Source: https://www.bora.dopa.go.th/ (last checked 1 Dec 2026)"),
    ],
)
def test_the_answer_says_when_the_facts_were_last_checked(seed_services, lang, line):
    service = make(seed_services, [FREE, FEE])
    assert (
        service_summary_text(service, lang)
        .splitlines()[-1]
        .replace(str(service.source_url), "https://www.bora.dopa.go.th/")
        == line
    )


def test_the_buddhist_era_year_and_thai_month_follow_the_date(seed_services):
    older = dict(FREE, checked="2025-03-09")
    service = make(seed_services, [older])
    assert service_summary_text(service, "th").endswith("(ตรวจสอบกับแหล่งที่มาล่าสุด 9 มี.ค. 2568)")
    assert service_summary_text(service, "en").endswith("(last checked 9 Mar 2025)")
    assert service_card(service, "th")["last_checked_text"] == "ตรวจสอบกับแหล่งที่มาล่าสุด 9 มี.ค. 2568"
    assert service_card(service, "en")["last_checked_text"] == "Last checked 9 Mar 2025"


def test_without_a_verified_fact_the_answer_says_it_is_not_yet_checked(seed_services):
    service = make(seed_services, [FEE, TIME])
    assert service.last_reviewed is None
    assert service_summary_text(service, "en").endswith("(not yet checked against the agency)")
    assert service_summary_text(service, "th").endswith("(ยังไม่ได้ตรวจสอบกับหน่วยงาน)")
    card = service_card(service, "th")
    assert card["last_reviewed"] is None and card["last_checked_text"] == "ยังไม่ได้ตรวจสอบกับหน่วยงาน"


def test_the_card_names_unverified_fields_and_keeps_its_old_fields(seed_services):
    service = make(seed_services, [FREE, FINE, TIME], to_verify=["steps"])
    for lang in ("th", "en"):
        card = service_card(service, lang)
        assert card["unverified"] == ["fees", "processing_time", "steps"]
        assert card["to_verify"] == ["steps"]
        assert card["last_reviewed"] == "2026-12-01"
        assert card["verify_note"] in service_summary_text(service, lang).splitlines()
        (checked,) = card["checked_facts"]
        assert checked["source_url"] == FEE_PAGE and checked["checked"] == "2026-12-01"
    assert service_card(service, "en")["verify_note"] == (
        "The fine and the processing time have not been confirmed with the agency; "
        "please check with them before you rely on them."
    )


def test_a_detail_answer_names_only_its_own_field_and_cites_the_facts_source(seed_services):
    service = make(seed_services, [FREE, FINE, TIME])
    en = detail_text(service, "fees", "en").splitlines()
    th = detail_text(service, "fees", "th").splitlines()
    assert "The fine has not been confirmed with the agency; please check with them before you rely on it." in en
    assert not any("processing time" in line for line in en)
    # A Thai page's name stays out of an English answer; its link and check date do not.
    assert en[-1] == f"Source for this: {FEE_PAGE} (checked 1 Dec 2026)"
    assert "ค่าปรับยังไม่ได้ตรวจสอบกับหน่วยงาน กรุณาสอบถามหน่วยงานก่อนดำเนินการครับ" in th
    assert th[-1] == f"ที่มาของข้อมูลนี้: กรมการปกครอง: ค่าธรรมเนียมบัตร {FEE_PAGE} (ตรวจสอบเมื่อ 1 ธ.ค. 2569)"


def test_a_detail_answer_without_checked_facts_gives_the_services_source(seed_services):
    service = make(seed_services, [FREE, TIME])
    en = detail_text(service, "processing_time", "en").splitlines()
    assert (
        "The processing time has not been confirmed with the agency; please check with them before you rely on it."
        in en
    )
    assert en[-1].startswith("Source: ") and en[-1].endswith("(last checked 1 Dec 2026)")
    th = detail_text(service, "processing_time", "th").splitlines()
    assert "ระยะเวลาดำเนินการยังไม่ได้ตรวจสอบกับหน่วยงาน กรุณาสอบถามหน่วยงานก่อนดำเนินการครับ" in th


def test_a_service_without_facts_keeps_its_old_flags_and_review_date(seed_services):
    service = make(seed_services, [], to_verify=["fees"])
    legacy = service.model_copy(update={"last_reviewed": dt.date(2026, 11, 23)})
    assert service_summary_text(legacy, "en").endswith("(last checked 23 Nov 2026)")
    assert "The fee has not been confirmed with the agency" in service_summary_text(legacy, "en")
    assert service_card(legacy, "en")["last_reviewed"] == "2026-11-23"


def test_a_detail_answer_names_a_source_in_the_answers_language(seed_services):
    english = dict(FREE, source={"url": FEE_PAGE, "title": "DOPA: ID card fees"})
    service = make(seed_services, [english])
    assert detail_text(service, "fees", "en").splitlines()[-1] == (
        f"Source for this: DOPA: ID card fees, {FEE_PAGE} (checked 1 Dec 2026)"
    )
    assert detail_text(service, "fees", "th").splitlines()[-1] == (
        f"ที่มาของข้อมูลนี้: DOPA: ID card fees {FEE_PAGE} (ตรวจสอบเมื่อ 1 ธ.ค. 2569)"
    )
    thai = make(seed_services, [FREE])
    assert service_card(thai, "en")["checked_facts"][0]["source_title"] is None
    assert service_card(thai, "th")["checked_facts"][0]["source_title"] == "กรมการปกครอง: ค่าธรรมเนียมบัตร"
