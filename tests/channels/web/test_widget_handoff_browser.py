"""A citizen asks for a person in the web widget and an agent answers from the inbox: two real Chromium
contexts against the real stack (Rasa + gateway).

The agent's inbox is open before the citizen asks, so the request appears there without a reload; the
agent takes it; the citizen's next message reaches the inbox and the bot does not answer it; the
agent's "typing" and reply appear in the widget (and stay after a reload); handing back makes the bot
answer again, with the service it was talking about. The citizen can also cancel a request.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from backoffice.accounts.store import AccountExistsError
from knowledge.catalogue_files import load_seed
from texts import text

pytestmark = [pytest.mark.browser, pytest.mark.rasa, pytest.mark.slow]

PASSWORD = "a long enough passphrase"
AGENT, AGENT_SHOWN = "somjai", "Somjai K."
DESKTOP = {"width": 1280, "height": 860}
ANSWER_MS = 30_000
LIVE_MS = 15_000  # the inbox polls every 3 s, the widget every 2 s
SERVICE = "id-card-renewal"
QUESTION = "ต่ออายุบัตรประชาชนต้องใช้เอกสารอะไร"
ASK_PERSON = "ขอคุยกับเจ้าหน้าที่"

# Functions, not expressions: the demo page's CSP forbids eval().
_SENDER = """() => {
  const entry = Object.entries(sessionStorage).find(([key]) => key.endsWith(':sender'));
  return entry ? JSON.parse(entry[1]) : null;
}"""
_BOT_ANSWERS = """() => {
  const entry = Object.entries(sessionStorage).find(([key]) => key.endsWith(':history'));
  return entry ? JSON.parse(entry[1]).filter((e) => e.role === 'bot').length : 0;
}"""

_MORE_BOT_ANSWERS = """(count) => {
  const entry = Object.entries(sessionStorage).find(([key]) => key.endsWith(':history'));
  return entry ? JSON.parse(entry[1]).filter((e) => e.role === 'bot').length > count : false;
}"""


@pytest.fixture
def stack(live_stack: Any) -> Iterator[Any]:
    """The live stack with an agent account, and its staff cookie usable over plain http on loopback."""
    accounts = live_stack.app_state.runtime.staff_accounts
    with contextlib.suppress(AccountExistsError):
        accounts.add_account(AGENT, "agent", PASSWORD, display_name=AGENT_SHOWN)
    backoffice = live_stack.settings.backoffice
    secure = backoffice.cookie_secure
    backoffice.cookie_secure = False  # no __Host- prefix without https
    try:
        yield live_stack
    finally:
        backoffice.cookie_secure = secure


@pytest.fixture
def contexts(browser: Browser) -> Iterator[Any]:
    made: list[BrowserContext] = []
    errors: list[str] = []

    def new() -> BrowserContext:
        context = browser.new_context(viewport=DESKTOP, locale="th-TH")
        context.set_default_timeout(20_000)
        context.on("page", lambda page: page.on("pageerror", lambda error: errors.append(str(error))))
        made.append(context)
        return context

    yield new
    for context in made:
        context.close()
    assert not errors, f"script errors: {errors}"


def citizen_page(contexts: Any, base_url: str) -> Page:
    page = contexts().new_page()
    page.goto(f"{base_url}/")
    page.get_by_role("button", name="ถามผู้ช่วย", exact=True).click()
    return page


def agent_inbox(contexts: Any, base_url: str) -> Page:
    page = contexts().new_page()
    page.goto(f"{base_url}/admin/sign-in?next=/admin/inbox")
    page.get_by_label("ชื่อบัญชี").fill(AGENT)
    page.get_by_label("รหัสผ่าน").fill(PASSWORD)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_url("**/admin/inbox")
    expect(page.locator(".inbox-list[data-loaded]")).to_have_count(1)  # the first poll is in
    return page


def send(page: Page, said: str) -> dict[str, Any]:
    """Type ``said`` into the widget and return the gateway's answer to it."""
    box = page.locator("#cb-input")
    box.fill(said)
    with page.expect_response("**/api/chat", timeout=ANSWER_MS) as answer:
        box.press("Enter")
    body: dict[str, Any] = json.loads(answer.value.body())
    return body


def handoff_id_of(stack: Any, page: Page) -> int:
    sender = page.evaluate(_SENDER)
    assert sender, "the widget has no conversation id"
    record = stack.app_state.runtime.conversations.open_handoff(f"web:{sender}")
    assert record is not None, "no open hand-off request for the widget's conversation"
    return int(record.id)


def test_an_officer_takes_over_answers_in_the_widget_and_hands_back_to_the_bot(stack: Any, contexts: Any) -> None:
    inbox = agent_inbox(contexts, stack.base_url)
    inbox.get_by_label("พร้อมรับเรื่อง").check()
    citizen = citizen_page(contexts, stack.base_url)

    first = send(citizen, QUESTION)
    assert first["status"] == "ok"
    expect(citizen.locator(f'article.cb-card[data-service-id="{SERVICE}"]')).to_be_visible(timeout=ANSWER_MS)
    asked = send(citizen, ASK_PERSON)
    assert asked["status"] == "ok" and asked["messages"], asked
    bar = citizen.locator(".cb-handoff")
    expect(bar).to_be_visible(timeout=LIVE_MS)
    expect(bar).to_contain_text(text("widget.handoff_waiting", "th"))
    expect(bar.get_by_role("button", name=text("widget.handoff_cancel", "th"))).to_be_visible()

    # The request appears in the open inbox by itself; the agent opens and takes it.
    handoff_id = handoff_id_of(stack, citizen)
    row = inbox.locator(f'#inbox-rows tr[data-handoff-id="{handoff_id}"]')
    expect(row).to_be_visible(timeout=LIVE_MS)
    row.get_by_role("button", name=f"เปิดเรื่องที่ #{handoff_id}").click()
    expect(inbox.locator("#inbox-transcript")).to_contain_text(QUESTION)
    inbox.get_by_role("button", name="รับเรื่องนี้").click()
    expect(inbox.get_by_label("ตอบประชาชน")).to_be_visible()

    # The widget says an officer has joined, by name.
    expect(bar).to_contain_text(AGENT_SHOWN, timeout=LIVE_MS)
    expect(citizen.locator(".cb-msg-system").last).to_be_visible(timeout=LIVE_MS)
    expect(bar.get_by_role("button", name=text("widget.handoff_end", "th"))).to_be_visible()

    # The citizen's next message goes to the officer: no bot bubble, and it shows in the inbox.
    answers = citizen.evaluate(_BOT_ANSWERS)
    held = send(citizen, "ต้องใช้รูปถ่ายด้วยไหมครับ")
    assert held["status"] == "with_officer" and held["messages"] == [], held
    expect(inbox.locator("#inbox-messages li[data-author=citizen]").last).to_contain_text("รูปถ่าย", timeout=LIVE_MS)
    assert citizen.evaluate(_BOT_ANSWERS) == answers
    expect(citizen.locator(".cb-log > .cb-msg-user").last).to_contain_text("รูปถ่าย")

    # The officer types (the widget shows it) and replies (the widget shows the reply, with the name).
    reply_box = inbox.get_by_label("ตอบประชาชน")
    reply_box.press_sequentially("ไม่ต้องใช้")
    expect(citizen.locator(".cb-officer-typing")).to_be_visible(timeout=LIVE_MS)
    expect(citizen.locator(".cb-officer-typing")).to_contain_text(text("widget.officer_typing", "th"))
    reply = "ไม่ต้องใช้รูปถ่ายครับ ที่สำนักงานเขตจะถ่ายให้เลย"
    reply_box.fill(reply)
    inbox.get_by_role("button", name="ส่ง", exact=True).click()
    officer = citizen.locator(".cb-msg-agent").last
    expect(officer).to_contain_text(reply, timeout=LIVE_MS)
    expect(officer).to_contain_text(AGENT_SHOWN)
    assert citizen.evaluate(_BOT_ANSWERS) == answers, "the officer's reply is not the bot's"

    # After a reload the conversation, the officer's reply and the bar are all still there.
    citizen.reload()
    expect(citizen.locator(".cb-msg-agent").last).to_contain_text(reply)
    expect(citizen.locator(".cb-handoff")).to_contain_text(AGENT_SHOWN, timeout=LIVE_MS)
    expect(citizen.locator(".cb-msg-agent")).to_have_count(1)  # not shown twice after the reload

    # Hand back: the bar goes, and the bot answers again about the same service.
    inbox.get_by_role("button", name="ส่งกลับให้ผู้ช่วยตอบ").click()
    expect(inbox.locator("#inbox-notice")).to_contain_text(f"ส่งเรื่องที่ #{handoff_id} กลับให้ผู้ช่วยตอบแล้ว")
    expect(citizen.locator(".cb-handoff")).to_be_hidden(timeout=LIVE_MS)
    back = send(citizen, "ค่าธรรมเนียมเท่าไหร่")
    assert back["status"] == "ok" and back["messages"], back
    fee = next(s for s in load_seed() if s.id == SERVICE).fees.th
    said = json.dumps(back["messages"], ensure_ascii=False)
    assert fee[:20] in said, f"the bot lost the service it was talking about: {said[:400]}"
    citizen.wait_for_function(_MORE_BOT_ANSWERS, arg=answers, timeout=ANSWER_MS)  # and the widget shows it


def test_the_citizen_cancels_a_request_for_an_officer(stack: Any, contexts: Any) -> None:
    citizen = citizen_page(contexts, stack.base_url)
    send(citizen, "I want to talk to a person")
    bar = citizen.locator(".cb-handoff")
    expect(bar).to_be_visible(timeout=LIVE_MS)
    expect(bar).to_contain_text(text("widget.handoff_waiting", "en"))
    sender = citizen.evaluate(_SENDER)
    with citizen.expect_response("**/api/chat/handoff/cancel"):
        bar.get_by_role("button", name=text("widget.handoff_cancel", "en")).click()
    expect(bar).to_be_hidden(timeout=LIVE_MS)
    expect(citizen.locator(".cb-msg-system").last).to_be_visible(timeout=LIVE_MS)
    assert stack.app_state.runtime.conversations.open_handoff(f"web:{sender}") is None
