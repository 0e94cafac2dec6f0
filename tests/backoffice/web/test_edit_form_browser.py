"""Every field of a service in the edit form, with JavaScript off: a fact's source and check date edited
in its row, a FAQ row added and removed by plain buttons, an error on the exact row's field, and the
diff naming ``facts[i].source.url``."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Browser, expect

from tests.backoffice.web.conftest import Admin, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SERVICE = "late-birth-registration"  # no other browser test edits it
NEW_URL = "https://www.bora.dopa.go.th/late-birth-registration-2026.pdf"


def test_a_facts_source_and_review_date_are_edited_and_rows_come_and_go_without_javascript(
    browser: Browser, admin: Admin
) -> None:
    service = admin.runtime.store.get(SERVICE)
    index = next(i for i, fact in enumerate(service.facts) if fact.verified)
    today = dt.date.today().isoformat()
    context = browser.new_context(locale="th-TH", viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    context.set_default_timeout(20_000)
    try:
        page = sign_in(context, admin, "nida", lang="en")
        page.goto(f"{admin.base_url}/admin/catalogue/{SERVICE}")
        fact = page.locator(f'[data-row="facts-{index}"]')
        expect(fact.get_by_label("Source: web address")).to_have_value(str(service.facts[index].source.url))
        fact.get_by_label("Source: web address").fill(NEW_URL)
        fact.get_by_label("Checked on").fill(today)
        page.get_by_label("Last reviewed", exact=False).fill(today)

        faq_count = len(service.faq)
        page.get_by_role("button", name="Add another: Question").click()
        new_row = page.locator(f'[data-row="faq-{faq_count}"]')
        expect(new_row).to_be_visible()
        expect(page.get_by_role("status")).to_contain_text("nothing is saved until you save the draft")
        new_row.get_by_label("Question · Thai").fill("แจ้งเกิดเกินกำหนดต้องมีพยานไหม")
        page.get_by_role("button", name="Save draft").click()  # the new question has no English yet
        expect(page.get_by_role("alert")).to_contain_text("nothing was saved")
        error = page.locator(f"#faq-{faq_count}-question-en-error")
        expect(error).to_have_text("This field is required.")
        expect(new_row.get_by_label("Question · English")).to_have_attribute("aria-invalid", "true")
        expect(fact.get_by_label("Source: web address")).to_have_value(NEW_URL)  # kept while fixing
        assert admin.runtime.store.list_drafts(SERVICE) == []

        new_row.get_by_role("button", name=f"Remove Question {faq_count + 1}").click()
        expect(page.locator(f'[data-row="faq-{faq_count}"]')).to_have_count(0)
        page.get_by_role("button", name="Save draft").click()
        expect(page.get_by_role("status")).to_have_text("Draft saved.")
        diff = page.locator("table.diff")
        expect(diff.get_by_role("rowheader", name=f"facts[{index}].source.url", exact=True)).to_be_visible()
        expect(diff).to_contain_text(NEW_URL)
        expect(diff.get_by_role("rowheader", name="last_reviewed", exact=True)).to_be_visible()
    finally:
        context.close()
    [draft] = admin.runtime.store.list_drafts(SERVICE)
    assert str(draft.service.facts[index].source.url) == NEW_URL
    assert draft.service.last_reviewed == dt.date.fromisoformat(today)
    assert draft.service.faq == service.faq and draft.author == "nida"
