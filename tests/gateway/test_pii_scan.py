"""A PII scan after a scripted conversation on the live stack (issue 13, point 9).

The citizen types a valid national ID (a real status check against the sample table), a phone and
an e-mail, rates an answer with a comment and asks for a person. Then nothing they typed may be
found in clear: in any file the stack wrote (its databases with their WAL files, its index, Rasa's
log), in Rasa's tracker read over its HTTP API, or in the gateway's captured logs.
"""

from __future__ import annotations

import json
import logging
import uuid
from pathlib import Path

import httpx
import pytest

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

NATIONAL_ID = "3101200456789"  # DCA-2569-004567's applicant in actions/api/sample_applications.yaml
TYPED_ID = "3-1012-00456-78-9"
PHONE = "081-234-5678"
EMAIL = "somchai.pii@example.com"
CLEAR = [NATIONAL_ID, TYPED_ID, PHONE, PHONE.replace("-", ""), EMAIL, "somchai.pii"]


def _text(reply: dict) -> str:
    return "\n".join(m.get("text") or "" for m in reply["messages"])


def _files_holding(root: Path, values: list[str]) -> list[str]:
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        found.extend(f"{path.relative_to(root)}: {v}" for v in values if v.encode() in data)
    return found


def test_nothing_typed_is_kept_or_logged_in_clear(live_stack, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    chat = live_stack.chat
    sender = f"pii-{uuid.uuid4().hex[:12]}"

    assert "เลขที่คำขอ" in _text(chat(sender, "ขอเช็คสถานะคำขอหน่อยครับ"))
    assert "13 หลัก" in _text(chat(sender, "DCA-2569-004567"))
    status = chat(sender, TYPED_ID)
    assert "อยู่ระหว่างพิจารณา" in _text(status), status  # the check worked from the surrogate
    chat(sender, f"เบอร์ติดต่อผม {PHONE} อีเมล {EMAIL} ค่ะ")
    chat(sender, f"ทำพาสปอร์ตต้องใช้เอกสารอะไรบ้าง โทรกลับที่ {PHONE}")
    chat(sender, '/give_feedback{"rating":"unhelpful"}')
    chat(sender, f"ช่วยส่งรายละเอียดทาง {EMAIL} หรือโทร {PHONE.replace('-', '')} บัตร {NATIONAL_ID}")
    assert "ส่งเรื่องให้เจ้าหน้าที่แล้ว" in _text(chat(sender, "ขอคุยกับเจ้าหน้าที่หน่อยครับ"))

    # What was stored is there, masked (so the scans below look at real records) ...
    runtime = live_stack.app_state.runtime
    rasa_sender = live_stack.rasa_sender(sender)
    (handoff,) = [r for r in runtime.conversations.open_handoffs() if r.sender_id == rasa_sender]
    assert "08x-xxx-xx78" in handoff.transcript and "s***@example.com" in handoff.transcript
    feedback = [r for r in runtime.conversations.feedback() if r.sender_id == rasa_sender]
    assert feedback and "s***@example.com" in (feedback[-1].comment or "")

    # ... and no clear value is in any file the stack wrote,
    stack_dir = Path(live_stack.settings.store.conversations_url.removeprefix("sqlite:///")).parent
    assert _files_holding(stack_dir, CLEAR) == []

    # in Rasa's tracker,
    tracker = httpx.get(
        f"{live_stack.settings.rasa.url}/conversations/{rasa_sender}/tracker",
        params={"token": live_stack.settings.rasa.auth_token.get_secret_value()},
        timeout=30,
    )
    assert tracker.status_code == 200
    dumped = json.dumps(tracker.json(), ensure_ascii=False)
    assert "08x-xxx-xx78" in dumped  # the citizen's messages are in it, masked
    assert [v for v in CLEAR if v in dumped] == []

    # or in the logs.
    logged = caplog.text + "\n".join(capfd.readouterr())
    assert caplog.records, "no log record was captured: the scan would prove nothing"
    assert [v for v in CLEAR if v in logged] == []
