"""A new service written in the browser: each wrong field named where it is (bad id, id taken, a missing
language), sent for review, published by a reviewer, and then found by the bot's search at once."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.backoffice.web.conftest import Admin, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NEW_ID = "pet-elephant-registration"
TITLE_TH = "ขึ้นทะเบียนช้างเลี้ยง"
TITLE_EN = "Registering a domestic elephant"
QUESTION = "How do I register my pet elephant?"
TEXTS = {  # label: (Thai, English)
    "Summary": ("ขึ้นทะเบียนตั๋วรูปพรรณช้างเลี้ยงที่อำเภอ", "Register a domestic elephant and get its identity papers."),
    "Who can apply": ("เจ้าของช้างเลี้ยง", "The owner of a domestic elephant."),
    "Fees": ("ไม่มีค่าธรรมเนียม", "No fee."),
    "Processing time": ("ภายในวันเดียว", "The same day."),
    "Agency": ("กรมการปกครอง", "Department of Provincial Administration"),
    "Documents": ("บัตรประจำตัวประชาชนของเจ้าของ", "The owner's national ID card"),
    "Steps": ("ยื่นคำขอที่อำเภอพร้อมนำช้างไปด้วย", "Apply at the district office, bringing the elephant"),
    "Where to apply": ("ที่ว่าการอำเภอที่ช้างอยู่", "The district office where the elephant lives"),
    "Example questions": ("ขึ้นทะเบียนช้างเลี้ยงยังไง", "How do I register my elephant?"),
}


def fill_service(page: Page) -> None:
    for label, (thai, english) in TEXTS.items():
        page.get_by_label(f"{label} · Thai", exact=True).fill(thai)
        page.get_by_label(f"{label} · English", exact=True).fill(english)
    page.get_by_label("Official page of the service", exact=True).fill("https://www.dopa.go.th/elephants")
    page.get_by_label("Family", exact=True).check()


def test_create_submit_publish_and_the_bot_finds_the_new_service(browser: Browser, admin: Admin) -> None:
    assert NEW_ID not in [card["service_id"] for card in admin.cards(admin.chat(QUESTION))]
    editor = browser.new_context(locale="th-TH", viewport={"width": 1280, "height": 900})
    reviewer = browser.new_context(locale="th-TH", viewport={"width": 768, "height": 1024})  # a tablet
    try:
        page = sign_in(editor, admin, "somchai", lang="en")
        page.get_by_role("link", name="Add a new service").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("New service")
        page.get_by_label("Service id", exact=False).fill("Pet Elephant")
        page.get_by_label("Title · Thai", exact=True).fill(TITLE_TH)
        page.get_by_role("button", name="Save draft").click()
        expect(page.get_by_role("alert")).to_contain_text("Some fields need fixing; nothing was saved.")
        expect(page.locator("#id-error")).to_contain_text("lower-case English letters")
        expect(page.locator("#title-en-error")).to_have_text("This field is required.")
        expect(page.locator("#title-th-error")).to_have_count(0)
        expect(page.get_by_label("Title · Thai", exact=True)).to_have_value(TITLE_TH)  # what was typed is kept

        fill_service(page)
        page.get_by_label("Title · English", exact=True).fill(TITLE_EN)
        page.get_by_label("Service id", exact=False).fill("birth-registration")  # a live service has it
        page.get_by_role("button", name="Save draft").click()
        expect(page.locator("#id-error")).to_contain_text("already has this id")
        assert admin.runtime.store.list_drafts("birth-registration") == []

        page.get_by_label("Service id", exact=False).fill(NEW_ID)
        page.get_by_role("button", name="Send for review").click()
        expect(page.get_by_role("status")).to_have_text("Sent for review.")
        expect(page.locator("[data-draft-state]")).to_contain_text("Waiting for review")
        expect(page.get_by_text("A new service: citizens see it only after")).to_be_visible()
        expect(page.locator("table.diff")).to_contain_text(TITLE_EN)  # everything is new against "no live"
        assert NEW_ID not in [card["service_id"] for card in admin.cards(admin.chat(QUESTION))]

        review = sign_in(reviewer, admin, "malai")
        review.get_by_role("link", name="ฉบับร่างและการตรวจ").click()
        review.get_by_role("link", name=TITLE_TH, exact=True).click()
        review.get_by_role("button", name="เผยแพร่").click()
        expect(review.get_by_role("status")).to_contain_text("เผยแพร่แล้ว: ฉบับที่ 1")
    finally:
        editor.close()
        reviewer.close()
    [card, *_] = [card for card in admin.cards(admin.chat(QUESTION)) if card["service_id"] == NEW_ID]
    assert card["title"] == TITLE_EN
    assert admin.runtime.store.get(NEW_ID).title.th == TITLE_TH
    [entry] = admin.runtime.staff_accounts.store.audit_entries(action="catalogue.draft_create", limit=1)
    assert entry.account == "somchai" and entry.target == NEW_ID
