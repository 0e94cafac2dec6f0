"""The problem reports' pages (/admin/reports...) in a real Chromium against a real gateway: an agent
sees the queue, filters it, opens a report (its photo, the map link), marks it in progress, is refused
"done" without a note, then marks it done with a note and an after-photo uploaded from a file; the
citizen's notices are queued and the history names the agent. An administrator adds, edits and deletes
a routing rule, and a new report follows it. An analyst may not open the queue."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import BrowserContext, Page, expect

from backoffice.accounts.store import AccountExistsError
from conversation.reports.store import NewReport, Report
from tests.backoffice.web.conftest import PASSWORD, Admin, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def photo_bytes(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture(scope="module")
def staff(admin: Admin) -> Admin:
    for name, role in (("boon", "agent"), ("root", "admin")):
        with contextlib.suppress(AccountExistsError):
            admin.runtime.staff_accounts.add_account(name, role, PASSWORD)
    return admin


def file_report(admin: Admin, **values: Any) -> Report:
    fields: dict[str, Any] = {
        "sender_id": "line:Ubrowser",
        "channel": "line",
        "language": "th",
        "description": "ไฟถนนดับทั้งซอย โทร 081-234-5678",
        "type": "ไฟฟ้า",
        "latitude": 13.7221,
        "longitude": 100.5292,
        "province": "กรุงเทพมหานคร",
        "district": "บางรัก",
    }
    fields.update(values)
    return admin.runtime.reports.file(NewReport(**fields)).report


def image_loaded(page: Page, selector: str) -> bool:
    return bool(page.eval_on_selector(selector, "img => img.complete && img.naturalWidth > 0"))


def test_an_agent_works_a_report_from_the_queue_to_done(
    browser: Any, context: BrowserContext, staff: Admin, tmp_path: Path
) -> None:
    photo = staff.runtime.report_photos.save(photo_bytes("orange"))
    water = file_report(
        staff,
        type="ประปา",
        description="ท่อประปาแตก น้ำไหลนองถนน",
        province="นนทบุรี",
        district="เมืองนนทบุรี",
        latitude=13.8621,
        longitude=100.5144,
        photo_ref=photo.ref,
        sender_id="line:Uwater",
    )
    light = file_report(staff)

    page = sign_in(context, staff, "boon")
    page.get_by_role("link", name="เรื่องแจ้งปัญหา").click()
    expect(page.get_by_role("heading", name="เรื่องแจ้งปัญหาจากประชาชน")).to_be_visible()
    expect(page.locator(f'tr[data-report-id="{water.id}"]')).to_be_visible()
    expect(page.locator(f'tr[data-report-id="{light.id}"]')).to_be_visible()
    expect(page.locator("table.reports")).not_to_contain_text("081-234-5678")  # masked in the list
    area = page.locator(f'tr[data-report-id="{water.id}"]').get_by_role("link", name="แผนที่บริเวณ")
    assert area.get_attribute("href") == "https://www.openstreetmap.org/#map=15/13.86/100.51"

    page.get_by_label("ประเภทปัญหา").select_option("ประปา")
    page.get_by_role("button", name="แสดงผล").click()
    expect(page.locator(f'tr[data-report-id="{water.id}"]')).to_be_visible()
    expect(page.locator(f'tr[data-report-id="{light.id}"]')).to_have_count(0)
    page.get_by_role("link", name=water.ticket, exact=True).click()

    expect(page.get_by_role("heading", name=f"เรื่อง {water.ticket}")).to_be_visible()
    expect(page.locator("h1 .report-status")).to_have_text("รับเรื่องแล้ว")
    assert "mlat=13.862100&mlon=100.514400" in (page.locator("#report-map").get_attribute("href") or "")
    page.wait_for_function("document.querySelector('#report-photo').complete")
    assert image_loaded(page, "#report-photo")  # served to the signed-in officer by the staff-only route
    violations = [v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert violations == []

    page.get_by_label("สถานะใหม่").select_option("in_progress")
    page.get_by_label("หมายเหตุถึงประชาชน (ต้องกรอกเมื่อดำเนินการเสร็จ)").fill("ส่งทีมช่างไปตรวจแล้ว")
    page.get_by_role("button", name="บันทึกสถานะ").click()
    expect(page.get_by_role("status")).to_contain_text("บันทึกสถานะแล้ว: กำลังดำเนินการ")
    expect(page.locator("h1 .report-status")).to_have_text("กำลังดำเนินการ")

    page.get_by_label("สถานะใหม่").select_option("done")
    page.get_by_role("button", name="บันทึกสถานะ").click()  # no note: refused, in Thai
    expect(page.get_by_role("alert").filter(has_text="หมายเหตุ")).to_contain_text("ต้องมีหมายเหตุ")
    expect(page.locator("h1 .report-status")).to_have_text("กำลังดำเนินการ")

    after = tmp_path / "after.jpg"
    after.write_bytes(photo_bytes("green"))
    page.get_by_label("สถานะใหม่").select_option("done")
    page.get_by_label("หมายเหตุถึงประชาชน (ต้องกรอกเมื่อดำเนินการเสร็จ)").fill("ซ่อมท่อเรียบร้อยแล้ว")
    page.get_by_label("รูปหลังแก้ไข", exact=False).set_input_files(str(after))
    expect(page.locator("#after-photo-file[data-ready]")).to_have_count(1)
    page.get_by_role("button", name="บันทึกสถานะ").click()
    expect(page.get_by_role("status")).to_contain_text("บันทึกสถานะแล้ว: ดำเนินการเสร็จแล้ว")
    page.wait_for_function("document.querySelector('#report-after-photo').complete")
    assert image_loaded(page, "#report-after-photo")
    expect(page.get_by_text("เรื่องนี้ปิดแล้ว (ดำเนินการเสร็จแล้ว) จึงเปลี่ยนสถานะอีกไม่ได้")).to_be_visible()
    rows = page.locator("#report-history tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(2)).to_contain_text("boon")
    expect(rows.nth(2)).to_contain_text("ซ่อมท่อเรียบร้อยแล้ว")

    stored = staff.runtime.reports.get(water.id)
    assert (stored.status, stored.note, stored.version) == ("done", "ซ่อมท่อเรียบร้อยแล้ว", 3)
    assert stored.after_photo_ref and staff.runtime.report_photos.read(stored.after_photo_ref)[0]
    notices = staff.runtime.reports.pending_notices(sender_id="line:Uwater")
    assert len(notices) == 2 and "ซ่อมท่อเรียบร้อยแล้ว" in notices[1].text
    # The photo route is the staff's: a browser without the session gets nothing.
    assert httpx.get(f"{staff.base_url}/api/admin/reports/{water.id}/photo", timeout=10).status_code == 401


def test_an_administrator_edits_the_routing_table(context: BrowserContext, staff: Admin) -> None:
    page = sign_in(context, staff, "root", lang="en")
    page.goto(f"{staff.base_url}/admin/reports")
    page.get_by_role("link", name="Routing table").click()
    expect(page.get_by_role("heading", name="Routing table", exact=True)).to_be_visible()

    page.get_by_label("Problem type").select_option("ต้นไม้")
    page.get_by_label("Province").fill("เชียงใหม่")
    page.get_by_label("Organisation").fill("เทศบาลนครเชียงใหม่ ฝ่ายสวน")
    page.get_by_role("button", name="Add the rule").click()
    expect(page.get_by_role("status")).to_have_text("Rule added.")
    [route] = [r for r in staff.runtime.reports.routes() if r.organisation == "เทศบาลนครเชียงใหม่ ฝ่ายสวน"]
    assert (route.type, route.province, route.district, route.updated_by) == ("ต้นไม้", "เชียงใหม่", None, "root")

    page.get_by_label(f"Organisation of rule {route.id}").fill("เทศบาลนครเชียงใหม่ (สวนสาธารณะ)")
    page.get_by_role("button", name=f"Save rule {route.id}").click()
    expect(page.get_by_role("status")).to_have_text("Rule saved.")
    tree = file_report(
        staff,
        type="ต้นไม้",
        description="ต้นไม้ล้มขวางถนน",
        province="เชียงใหม่",
        district="เมืองเชียงใหม่",
        latitude=18.79,
        longitude=98.98,
    )
    assert tree.organisation == "เทศบาลนครเชียงใหม่ (สวนสาธารณะ)"

    page.get_by_label(f"District of rule {route.id}").fill("เมืองเชียงใหม่")
    page.get_by_label(f"Province of rule {route.id}").fill("")
    page.get_by_role("button", name=f"Save rule {route.id}").click()  # a district without its province
    expect(page.get_by_role("alert")).to_contain_text("A district rule needs its province too")

    page.get_by_role("button", name=f"Delete rule {route.id}").click()
    expect(page.get_by_role("status")).to_have_text("Rule deleted.")
    assert all(r.id != route.id for r in staff.runtime.reports.routes())


def test_an_analyst_may_not_open_the_queue(context: BrowserContext, staff: Admin) -> None:
    page = sign_in(context, staff, "preecha")
    expect(page.get_by_role("link", name="เรื่องแจ้งปัญหา")).to_have_count(0)
    page.goto(f"{staff.base_url}/admin/reports")
    expect(page.get_by_text("บทบาทของคุณเปิดหน้านี้หรือทำรายการนี้ไม่ได้")).to_be_visible()
