"""axe-core in Chromium on the back office's main pages, in Thai and in English, on a laptop and at a
tablet's 768 px: no serious or critical violation (WCAG 2 A/AA rules, contrast included)."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from tests.backoffice.web.conftest import Admin, open_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGES = [
    "/admin/catalogue",
    "/admin/catalogue/birth-registration",  # the edit form with every field, rows included
    "/admin/catalogue-new",
    "/admin/drafts",
    "/admin/analytics",
    "/admin/inbox",  # the hand-off inbox, its list and figures drawn by its script
]
WIDTHS = {"laptop": 1280, "tablet": 768}


def serious(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {[node['target'] for node in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("lang", ["th", "en"])
def test_no_serious_violations(browser: Browser, admin: Admin, lang: str, width: int) -> None:
    context = browser.new_context(locale="th-TH", viewport={"width": width, "height": 1024})
    try:
        sign_in_page = open_page(context, f"{admin.base_url}/admin/lang/{lang}?next=/admin/sign-in")
        found = {"/admin/sign-in": serious(sign_in_page)}
        admin.runtime.staff_accounts.set_role("lockme", "admin")  # every page and every button of it
        admin.runtime.staff_accounts.unlock("lockme")
        page = sign_in(context, admin, "lockme", lang=lang)
        for path in PAGES:
            page.goto(f"{admin.base_url}{path}")
            found[path] = serious(page)
        assert found == {path: [] for path in found}
    finally:
        context.close()
