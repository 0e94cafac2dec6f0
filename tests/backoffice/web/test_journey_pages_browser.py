"""The journeys page and the eligibility rules in a real Chromium: an editor writes a journey of two
steps with a deadline, moves a step up and saves it; a second tab saving an older version is told so
with its input kept; a role without ``edit`` only reads; rules written in the service form reach the
editor API once published. axe finds no serious violation on the journeys pages."""

from __future__ import annotations

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

from knowledge.journeys import Journey
from tests.backoffice.web.conftest import DESKTOP, Admin, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NEW_ID = "moving-for-work"  # journeys of these ids are made here; no other test uses them
STALE_ID = "two-tabs-journey"
READ_ID = "read-only-journey"
RULES_SERVICE = "water-meter-name-transfer"  # no other browser test edits it


def serious(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {[node['target'] for node in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def made(admin: Admin, journey_id: str) -> Journey:
    """A journey in the runtime's store, created as the API would."""
    journey = Journey.model_validate(
        {
            "id": journey_id,
            "life_event": "death",
            "title": {"th": "เส้นทางทดสอบ", "en": "A trial journey"},
            "summary": {"th": "สำหรับการทดสอบ", "en": "For the test"},
            "steps": [{"service": "death-registration", "why": {"th": "แจ้งตาย", "en": "Register the death"}}],
        }
    )
    store = admin.runtime.journeys
    if journey_id not in [record.journey.id for record in store.list_journeys()]:
        store.create(journey, "seed")
    return journey


def fill_step(page: Page, index: int, service: str, why_th: str, why_en: str) -> None:
    step = page.locator(f'[data-step="{index}"]')
    step.get_by_label("Service", exact=True).select_option(service)
    step.get_by_label("Why the citizen needs it · Thai").fill(why_th)
    step.get_by_label("Why the citizen needs it · English").fill(why_en)


def test_an_editor_writes_a_journey_moves_a_step_and_finds_it_in_the_list(
    context: BrowserContext, admin: Admin
) -> None:
    page = sign_in(context, admin, "somchai", lang="en")
    page.get_by_role("link", name="Journeys", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Journeys through life events")
    assert serious(page) == []
    page.get_by_role("link", name="Add a journey").click()
    page.get_by_label("Journey id").fill(NEW_ID)
    page.get_by_label("Life event").select_option("moving-house")
    page.get_by_label("Title · Thai").fill("ย้ายบ้านเพื่อไปทำงาน")
    page.get_by_label("Title · English").fill("Moving for a new job")
    page.get_by_label("Summary · Thai").fill("ย้ายทะเบียนบ้านตามลำดับ")
    page.get_by_label("Summary · English").fill("Move your house registration, in order")
    fill_step(page, 0, "house-registration-move-in", "แจ้งย้ายเข้าภายใน 15 วัน", "Register at the new address")
    first = page.locator('[data-step="0"]')
    first.get_by_label("Within", exact=True).fill("15")
    first.get_by_label("Unit", exact=True).select_option("days")
    first.get_by_label("Act and section that set it").fill("พ.ร.บ.การทะเบียนราษฎร พ.ศ. 2534 มาตรา 30")

    page.get_by_role("button", name="Add a step").click()  # a plain submit: nothing saved yet
    expect(page.get_by_role("status")).to_contain_text("nothing is saved until you save the journey")
    fill_step(page, 1, "house-registration-move-out", "แจ้งย้ายออกก่อน", "Leave the old address first")
    page.get_by_role("button", name="Move step 2 up").click()
    expect(page.locator('[data-step="0"]').get_by_label("Service", exact=True)).to_have_value(
        "house-registration-move-out"
    )
    moved = page.locator('[data-step="1"]')
    expect(moved.get_by_label("Within", exact=True)).to_have_value("15")  # the deadline moved with its step
    expect(moved.get_by_label("Why the citizen needs it · English")).to_have_value("Register at the new address")
    assert serious(page) == []
    assert NEW_ID not in [record.journey.id for record in admin.runtime.journeys.list_journeys()]

    page.get_by_role("button", name="Save the journey").click()
    expect(page.get_by_role("status")).to_have_text("Journey saved: version 1.")
    page.get_by_role("link", name="All journeys").click()
    page.get_by_label("Life event").select_option("moving-house")
    page.get_by_role("button", name="Show").click()
    row = page.locator(f'tr[data-journey="{NEW_ID}"]')
    expect(row).to_contain_text("Moving for a new job")
    expect(row).to_contain_text("ย้ายบ้านเพื่อไปทำงาน")
    expect(row).to_contain_text("step 2")  # its deadline is still to verify
    expect(page.locator('tr[data-journey="having-a-baby"]')).to_have_count(0)  # another life event
    saved = admin.runtime.journeys.get(NEW_ID)
    assert saved.journey.service_ids() == ["house-registration-move-out", "house-registration-move-in"]
    assert saved.journey.steps[1].deadline.days == 15 and saved.updated_by == "somchai"
    [entry] = admin.runtime.staff_accounts.store.audit_entries(action="journey.create", limit=1)
    assert (entry.account, entry.target) == ("somchai", NEW_ID)


def test_a_second_tab_saving_an_older_version_is_told_and_keeps_its_input(
    context: BrowserContext, admin: Admin
) -> None:
    made(admin, STALE_ID)
    first = sign_in(context, admin, "nida", lang="en")
    url = f"{admin.base_url}/admin/journeys/{STALE_ID}/edit"
    first.goto(url)
    second = context.new_page()
    second.goto(url)
    first.get_by_label("Summary · English").fill("Saved in the first tab")
    first.get_by_role("button", name="Save the journey").click()
    expect(first.get_by_role("status")).to_contain_text("Saved: version")

    second.get_by_label("Title · English").fill("Typed in the second tab")
    second.get_by_role("button", name="Save the journey").click()
    expect(second.get_by_role("alert")).to_contain_text("after you opened version")
    current = second.locator("[data-current-version]")
    expect(current).to_contain_text("Saved in the first tab")  # the version saved now, beside the input
    expect(second.get_by_label("Title · English")).to_have_value("Typed in the second tab")
    assert admin.runtime.journeys.get(STALE_ID).journey.title.en == "A trial journey"
    assert serious(second) == []
    second.get_by_role("button", name="Save the journey").click()  # having seen it: replace it, on purpose
    expect(second.get_by_role("status")).to_contain_text("Saved: version")
    assert admin.runtime.journeys.get(STALE_ID).journey.title.en == "Typed in the second tab"


def test_a_role_without_edit_reads_the_journey_but_has_nothing_to_change(browser: Browser, admin: Admin) -> None:
    made(admin, READ_ID)
    context = browser.new_context(locale="th-TH", viewport=DESKTOP)
    try:
        page = sign_in(context, admin, "preecha", lang="en")  # an analyst
        page.goto(f"{admin.base_url}/admin/journeys")
        expect(page.get_by_role("link", name="Add a journey")).to_have_count(0)
        page.get_by_role("link", name="A trial journey").click()
        expect(page.get_by_text("Your role may read journeys but not change them.")).to_be_visible()
        expect(page.get_by_role("button", name="Save the journey")).to_have_count(0)
        expect(page.get_by_role("link", name="Delete…")).to_have_count(0)
        expect(page.locator("ol.steps li")).to_contain_text("Register the death")
        assert serious(page) == []
        page.goto(f"{admin.base_url}/admin/journeys/{READ_ID}/delete")
        expect(page.get_by_role("main")).to_contain_text("Your role may not open this page")
    finally:
        context.close()


def test_eligibility_rules_written_in_the_service_form_reach_the_api(browser: Browser, admin: Admin) -> None:
    editor = browser.new_context(locale="th-TH", viewport=DESKTOP)
    reviewer = browser.new_context(locale="th-TH", viewport=DESKTOP)
    try:
        page = sign_in(editor, admin, "nida", lang="en")
        page.goto(f"{admin.base_url}/admin/catalogue/{RULES_SERVICE}")
        page.get_by_label("Youngest age", exact=False).fill("60")
        page.get_by_label("Provinces", exact=False).fill("Atlantis")
        page.get_by_role("button", name="Save draft").click()
        expect(page.locator("#eligibility-rules-provinces-error")).to_have_text(
            "Not a province of Thailand: Atlantis. Write each province's Thai name, one per line."
        )
        expect(page.get_by_label("Youngest age", exact=False)).to_have_value("60")  # kept while fixing
        assert admin.runtime.store.list_drafts(RULES_SERVICE) == []
        page.get_by_label("Provinces", exact=False).fill("")
        page.get_by_role("button", name="Send for review").click()
        expect(page.get_by_role("status")).to_have_text("Sent for review.")
        expect(page.locator("table.diff")).to_contain_text("eligibility_rules")

        review = sign_in(reviewer, admin, "malai", lang="en")
        review.goto(f"{admin.base_url}/admin/catalogue/{RULES_SERVICE}")
        review.get_by_role("button", name="Publish").click()
        expect(review.get_by_role("status")).to_contain_text("Published")
    finally:
        editor.close()
        reviewer.close()
    token = admin.runtime.settings.editor.token.get_secret_value()
    response = httpx.get(
        f"{admin.base_url}/api/admin/services/{RULES_SERVICE}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    rules = body["service"]["eligibility_rules"]
    assert rules["min_age"] == 60 and rules["max_age"] is None and rules["provinces"] == []
