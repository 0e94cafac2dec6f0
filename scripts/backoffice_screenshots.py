"""Screenshots of the back office for the README: the editor, analytics and inbox pages, in Thai and English.

Starts the gateway on a temporary store (the seed catalogue; no Rasa, so the chat answers from the
catalogue search), asks it a few questions so the analytics have figures, stores a few requests to talk
to an officer (the hand-off action's own call) and works one through the inbox's API, signs an administrator in
through the page in Debian's Chromium and writes PNGs to docs/images/.
Run: ``.venv/bin/python scripts/backoffice_screenshots.py``.
"""

from __future__ import annotations

import secrets
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gateway.app import create_app  # noqa: E402
from gateway.settings import Settings  # noqa: E402

OUT = ROOT / "docs" / "images"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip
QUESTIONS = [
    "ต่ออายุบัตรประชาชนต้องใช้อะไร",
    "How do I renew my Thai driving licence?",
    "จดทะเบียนสมรสต้องใช้เอกสารอะไร",
    "บัตรสีชมพูหายทำไง",
    "How do I register my newborn baby's birth?",
    "ขอใบขับขี่สากลยังไง",
    "where do I pay parking tickets from another country",
]
PASSWORD = "screenshots only, thrown away"
# Requests to talk to an officer: (language, what the citizen said before asking, the reason).
HANDOFFS = [
    ("th", "บัตรประชาชนหายต้องแจ้งความก่อนไหม แล้วทำบัตรใหม่ได้ที่ไหนครับ", "asked"),
    ("en", "My work permit expires next week, who do I talk to?", "offered_after_misses"),
    ("th", "ขอเปลี่ยนชื่อลูกในทะเบียนบ้าน ต้องไปด้วยกันทั้งพ่อและแม่ไหมคะ", "asked"),
]


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _settings(tmp: Path) -> Settings:
    return Settings.model_validate(
        {
            "environment": "test",
            "rasa": {"url": f"http://127.0.0.1:{_port()}", "auth_token": secrets.token_urlsafe(32)},
            "gateway": {"host": "127.0.0.1", "port": _port(), "action_token": secrets.token_urlsafe(32)},
            "editor": {"token": secrets.token_urlsafe(32)},
            "secrets_dir": str(tmp / "secrets"),
            "store": {
                "url": f"sqlite:///{tmp / 'catalogue.db'}",
                "conversations_url": f"sqlite:///{tmp / 'conversations.db'}",
                "staff_url": f"sqlite:///{tmp / 'staff.db'}",
            },
            "search": {"index_dir": str(tmp / "index")},
            "backoffice": {"cookie_secure": False},  # plain http on loopback
        }
    )


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:
        pass


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="citizenbot-shots-") as directory:
        settings = _settings(Path(directory))
        app = create_app(settings)
        config = uvicorn.Config(app, host="127.0.0.1", port=settings.gateway.port, log_level="warning")
        server = _Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{settings.gateway.port}"
        try:
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{base}/health").json()["catalogue"]["ready"]:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.5)
            runtime = app.state.runtime
            runtime.catalogue.wait_for_classifier(300)
            runtime.staff_accounts.add_account("somsri", "admin", PASSWORD)
            for question in QUESTIONS:
                httpx.post(f"{base}/api/chat", json={"text": question}, timeout=60)
            runtime.turn_recorder.flush()
            service = runtime.store.get("id-card-renewal")
            fees = service.fees.model_copy(
                update={"en": "Free. A late renewal (over 60 days) is fined up to 100 baht."}
            )
            runtime.store.create_draft(service.model_copy(update={"fees": fees}), "somsri")
            worked = _handoffs(base, runtime)
            _shoot(base, worked)
        finally:
            server.should_exit = True
            thread.join(15)
    return 0


def _handoffs(base: str, runtime: object) -> int:
    """Store the requests as the hand-off action does, and take, answer and hear back on the first one
    through the inbox's API (an account token): the inbox shows a waiting list and a live conversation."""
    conversations = runtime.conversations  # type: ignore[attr-defined]
    ids = []
    for lang, said, reason in HANDOFFS:
        sender = httpx.post(f"{base}/api/chat", json={"text": said}, timeout=60).json()["sender"]
        transcript = [{"from": "citizen", "text": said}, {"from": "citizen", "text": "ขอคุยกับเจ้าหน้าที่"}]
        ids.append((conversations.request_handoff(f"web:{sender}", "web", lang, reason, transcript).id, sender))
    token = runtime.staff_accounts.issue_token("somsri")  # type: ignore[attr-defined]
    auth = {"Authorization": f"Bearer {token}"}
    first, sender = ids[0]
    httpx.post(f"{base}/api/admin/handoffs/{first}/take", headers=auth, timeout=30).raise_for_status()
    reply = {"text": "สวัสดีครับ ถ้าบัตรหาย แจ้งที่สำนักงานเขตได้เลยโดยไม่ต้องแจ้งความ นำทะเบียนบ้านไปด้วยครับ"}
    httpx.post(f"{base}/api/admin/handoffs/{first}/reply", headers=auth, json=reply, timeout=30).raise_for_status()
    answer = {"sender": sender, "text": "ขอบคุณครับ ไปสำนักงานเขตไหนก็ได้ใช่ไหมครับ"}
    httpx.post(f"{base}/api/chat", json=answer, timeout=60).raise_for_status()
    return int(first)


def _shoot(base: str, handoff_id: int) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            for lang in ("th", "en"):
                context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="th-TH")
                page = context.new_page()
                page.goto(f"{base}/admin/lang/{lang}?next=/admin/sign-in")
                page.fill("#name", "somsri")
                page.fill("#password", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url("**/admin/catalogue**")
                page.goto(f"{base}/admin/catalogue/id-card-renewal")
                page.screenshot(path=str(OUT / f"backoffice-editor-{lang}.png"), full_page=False)
                page.goto(f"{base}/admin/analytics")
                page.screenshot(path=str(OUT / f"backoffice-analytics-{lang}.png"), full_page=True)
                page.goto(f"{base}/admin/inbox")
                page.click(f'[data-open="{handoff_id}"]')
                page.wait_for_selector("#inbox-messages li[data-author=citizen]")
                page.wait_for_selector('[data-figure="requests"]:not(:empty)')
                page.wait_for_timeout(1500)  # the figures' tables and a second of the waiting clocks
                page.screenshot(path=str(OUT / f"backoffice-inbox-{lang}.png"), full_page=True)
                context.close()
        finally:
            browser.close()
    for path in sorted(OUT.glob("backoffice-*.png")):
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    raise SystemExit(main())
