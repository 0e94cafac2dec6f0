"""Editing a service in the browser: a draft, its preview, publishing by a reviewer, the chat giving the
new fee at once, rollback, a conflicting edit refused with a message, and who may publish."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.backoffice.web.conftest import Admin, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SERVICE = "id-card-renewal"
QUESTION = "ต่ออายุบัตรประชาชนต้องใช้อะไร"  # one service answers it, in Thai
TITLE_EN = "Renewing an expired Thai national ID card"
TITLE_TH = "ทำบัตรประจำตัวประชาชนใหม่กรณีบัตรหมดอายุ"
NEW_FEE_EN = "777 baht for the permit, paid at the counter."
NEW_FEE_TH = "ค่าธรรมเนียม 777 บาท ชำระที่เคาน์เตอร์"


def fee_in_chat(admin: Admin) -> str:
    [card] = [card for card in admin.cards(admin.chat(QUESTION)) if card["service_id"] == SERVICE]
    return next(fact["value"] for fact in card["facts"] if fact["key"] == "fees")


def open_edit(page: Page, admin: Admin, service_id: str) -> None:
    page.goto(f"{admin.base_url}/admin/catalogue/{service_id}")


def test_edit_preview_publish_chat_and_roll_back(browser, admin: Admin) -> None:
    before = fee_in_chat(admin)
    assert "777" not in before
    editor_context = browser.new_context(locale="th-TH", viewport={"width": 1280, "height": 900})
    reviewer_context = browser.new_context(locale="th-TH", viewport={"width": 1024, "height": 900})  # a tablet
    try:
        page = sign_in(editor_context, admin, "somchai", lang="en")
        page.get_by_label("Search title, agency or keyword").fill("national ID card")
        page.get_by_role("button", name="Show").click()
        page.get_by_role("link", name=TITLE_EN, exact=True).click()
        page.get_by_label("Fees · Thai").fill(NEW_FEE_TH)
        page.get_by_label("Fees · English").fill(NEW_FEE_EN)
        page.get_by_role("button", name="Send for review").click()
        expect(page.get_by_role("status")).to_have_text("Sent for review.")
        expect(page.locator("[data-draft-state]")).to_contain_text("Waiting for review")
        expect(page.locator("table.diff")).to_contain_text("777")  # the field-by-field diff against live
        assert "777" not in fee_in_chat(admin)  # not live before a reviewer publishes
        # an editor may not publish: no button, and the form post is refused
        expect(page.get_by_role("button", name="Publish")).to_have_count(0)

        page.get_by_role("link", name="Preview: ask the draft a question").click()
        page.get_by_label("A citizen's question").fill(QUESTION)
        page.get_by_role("button", name="Ask").click()
        expect(page.get_by_role("status")).to_contain_text("The draft ranks 1")
        expect(page.locator('.card[data-lang="en"] [data-fact="fees"]')).to_have_text(NEW_FEE_EN)
        expect(page.locator('.card[data-lang="th"] [data-fact="fees"]')).to_have_text(NEW_FEE_TH)

        review = sign_in(reviewer_context, admin, "malai")
        review.get_by_role("link", name="ฉบับร่างและการตรวจ").click()
        review.get_by_role("link", name=TITLE_TH, exact=True).click()
        review.get_by_role("button", name="เผยแพร่").click()
        expect(review.get_by_role("status")).to_contain_text("เผยแพร่แล้ว")
        assert fee_in_chat(admin) == NEW_FEE_TH  # live at once, no restart

        review.get_by_role("link", name="ประวัติ").click()
        expect(review.locator("section.version").first).to_contain_text("777")
        review.locator("section.version").nth(1).get_by_role("button", name="ย้อนกลับไปใช้ฉบับนี้").click()
        expect(review.get_by_role("status")).to_contain_text("ย้อนกลับไปใช้ฉบับที่")
        assert fee_in_chat(admin) == before
    finally:
        editor_context.close()
        reviewer_context.close()


def test_a_second_editor_saving_the_same_service_is_refused_with_a_message(browser, admin: Admin) -> None:
    first = browser.new_context(locale="th-TH")
    second = browser.new_context(locale="th-TH")
    try:
        page_a = sign_in(first, admin, "somchai", lang="en")
        page_b = sign_in(second, admin, "nida", lang="en")
        open_edit(page_a, admin, "death-certificate-copy")
        open_edit(page_b, admin, "death-certificate-copy")
        page_a.get_by_label("Fees · English").fill("A certified copy costs 20 baht.")
        page_a.get_by_role("button", name="Save draft").click()
        expect(page_a.get_by_role("status")).to_have_text("Draft saved.")
        page_b.get_by_label("Fees · English").fill("A certified copy costs 30 baht.")
        page_b.get_by_role("button", name="Save draft").click()
        expect(page_b.get_by_role("alert")).to_contain_text("Another editor started a draft")
        expect(page_b.get_by_label("Fees · English")).to_have_value("A certified copy costs 30 baht.")  # kept
        open_edit(
            page_b, admin, "death-certificate-copy"
        )  # opening it again shows the first editor's draft, which B can now change
        expect(page_b.get_by_label("Fees · English")).to_have_value("A certified copy costs 20 baht.")
        page_b.get_by_label("Fees · English").fill("A certified copy costs 30 baht.")
        page_b.get_by_role("button", name="Save draft").click()
        expect(page_b.get_by_role("status")).to_have_text("Draft saved.")
        page_a.get_by_label("Fees · English").fill("A certified copy costs 40 baht.")  # A's page is now stale
        page_a.get_by_role("button", name="Save draft").click()
        expect(page_a.get_by_role("alert")).to_be_visible()
        open_edit(page_a, admin, "death-certificate-copy")
        expect(page_a.get_by_label("Fees · English")).to_have_value("A certified copy costs 30 baht.")
    finally:
        first.close()
        second.close()


def test_errors_are_shown_on_the_wrong_field_and_nothing_is_saved(context: BrowserContext, admin: Admin) -> None:
    page = sign_in(context, admin, "nida")
    open_edit(page, admin, "birth-certificate-copy")
    page.get_by_label("ค่าธรรมเนียม · ภาษาอังกฤษ").fill("")
    page.get_by_label("เอกสารที่ต้องใช้ · ภาษาอังกฤษ").fill("only one line")
    page.get_by_role("button", name="บันทึกฉบับร่าง").click()
    expect(page.get_by_role("alert")).to_contain_text("ยังไม่ได้บันทึก")
    expect(page.get_by_label("ค่าธรรมเนียม · ภาษาอังกฤษ")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#fees-en-error")).to_have_text("ต้องกรอกช่องนี้")
    expect(page.locator("#fees-th-error")).to_have_count(0)
    assert admin.runtime.store.list_drafts("birth-certificate-copy") == []


def test_a_role_that_may_not_publish_cannot(context: BrowserContext, admin: Admin) -> None:
    store = admin.runtime.store
    service = store.get("divorce-registration")
    draft = store.create_draft(service.model_copy(update={"fees": service.fees}), "nida")
    draft = store.submit_draft(draft.id, "nida")
    page = sign_in(context, admin, "somchai")
    open_edit(page, admin, "divorce-registration")
    expect(page.locator("[data-draft-state]")).to_contain_text("รอการตรวจ")
    expect(page.get_by_role("button", name="เผยแพร่")).to_have_count(0)
    csrf = page.locator('input[name="csrf_token"]').first.get_attribute("value")
    form = {"csrf_token": csrf, "action": "publish", "draft_id": str(draft.id), "draft_version": str(draft.version)}
    response = page.request.post(f"{admin.base_url}/admin/catalogue/divorce-registration", form=form)
    assert response.status == 403
    assert "บทบาทของคุณ" in response.text()
    assert store.get_draft(draft.id).state == "submitted"


def test_an_analyst_reads_but_does_not_edit(context: BrowserContext, admin: Admin) -> None:
    page = sign_in(context, admin, "preecha")
    expect(page.get_by_role("link", name="สถิติการใช้งาน")).to_be_visible()
    expect(page.get_by_role("link", name="ฉบับร่างและการตรวจ")).to_have_count(0)
    open_edit(page, admin, "divorce-registration")
    expect(page.get_by_role("button", name="บันทึกฉบับร่าง")).to_have_count(0)
    expect(page.get_by_role("button", name="เผยแพร่")).to_have_count(0)
    page.goto(f"{admin.base_url}/admin/drafts")
    expect(page.get_by_role("alert")).to_have_text("บทบาทของคุณเปิดหน้านี้หรือทำรายการนี้ไม่ได้")
    assert httpx.get(f"{admin.base_url}/admin/drafts", follow_redirects=False).status_code == 303  # no session
