"""Review in the browser: the drafts list filtered by state, author and service; a reviewer returns a
draft with a comment the editor then reads in Thai and in English; the editor discards a draft."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.backoffice.web.conftest import Admin, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SERVICE = "marriage-registration"
OTHER = "marriage-registration-with-foreigner"
COMMENT = "ค่าธรรมเนียมยังไม่ตรงกับประกาศ กรุณาตรวจอีกครั้ง"


def test_return_with_a_comment_then_discard(browser: Browser, admin: Admin) -> None:
    store = admin.runtime.store
    live = store.get(SERVICE)
    changed = live.model_copy(update={"fees": live.fees.model_copy(update={"en": "A fee of 99 baht."})})
    draft = store.submit_draft(store.create_draft(changed, "somchai").id, "somchai")
    other = store.submit_draft(store.create_draft(store.get(OTHER), "nida").id, "nida")  # the filters leave it out
    title_th = live.title.th
    reviewer = browser.new_context(locale="th-TH", viewport={"width": 1280, "height": 900})
    editor = browser.new_context(locale="th-TH", viewport={"width": 1280, "height": 900})
    try:
        review = sign_in(reviewer, admin, "malai")
        review.goto(f"{admin.base_url}/admin/drafts")
        review.get_by_label("สถานะ").select_option("submitted")
        review.get_by_label("ผู้เขียน").select_option("somchai")
        review.get_by_label("บริการ (รหัสหรือชื่อ)").fill("marriage")
        review.get_by_role("button", name="แสดงผล").click()
        expect(review.locator("tbody tr")).to_have_count(1)  # nida's draft of the other marriage service: not hers
        expect(review.locator(f'tr[data-draft="{draft.id}"]')).to_be_visible()
        review.get_by_label("ผู้เขียน").select_option("nida")
        review.get_by_role("button", name="แสดงผล").click()
        expect(review.locator("tbody tr")).to_have_count(1)
        expect(review.locator(f'tr[data-draft="{other.id}"]')).to_be_visible()
        review.get_by_label("ผู้เขียน").select_option("somchai")
        review.get_by_role("button", name="แสดงผล").click()
        review.get_by_role("link", name=title_th, exact=True).click()

        review.get_by_role("button", name="ส่งกลับให้ผู้แก้ไข").click()  # no comment: refused, nothing changes
        expect(review.get_by_role("alert")).to_contain_text("กรุณาระบุสิ่งที่ผู้แก้ไขควรแก้")
        assert store.get_draft(draft.id).state == "submitted"
        review.get_by_label("สิ่งที่ควรแก้ไข").fill(COMMENT)
        review.get_by_role("button", name="ส่งกลับให้ผู้แก้ไข").click()
        expect(review.get_by_role("status")).to_have_text("ส่งกลับให้ผู้แก้ไขแล้ว")

        page = sign_in(editor, admin, "somchai")
        page.goto(f"{admin.base_url}/admin/catalogue/{SERVICE}")
        expect(page.locator("[data-draft-state]")).to_contain_text("กำลังแก้ไข")
        expect(page.locator("p.notice")).to_have_text(f"ความเห็นของผู้ตรวจ: {COMMENT}")
        page.get_by_role("link", name="เปลี่ยนหน้าเป็นภาษาอังกฤษ").click()
        expect(page.locator("[data-draft-state]")).to_contain_text("Being written")
        expect(page.locator("p.notice")).to_have_text(f"Reviewer's comment: {COMMENT}")
        page.goto(f"{admin.base_url}/admin/drafts?state=draft&author=somchai")
        expect(page.locator(f'tr[data-draft="{draft.id}"]')).to_contain_text(COMMENT)

        page.goto(f"{admin.base_url}/admin/catalogue/{SERVICE}")
        page.get_by_role("button", name="Discard draft").click()
        expect(page.get_by_role("status")).to_have_text("Draft discarded.")
        expect(page.locator("[data-draft-state]")).to_have_count(0)
        expect(page.get_by_label("Fees · English")).to_have_value(live.fees.en)  # the live text again
        page.goto(f"{admin.base_url}/admin/drafts?state=discarded&service=marriage")
        expect(page.locator(f'tr[data-draft="{draft.id}"]')).to_contain_text("Discarded")
    finally:
        reviewer.close()
        editor.close()
        store.discard_draft(other.id, "nida")
    assert store.get_draft(draft.id).state == "discarded"
    assert store.get(SERVICE) == live
    audit = admin.runtime.staff_accounts.store
    [returned] = audit.audit_entries(account="malai", action="catalogue.draft_return", limit=1)
    [discarded] = audit.audit_entries(account="somchai", action="catalogue.draft_discard", limit=1)
    assert returned.target == discarded.target == SERVICE
