"""The web widget in a real headless Chromium against the real stack (Rasa + gateway).

Each test gets a fresh browser context (so fresh web storage). The screenshots in docs/
are written here, from the same conversations the assertions check.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, Route, expect

from gateway.settings import PROJECT_ROOT
from texts import text

pytestmark = [pytest.mark.browser, pytest.mark.rasa, pytest.mark.slow]

DOCS = PROJECT_ROOT / "docs"
THAI_QUESTION = "ต่ออายุบัตรประชาชนต้องใช้เอกสารอะไร"
# One service and no sibling to ask back about: these tests are about the language of the answer.
ENGLISH_QUESTION = "How do I apply for the elderly allowance?"
ENGLISH_SERVICE = "elderly-allowance"
THAI = re.compile(r"[\u0e01-\u0e4e]")
XSS = "<img src=x onerror=alert(1)>"
DESKTOP = {"width": 1280, "height": 860}
ANSWER_TIMEOUT_MS = 30_000  # a Rasa turn takes well under a second; the first one warms up


class PageWatch:
    """What a page did that a test must know about: dialogs (alert), script errors, console errors."""

    def __init__(self, page: Page) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._on_dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)

    def _on_dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


def _open_page(browser: Browser, base_url: str, **context_options: Any) -> tuple[Page, PageWatch]:
    context = browser.new_context(**{"viewport": DESKTOP, "locale": "th-TH", **context_options})
    page = context.new_page()
    page.set_default_timeout(10_000)
    watch = PageWatch(page)
    page.goto(f"{base_url}/")
    return page, watch


@pytest.fixture
def new_page(browser: Browser, live_stack: Any) -> Iterator[Any]:
    pages: list[Page] = []

    def factory(**context_options: Any) -> tuple[Page, PageWatch]:
        page, watch = _open_page(browser, live_stack.base_url, **context_options)
        pages.append(page)
        return page, watch

    yield factory
    for page in pages:
        page.context.close()


def _service_title(service_id: str, lang: str) -> str:
    from knowledge.catalogue_files import load_seed

    service = next(s for s in load_seed() if s.id == service_id)
    return str(service.title.get(lang))


def _launcher(page: Page) -> Any:
    return page.get_by_role("button", name="ถามผู้ช่วย", exact=True)


def _send(page: Page, text: str) -> None:
    box = page.locator("#cb-input")
    box.fill(text)
    box.press("Enter")


# How many answers the widget has stored: in the tab's sessionStorage unless the citizen chose to keep
# the conversation on the device (tests/channels/web/test_widget_privacy_browser.py); the key is namespaced by gateway.
# Functions, not expressions: the demo page's CSP forbids the eval() an expression would need.
_STORED_ANSWERS = """(atLeast) => {
  const entry = Object.entries(sessionStorage).find(([key]) => key.endsWith(':history'));
  const count = entry ? JSON.parse(entry[1]).filter((e) => e.role === 'bot').length : 0;
  return atLeast == null ? count : count >= atLeast;
}"""


def _bot_turns(page: Page) -> int:
    return int(page.evaluate(_STORED_ANSWERS))


def _wait_for_answers(page: Page, count: int) -> None:
    page.wait_for_function(_STORED_ANSWERS, arg=count, timeout=ANSWER_TIMEOUT_MS)


def _is_focused(locator: Any) -> bool:
    # The widget lives in a shadow root: document.activeElement is only its host.
    return bool(locator.evaluate("el => el.getRootNode().activeElement === el"))


def _no_horizontal_scroll(page: Page) -> None:
    widths = page.evaluate(
        "() => ({doc: document.documentElement.scrollWidth, body: document.body.scrollWidth, view: innerWidth})"
    )
    assert widths["doc"] <= widths["view"] and widths["body"] <= widths["view"], widths


def test_thai_conversation_by_keyboard_survives_a_reload(new_page):
    page, watch = new_page()
    launcher = _launcher(page)
    expect(launcher).to_be_visible()

    # The launcher is reachable with Tab alone, and shows a visible focus outline.
    for _ in range(20):
        page.keyboard.press("Tab")
        if _is_focused(launcher):
            break
    assert _is_focused(launcher), "Tab never reached the launcher"
    outline = launcher.evaluate("el => { const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth]; }")
    assert outline[0] != "none" and float(outline[1].removesuffix("px")) >= 2, outline

    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="ผู้ช่วยบริการภาครัฐ")
    expect(dialog).to_be_visible()
    box = page.locator("#cb-input")
    assert _is_focused(box), "focus did not move into the panel"
    expect(launcher).to_have_attribute("aria-expanded", "true")

    # Shift+Enter is a new line, Enter sends; the counter follows the text.
    page.keyboard.type("ก")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("ข")
    assert box.input_value() == "ก\nข"
    expect(page.locator("#cb-counter")).to_have_text("3/2,000 ตัวอักษร")
    box.fill("")
    page.keyboard.insert_text("ก" * 2100)  # a long paste stops at the limit
    assert len(box.input_value()) == 2000
    expect(page.locator("#cb-counter")).to_have_text("2,000/2,000 ตัวอักษร")
    box.fill("")
    page.keyboard.type(THAI_QUESTION)

    # Record whether the typing indicator showed while the answer was on its way.
    page.evaluate(
        """() => { const root = document.getElementById('citizenbot-widget').shadowRoot;
        const typing = root.querySelector('.cb-typing'); window.__typingSeen = false;
        new MutationObserver(() => { if (!typing.hidden) window.__typingSeen = true; })
          .observe(typing, {attributes: true}); }"""
    )
    with page.expect_request("**/api/chat") as request:
        page.keyboard.press("Enter")
    body = json.loads(request.value.post_data or "{}")
    assert body["text"] == THAI_QUESTION and "sender" not in body, "the gateway issues conversation ids"
    response = request.value.response()
    issued = response.json()["sender"] if response else None
    assert "language" not in body, "the switch was not pressed: the message's own language decides"
    assert box.input_value() == ""

    title = _service_title("id-card-renewal", "th")
    card = page.locator('article.cb-card[data-service-id="id-card-renewal"]')
    expect(card).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(card.get_by_role("heading", name=title)).to_be_visible()
    assert page.evaluate("() => window.__typingSeen") is True
    expect(card).to_have_attribute("lang", "th")
    expect(page.locator(".cb-msg-user").last).to_have_attribute("lang", "th")
    expect(page.locator("[aria-live='polite']")).to_contain_text(title)
    for link in card.locator("a").all():
        assert re.match(r"https?://", link.get_attribute("href") or "")
        assert link.get_attribute("target") == "_blank"
        assert "noopener" in (link.get_attribute("rel") or "")

    # Thai-readable text: 16px or more, line height at least 1.5.
    size, line = page.locator(".cb-card-summary").evaluate(
        "el => { const s = getComputedStyle(el); return [parseFloat(s.fontSize), parseFloat(s.lineHeight)]; }"
    )
    assert size >= 16 and line >= 1.5 * size

    # The card's opening, as the citizen sees it after asking (Tab scrolled the page a little).
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(DOCS / "widget-th.png"))

    # A quick reply (a follow-up about this service), pressed from the keyboard, sends its
    # payload, shows its label as the citizen's message, and gets an answer.
    bot_messages = page.locator(".cb-log > .cb-msg-bot, .cb-log > .cb-msg-card")
    before = bot_messages.count()
    option = page.locator(".cb-quick-button").first
    label = option.inner_text()
    option.focus()
    follow_up = _asked(page, lambda: page.keyboard.press("Enter"))
    assert issued and follow_up["sender"] == issued, "the follow-up continues the conversation it was given"
    expect(page.locator(".cb-msg-user").last).to_have_text(re.compile(re.escape(label)))
    _wait_for_answers(page, 2)
    assert bot_messages.count() > before
    expect(bot_messages.last).to_be_visible()
    conversation = page.locator(".cb-log").inner_text()

    # Escape closes and gives focus back to the launcher.
    page.locator("#cb-input").focus()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert _is_focused(launcher)

    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    page.reload()
    # Reopened after the reload, with the whole conversation.
    expect(page.get_by_role("dialog", name="ผู้ช่วยบริการภาครัฐ")).to_be_visible()
    expect(page.locator('article.cb-card[data-service-id="id-card-renewal"]')).to_be_attached()
    expect(page.locator(".cb-msg-user")).to_have_count(2)
    expect(page.locator(".cb-msg-user").first).to_have_text(re.compile(THAI_QUESTION))
    assert page.locator(".cb-log").inner_text() == conversation
    assert _bot_turns(page) == 2
    assert watch.dialogs == [] and watch.errors == []


def test_english_switch_gives_an_english_card_and_is_remembered(new_page):
    page, watch = new_page()
    _launcher(page).click()
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("dialog", name="Government services assistant")).to_be_visible()
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#cb-input")).to_have_attribute("placeholder", "Type your question…")

    with page.expect_request("**/api/chat") as request:
        _send(page, "How do I renew my passport?")
    assert json.loads(request.value.post_data or "{}")["language"] == "en"
    card = page.locator("article.cb-card[data-service-id*='passport']")
    expect(card).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(card).to_have_attribute("lang", "en")
    service_id = card.get_attribute("data-service-id") or ""
    expect(card.get_by_role("heading", name=_service_title(service_id, "en"))).to_be_visible()
    assert not re.search(r"[\u0e01-\u0e4e]", card.inner_text()), "Thai text in the English card"
    page.screenshot(path=str(DOCS / "widget-en.png"))

    page.reload()
    expect(page.get_by_role("dialog", name="Government services assistant")).to_be_visible()
    expect(page.get_by_role("button", name="Close chat")).to_be_visible()
    assert watch.dialogs == [] and watch.errors == []


def _asked(page: Page, act: Any) -> dict[str, Any]:
    """The body the widget posts to /api/chat when ``act`` runs."""
    with page.expect_request("**/api/chat") as request:
        act()
    body: dict[str, Any] = json.loads(request.value.post_data or "{}")
    return body


def _thai_switch(page: Page) -> Any:
    return page.get_by_role("button", name=text("widget.language_name", "th"), exact=True)


def test_english_typed_on_a_thai_page_gets_english_and_the_switch_restates_it_in_thai(new_page):
    page, watch = new_page()
    _launcher(page).click()
    body = _asked(page, lambda: _send(page, ENGLISH_QUESTION))
    assert "language" not in body

    card = page.locator(f"article.cb-card[data-service-id='{ENGLISH_SERVICE}'][lang='en']")
    expect(card).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(card.get_by_role("heading", name=_service_title(ENGLISH_SERVICE, "en"))).to_be_visible()
    assert not THAI.search(card.inner_text()), "Thai text in the English card"
    # The widget's own words follow the answer, and say which language they are in.
    expect(page.get_by_role("dialog", name="Government services assistant")).to_be_visible()
    expect(page.locator(".cb-root")).to_have_attribute("lang", "en")
    expect(page.locator("#cb-input")).to_have_attribute("placeholder", "Type your question…")
    expect(page.locator("#cb-input")).to_have_attribute("lang", "en")
    expect(page.locator(".cb-msg-user").last).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="English", exact=True)).to_have_attribute("aria-pressed", "true")

    # Pressing Thai now asks for Thai, and the bot says the same answer again in Thai.
    body = _asked(page, lambda: _thai_switch(page).click())
    assert body["language"] == "th" and body["text"] == '/change_language{"language":"th"}'
    expect(page.locator(".cb-msg-user").last).to_have_text(re.compile(text("widget.switch_request", "th")))
    expect(page.locator(".cb-msg-user").last).to_have_attribute("lang", "th")
    thai_card = page.locator(f"article.cb-card[data-service-id='{ENGLISH_SERVICE}'][lang='th']")
    expect(thai_card).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(thai_card.get_by_role("heading", name=_service_title(ENGLISH_SERVICE, "th"))).to_be_visible()
    expect(page.locator(".cb-log")).to_contain_text(text("answers.language_now", "th"))
    expect(page.get_by_role("dialog", name="ผู้ช่วยบริการภาครัฐ")).to_be_visible()
    expect(page.locator(".cb-root")).to_have_attribute("lang", "th")
    expect(_thai_switch(page)).to_have_attribute("aria-pressed", "true")
    assert watch.dialogs == [] and watch.errors == []


def test_the_switch_choice_decides_survives_a_reload_and_a_new_conversation_clears_it(new_page):
    page, watch = new_page()
    _launcher(page).click()
    _thai_switch(page).click()  # the widget is in Thai already: nothing to restate, but now it is a choice
    assert _bot_turns(page) == 0

    body = _asked(page, lambda: _send(page, ENGLISH_QUESTION))
    assert body["language"] == "th"
    card = page.locator(f"article.cb-card[data-service-id='{ENGLISH_SERVICE}']")
    expect(card).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(card).to_have_attribute("lang", "th")
    expect(card.get_by_role("heading", name=_service_title(ENGLISH_SERVICE, "th"))).to_be_visible()

    page.reload()
    expect(page.get_by_role("dialog", name="ผู้ช่วยบริการภาครัฐ")).to_be_visible()
    body = _asked(page, lambda: _send(page, "How much does it cost?"))
    assert body["language"] == "th" and body["sender"], "the follow-up continues the same conversation"
    _wait_for_answers(page, 2)
    answer = page.locator(".cb-log > .cb-msg-bot").last
    expect(answer).to_have_attribute("lang", "th")
    assert THAI.search(answer.inner_text()), answer.inner_text()

    # A new conversation forgets the choice: each message's own language decides again.
    page.get_by_role("button", name=text("widget.new_chat", "th")).click()
    expect(page.locator(".cb-msg-user")).to_have_count(0)
    body = _asked(page, lambda: _send(page, ENGLISH_QUESTION))
    assert "language" not in body and "sender" not in body  # and a new conversation id
    english_card = page.locator(f"article.cb-card[data-service-id='{ENGLISH_SERVICE}'][lang='en']")
    expect(english_card).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(page.get_by_role("dialog", name="Government services assistant")).to_be_visible()
    assert watch.dialogs == [] and watch.errors == []


def test_markup_and_script_urls_stay_inert(new_page):
    page, watch = new_page()
    _launcher(page).click()
    _send(page, XSS)
    expect(page.locator(".cb-msg-user").last).to_have_text(re.compile(re.escape(XSS)))
    _wait_for_answers(page, 1)

    # A hostile answer (as if the catalogue or Rasa were compromised) is shown as text too.
    hostile = {
        "sender": "x",
        "language": "en",
        "status": "ok",
        "messages": [
            {"type": "text", "text": "<b>bold</b> <script>alert(2)</script> see javascript:alert(3)"},
            {
                "type": "card",
                "card": {
                    "lang": "en",
                    "service_id": "evil",
                    "title": "<img src=x onerror=alert(4)>",
                    "links": [
                        {"label": "Evil", "url": "javascript:alert(5)"},
                        {"label": "Data", "url": "data:text/html,<script>alert(6)</script>"},
                        {"label": "Fine", "url": "https://www.example.go.th/"},
                    ],
                },
            },
            {"type": "quick_replies", "text": "Pick", "options": [{"label": "<i>x</i>", "payload": "/greet"}]},
        ],
    }

    def answer(route: Route) -> None:
        route.fulfill(status=200, content_type="application/json", body=json.dumps(hostile))

    page.route("**/api/chat", answer)
    _send(page, "hello")
    expect(page.get_by_role("heading", name="<img src=x onerror=alert(4)>")).to_be_visible()
    page.unroute("**/api/chat")

    shadow_html = page.evaluate("() => document.getElementById('citizenbot-widget').shadowRoot.innerHTML")
    assert "<img" not in shadow_html and "<script" not in shadow_html and "<b>" not in shadow_html
    hrefs = [a.get_attribute("href") for a in page.locator(".cb-log a").all()]
    assert hrefs == ["https://www.example.go.th/"], hrefs
    expect(page.get_by_role("button", name="<i>x</i>")).to_be_visible()
    page.wait_for_timeout(300)  # an onerror handler would have fired by now
    assert watch.dialogs == []
    assert watch.errors == []


def test_errors_get_a_bilingual_message_and_a_retry(new_page):
    page, _ = new_page()
    _launcher(page).click()
    page.route("**/api/chat", lambda route: route.abort("connectionrefused"))
    _send(page, THAI_QUESTION)
    alert = page.locator(".cb-msg-error")
    expect(alert).to_contain_text("ขออภัย ตอนนี้ติดต่อผู้ช่วยไม่ได้")
    expect(alert).to_contain_text("Sorry, the assistant can't be reached right now.")
    expect(alert).to_have_attribute("role", "alert")

    # status != ok (the gateway's canned reply when Rasa is down) is an error too.
    canned = {"sender": "x", "language": "th", "status": "rasa_unavailable", "messages": []}
    page.unroute("**/api/chat")
    page.route("**/api/chat", lambda route: route.fulfill(status=200, json=canned))
    page.get_by_role("button", name="ลองส่งอีกครั้ง").click()
    expect(alert).to_be_visible()

    page.unroute("**/api/chat")
    page.get_by_role("button", name="ลองส่งอีกครั้ง").click()
    expect(page.locator('article.cb-card[data-service-id="id-card-renewal"]')).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(alert).to_have_count(0)
    expect(page.locator(".cb-msg-user")).to_have_count(1)  # a retry does not repeat the question


def test_a_degraded_reply_is_shown_with_its_notice(new_page):
    """Rasa down: the gateway answers from the catalogue alone (status "degraded", the notice first)."""
    page, watch = new_page()
    _launcher(page).click()
    notice = "ตอนนี้ระบบสนทนาขัดข้อง คำตอบนี้มาจากการค้นหาแคตตาล็อกโดยตรง"
    degraded = {
        "sender": "x",
        "language": "th",
        "status": "degraded",
        "messages": [{"type": "text", "text": notice}, {"type": "text", "text": "คำตอบจากแคตตาล็อก"}],
    }
    page.route("**/api/chat", lambda route: route.fulfill(status=200, json=degraded))
    _send(page, THAI_QUESTION)
    expect(page.locator(".cb-msg-bot").filter(has_text=notice)).to_be_visible()
    expect(page.locator(".cb-msg-bot").filter(has_text="คำตอบจากแคตตาล็อก")).to_be_visible()
    expect(page.locator(".cb-msg-error")).to_have_count(0)
    assert watch.errors == []


def test_a_320px_screen_gets_a_full_screen_panel_without_horizontal_scroll(new_page):
    page, watch = new_page(viewport={"width": 320, "height": 640}, device_scale_factor=2, is_mobile=True)
    _no_horizontal_scroll(page)
    _launcher(page).click()
    panel = page.get_by_role("dialog")
    expect(panel).to_be_visible()
    _send(page, THAI_QUESTION)
    expect(page.locator("article.cb-card")).to_be_visible(timeout=ANSWER_TIMEOUT_MS)

    box = panel.bounding_box()
    assert box is not None and box["x"] == 0 and box["y"] == 0
    assert box["width"] == 320 and box["height"] == 640
    _no_horizontal_scroll(page)
    overflow = page.evaluate(
        """() => [...document.getElementById('citizenbot-widget').shadowRoot
              .querySelectorAll('.cb-panel, .cb-log, .cb-card')]
            .filter(el => el.scrollWidth > el.clientWidth + 1).map(el => el.className)"""
    )
    assert overflow == []
    # The rest of the card this time: documents, the caution and the official link.
    page.locator(".cb-docs").evaluate("docs => docs.scrollIntoView({block: 'start'})")
    page.screenshot(path=str(DOCS / "widget-mobile.png"))
    assert watch.errors == []


def test_no_serious_or_critical_accessibility_violations(new_page):
    page, _ = new_page()
    axe = Axe()
    closed = axe.run(page)
    _launcher(page).click()
    _send(page, THAI_QUESTION)
    expect(page.locator("article.cb-card")).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    opened = axe.run(page)
    for results in (closed, opened):
        bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
        assert not bad, results.generate_report()
