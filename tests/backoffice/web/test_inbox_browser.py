"""The hand-off inbox (/admin/inbox) in a real Chromium against a real gateway (no Rasa here: the
requests are stored by the same ConversationStore call the hand-off action makes; the whole
conversation with Rasa and the widget is tests/channels/web/test_widget_handoff_browser.py).

New requests appear without reloading; an agent takes one, reads the masked transcript, replies (the
widget's endpoint has the reply), sees the citizen's next message arrive, forwards to a colleague,
who closes it with an outcome; the figures count it. In Thai and in English.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page, expect

from backoffice.accounts.store import AccountExistsError
from tests.backoffice.web.conftest import PASSWORD, Admin, sign_in
from tests.support import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AGENTS = {"dao": "Dao Srisuk", "kwan": "Kwan Meesuk"}
LIVE_MS = 15_000  # a poll every 3 s: anything new shows within a few


@pytest.fixture(scope="module")
def agents(admin: Admin) -> dict[str, str]:
    for name, shown in AGENTS.items():
        with contextlib.suppress(AccountExistsError):
            admin.runtime.staff_accounts.add_account(name, "agent", PASSWORD, display_name=shown)
    return AGENTS


def web_conversation(admin: Admin, text: str) -> str:
    """A conversation id the gateway issued (the widget's), after one message."""
    response = httpx.post(f"{admin.base_url}/api/chat", json={"text": text}, timeout=60)
    assert response.status_code == 200, response.text
    return str(response.json()["sender"])


def say(admin: Admin, sender: str, text: str) -> dict[str, Any]:
    response = httpx.post(f"{admin.base_url}/api/chat", json={"sender": sender, "text": text}, timeout=60)
    assert response.status_code == 200, response.text
    return dict(response.json())


def widget_view(admin: Admin, sender: str) -> dict[str, Any]:
    response = httpx.get(f"{admin.base_url}/api/chat/handoff", params={"sender": sender, "after": 0}, timeout=10)
    assert response.status_code == 200, response.text
    return dict(response.json())


def request_person(admin: Admin, sender: str, lang: str, said: str) -> int:
    """What action_handoff stores when a citizen asks for a person."""
    transcript = [{"from": "citizen", "text": said}, {"from": "bot", "text": "ขอทราบรายละเอียดเพิ่มเติมครับ"}]
    record = admin.runtime.conversations.request_handoff(f"web:{sender}", "web", lang, "asked", transcript)
    return int(record.id)


def inbox(context: BrowserContext, admin: Admin, name: str, lang: str = "th") -> Page:
    page = sign_in(context, admin, name, lang=lang)
    page.goto(f"{admin.base_url}/admin/inbox")
    expect(page.locator(".inbox-list[data-loaded]")).to_have_count(1)  # the first poll is in
    return page


def row(page: Page, handoff_id: int) -> Any:
    return page.locator(f'#inbox-rows tr[data-handoff-id="{handoff_id}"]')


def test_a_request_appears_live_and_is_taken_answered_forwarded_and_closed(
    browser: Any, context: BrowserContext, admin: Admin, agents: dict[str, str]
) -> None:
    page = inbox(context, admin, "dao")
    expect(page.get_by_role("heading", name="คำขอคุยกับเจ้าหน้าที่", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("กล่องคำขอ"))).to_have_attribute("aria-current", "page")
    sound = page.get_by_label("ส่งเสียงเตือนเมื่อมีคำขอใหม่")
    expect(sound).not_to_be_checked()  # the sound is off until the agent turns it on
    page.get_by_label("พร้อมรับเรื่อง").check()
    expect(page.get_by_label("พร้อมรับเรื่อง")).to_be_checked()

    # A citizen asks for a person while the page is open: it appears without a reload, with the badge.
    sender = web_conversation(admin, "ต่ออายุบัตรประชาชนต้องใช้อะไร")
    phone = "081-234-5678"
    handoff_id = request_person(admin, sender, "th", f"โทรกลับที่ {phone} ได้ไหมครับ")
    line = row(page, handoff_id)
    expect(line).to_be_visible(timeout=LIVE_MS)
    expect(line).to_contain_text("ขอคุยกับเจ้าหน้าที่")  # the reason
    expect(line).to_contain_text("เว็บ · ไทย")
    expect(line).to_contain_text("ยังไม่มีผู้รับ")
    expect(page.locator("#inbox-waiting")).to_be_visible()
    expect(page.locator("[data-inbox-waiting]")).to_be_visible()
    assert re.match(r"^\(\d+\) ", page.title()), page.title()
    expect(page.locator("#inbox-announcer")).to_contain_text(f"#{handoff_id}")
    # The waiting time counts up between polls.
    waited = line.locator(".inbox-wait")
    first = waited.inner_text()
    expect(waited).not_to_have_text(first, timeout=5_000)

    # Open it: the transcript is there, masked.
    line.get_by_role("button", name=f"เปิดเรื่องที่ #{handoff_id}").click()
    expect(page.locator("#inbox-detail-title")).to_have_text(f"เรื่องที่ #{handoff_id}")
    transcript = page.locator("#inbox-transcript")
    expect(transcript).to_contain_text("โทรกลับที่")
    assert phone not in transcript.inner_text() and phone not in page.content()

    # Take it: the widget's endpoint says an officer has it, by the agent's display name.
    page.get_by_role("button", name="รับเรื่องนี้").click()
    expect(page.locator("#inbox-notice")).to_contain_text(f"คุณรับเรื่องที่ #{handoff_id} แล้ว")
    expect(line.locator(".inbox-holder")).to_contain_text("คุณ")
    view = widget_view(admin, sender)
    assert view["state"] == "with_officer" and view["officer"] == AGENTS["dao"], view
    # With a request open and held (reply, forward and close showing): no serious axe violation.
    violations = [v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert violations == []

    # Typing sends pings: the citizen's widget shows "the officer is typing".
    box = page.get_by_label("ตอบประชาชน")
    box.press_sequentially("สวัสดีครับ")
    assert wait_until(lambda: widget_view(admin, sender)["typing"] is True, 8), "no typing ping reached the widget"
    box.fill("สวัสดีครับ เจ้าหน้าที่ดาวรับเรื่องแล้ว ต้องการต่ออายุบัตรที่เขตไหนครับ")
    page.get_by_role("button", name="ส่ง", exact=True).click()
    messages = page.locator("#inbox-messages")
    expect(messages.locator("li[data-author=agent]")).to_contain_text("ต้องการต่ออายุบัตรที่เขตไหนครับ")
    expect(box).to_have_value("")
    agent_said = [m for m in widget_view(admin, sender)["messages"] if m["author"] == "agent"]
    assert agent_said and "ต้องการต่ออายุบัตรที่เขตไหนครับ" in agent_said[-1]["text"]

    # The citizen's next message goes to the officer (no bot reply) and shows without a reload.
    held = say(admin, sender, "เขตบางรักครับ")
    assert held["status"] == "with_officer" and held["messages"] == [], held
    expect(messages.locator("li[data-author=citizen]").last).to_contain_text("เขตบางรัก", timeout=LIVE_MS)

    # Forward to a colleague (chosen from the agents, with their presence).
    forward = page.get_by_label("ส่งต่อให้เพื่อนร่วมงาน")
    expect(forward.locator("option[value=kwan]")).to_have_count(1)
    forward.select_option("kwan")
    page.get_by_role("button", name="ส่งต่อ", exact=True).click()
    expect(page.locator("#inbox-notice")).to_contain_text(f"ส่งต่อเรื่องที่ #{handoff_id} ให้")
    expect(line.locator(".inbox-holder")).to_contain_text("kwan")
    expect(page.get_by_label("ตอบประชาชน")).to_be_hidden()  # no longer mine

    # The colleague closes it with an outcome; it leaves the list, and the figures count it.
    other = browser.new_context(viewport={"width": 1280, "height": 900}, locale="th-TH")
    try:
        colleague = inbox(other, admin, "kwan")
        mine = row(colleague, handoff_id)
        expect(mine).to_be_visible(timeout=LIVE_MS)
        expect(mine.locator(".inbox-holder")).to_contain_text("คุณ")
        mine.get_by_role("button", name=f"เปิดเรื่องที่ #{handoff_id}").click()
        expect(colleague.locator("#inbox-messages")).to_contain_text("เขตบางรัก")
        colleague.get_by_label("ปิดเรื่องพร้อมระบุผล").select_option("referred")
        colleague.get_by_role("button", name="ปิดเรื่อง", exact=True).click()
        expect(colleague.locator("#inbox-notice")).to_contain_text("แนะนำให้ติดต่อหน่วยงานอื่น")
        expect(mine).to_have_count(0)
        colleague.get_by_label("ช่วงเวลา").select_option("1")
        outcomes = colleague.locator("#inbox-outcomes")
        expect(outcomes.get_by_role("rowheader", name="แนะนำให้ติดต่อหน่วยงานอื่น")).to_be_visible()
        expect(colleague.locator('[data-figure="requests"]')).not_to_have_text("-")
    finally:
        other.close()
    expect(row(page, handoff_id)).to_have_count(0, timeout=LIVE_MS)
    assert widget_view(admin, sender)["state"] == "closed"


# Counts the beeps' oscillators (WebAudio, no sound file): the page's sound is real, only counted here.
_COUNT_BEEPS = """(() => {
  const Context = window.AudioContext;
  if (!Context) return;
  window.__beeps = 0;
  const make = Context.prototype.createOscillator;
  Context.prototype.createOscillator = function () { window.__beeps += 1; return make.call(this); };
})();"""


def test_in_english_an_agent_hands_a_conversation_back_to_the_assistant(
    context: BrowserContext, admin: Admin, agents: dict[str, str]
) -> None:
    context.add_init_script(_COUNT_BEEPS)
    page = inbox(context, admin, "dao", lang="en")
    expect(page.get_by_role("heading", name="Requests to talk to an officer")).to_be_visible()
    page.get_by_label("Sound when a new request arrives").check()  # beeps once to show what it sounds like
    page.wait_for_function("() => window.__beeps > 0")
    beeps = page.evaluate("() => window.__beeps")
    sender = web_conversation(admin, "How do I renew my passport?")
    handoff_id = request_person(admin, sender, "en", "Can a person help me with my passport?")
    line = row(page, handoff_id)
    expect(line).to_be_visible(timeout=LIVE_MS)
    page.wait_for_function("(before) => window.__beeps > before", arg=beeps)  # the new request beeped
    expect(line).to_contain_text("Asked for a person")
    expect(line).to_contain_text("Web · English")
    line.get_by_role("button", name=f"Open request #{handoff_id}").click()
    page.get_by_role("button", name="Take this request").click()
    expect(page.get_by_label("Reply to the citizen")).to_be_visible()
    page.get_by_role("button", name="Hand back to the assistant").click()
    expect(page.locator("#inbox-notice")).to_contain_text(f"Request #{handoff_id} is back with the assistant.")
    expect(row(page, handoff_id)).to_have_count(0)
    view = widget_view(admin, sender)
    assert view["state"] == "released", view
    # The page's figures are in English too.
    expect(page.get_by_role("heading", name="Conversations per officer")).to_be_visible()
    expect(page.locator('[data-figure="median"]')).not_to_have_text("-", timeout=LIVE_MS)

    # Presence is the agent's own and survives a reload.
    page.get_by_label("Away").check()
    page.reload()
    expect(page.get_by_label("Away")).to_be_checked(timeout=LIVE_MS)


def test_someone_without_the_handoff_permission_cannot_open_the_inbox(context: BrowserContext, admin: Admin) -> None:
    page = sign_in(context, admin, "preecha")  # an analyst
    expect(page.get_by_role("link", name=re.compile("กล่องคำขอ"))).to_have_count(0)
    response = page.goto(f"{admin.base_url}/admin/inbox")
    assert response is not None and response.status == 403
