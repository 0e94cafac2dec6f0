"""Signing in and out on the page, the bilingual refusals, and the TH/EN switch, in a real Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.backoffice.web.conftest import PASSWORD, Admin, open_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_sign_in_shows_the_account_and_role_and_sign_out_ends_it(context: BrowserContext, admin: Admin) -> None:
    page = sign_in(context, admin, "somchai")
    expect(page.get_by_role("heading", level=1)).to_have_text("บริการในระบบ")
    header = page.locator("header")
    expect(header).to_contain_text("somchai")
    expect(header.locator(".role")).to_have_text("ผู้แก้ไขเนื้อหา")
    page.get_by_role("button", name="ออกจากระบบ").click()
    page.wait_for_url("**/admin/sign-in")
    page.goto(f"{admin.base_url}/admin/catalogue")
    page.wait_for_url("**/admin/sign-in**")  # the session has ended: back to the form
    expect(page.get_by_label("ชื่อบัญชี")).to_be_visible()


def test_a_wrong_password_is_told_in_the_chosen_language(context: BrowserContext, admin: Admin) -> None:
    page = open_page(context, f"{admin.base_url}/admin/sign-in")
    page.get_by_label("ชื่อบัญชี").fill("nida")
    page.get_by_label("รหัสผ่าน").fill("not the password")
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    expect(page.get_by_role("alert")).to_contain_text("ชื่อบัญชีหรือรหัสผ่านไม่ถูกต้อง")
    expect(page.get_by_label("ชื่อบัญชี")).to_have_value("nida")  # what was typed is kept
    page.get_by_role("link", name="เปลี่ยนหน้าเป็นภาษาอังกฤษ").click()
    page.get_by_label("Account name").fill("nida")
    page.get_by_label("Password").fill("still not it")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("The account name or password is wrong.")


def test_a_locked_account_is_told_to_wait(context: BrowserContext, admin: Admin) -> None:
    page = open_page(context, f"{admin.base_url}/admin/sign-in")
    for _ in range(3):  # max_failed_sign_ins
        page.get_by_label("ชื่อบัญชี").fill("lockme")
        page.get_by_label("รหัสผ่าน").fill("wrong wrong wrong")
        page.get_by_role("button", name="เข้าสู่ระบบ").click()
        expect(page.get_by_role("alert")).to_be_visible()
    page.get_by_label("ชื่อบัญชี").fill("lockme")
    page.get_by_label("รหัสผ่าน").fill(PASSWORD)  # even the right password waits
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    expect(page.get_by_role("alert")).to_contain_text("บัญชีนี้ถูกล็อกชั่วคราว")


def test_the_language_switch_is_remembered(context: BrowserContext, admin: Admin) -> None:
    page = sign_in(context, admin, "malai")
    expect(page.locator("html")).to_have_attribute("lang", "th")
    page.get_by_role("link", name="เปลี่ยนหน้าเป็นภาษาอังกฤษ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Services in the catalogue")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name="Drafts and review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Drafts and review")  # a new page, still English
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.get_by_role("link", name="Switch the pages to Thai").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ฉบับร่างและการตรวจ")
