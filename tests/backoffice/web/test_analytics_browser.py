"""The analytics page: figures for the questions citizens asked, and an unanswered question turned into
an example question of a service in one click, after which the same question finds that service."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.backoffice.web.conftest import Admin, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Not in the catalogue (from the analytics API's own test): an editor decides it belongs to the lost-card service.
UNANSWERED = "บัตรสีชมพูหายทำไง"
TARGET = "id-card-replacement-lost-damaged"
TARGET_TITLE = "ทำบัตรประจำตัวประชาชนใหม่กรณีบัตรหายหรือชำรุด"


def test_figures_and_the_unanswered_list_feed_the_catalogue(context: BrowserContext, admin: Admin) -> None:
    assert TARGET not in [card["service_id"] for card in admin.cards(admin.chat(UNANSWERED))]
    admin.chat("How do I renew my passport?")
    admin.runtime.staff_accounts.set_role("preecha", "admin")  # one account that reads figures and edits
    try:
        page = sign_in(context, admin, "preecha")
        page.get_by_role("link", name="สถิติการใช้งาน").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("สถิติการใช้งาน")
        assert int(page.locator('[data-figure="questions"]').inner_text()) >= 2
        per_day = page.locator("section", has=page.get_by_role("heading", name="คำถามต่อวัน"))
        expect(per_day.locator("svg rect").first).to_be_attached()  # the chart, and its legend in words
        expect(per_day.locator(".legend")).to_contain_text("เว็บ · ไทย")
        csv_link = page.get_by_role("link", name="คำถามทั้งหมด")
        expect(csv_link).to_have_attribute(
            "href", re.compile(r"^/admin/api/analytics/export\.csv\?from=.*table=turns$")
        )
        group = page.locator("li.group", has=page.locator(".message", has_text=UNANSWERED))
        expect(group).to_have_count(1)
        group.get_by_label("เพิ่มเป็นตัวอย่างคำถามของบริการ").select_option(TARGET)
        group.get_by_role("button", name="เพิ่มเป็นตัวอย่าง").click()
        expect(page.get_by_role("status")).to_contain_text(TARGET_TITLE)
        csv = page.request.get(f"{admin.base_url}/admin/api/analytics/export.csv?table=turns")
        assert csv.status == 200 and UNANSWERED in csv.text()
    finally:
        admin.runtime.staff_accounts.set_role("preecha", "analyst")
    assert UNANSWERED in admin.runtime.store.get(TARGET).example_questions.th
    assert admin.cards(admin.chat(UNANSWERED))[0]["service_id"] == TARGET
    [entry] = admin.runtime.staff_accounts.store.audit_entries(action="catalogue.add_example", limit=1)
    assert entry.account == "preecha" and entry.target == TARGET
