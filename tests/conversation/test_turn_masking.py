"""What the gateway sends to Rasa carries no personal data in clear (a loopback Rasa records it)."""

from __future__ import annotations

import asyncio
import json

from actions.api.id_vault import IdVault
from conversation.rasa_client import RasaClient
from conversation.turn import TurnRequest, run_turn
from nlu.national_id import check_national_id, find_national_ids
from tests.conversation.loopback import FakeRasa, Reply

WEBHOOK = "/webhooks/rest/webhook"
SAID = "เลขบัตร 3-1012-00456-78-9 โทร 081-234-5678 อีเมล somchai@gmail.com"
CLEAR = ("3101200456789", "3-1012-00456-78-9", "081-234-5678", "0812345678", "somchai@gmail.com")


def send(fake: FakeRasa, text: str, vault: IdVault | None, sender: str = "web:c1") -> dict:
    async def go() -> None:
        rasa = RasaClient(fake.url, 5.0)
        try:
            await run_turn(TurnRequest(sender, text), rasa, vault=vault)
        finally:
            await rasa.aclose()

    fake.replies[WEBHOOK] = Reply.json([{"recipient_id": sender, "text": "ok"}])
    asyncio.run(go())
    return fake.received[-1].json()


def test_rasa_gets_masked_phones_and_emails_and_a_surrogate_id(fake_rasa):
    vault = IdVault()
    body = send(fake_rasa, SAID, vault)
    raw = json.dumps(body, ensure_ascii=False)
    for clear in CLEAR:
        assert clear not in raw
    assert "08x-xxx-xx78" in body["message"] and "s***@gmail.com" in body["message"]
    (start, end, surrogate) = find_national_ids(body["message"])[0]  # Rasa's extractor still finds an ID ...
    assert check_national_id(surrogate).valid and body["message"][start:end].count("-") == 4  # ... as typed
    assert vault.take("web:c1", surrogate) == "3101200456789"  # ... and the form can resolve it


def test_without_a_vault_the_id_is_masked_not_sent(fake_rasa):
    body = send(fake_rasa, SAID, None)
    assert "x-xxxx-xxxx6-78-9" in body["message"]
    assert find_national_ids(body["message"]) == []


def test_a_message_without_personal_data_goes_unchanged(fake_rasa):
    text = "เช็คสถานะ DCA-2569-004567 ยื่นวันที่ 12/03/2567 ค่าธรรมเนียม 1,500 บาท โทร 1111"
    assert send(fake_rasa, text, IdVault())["message"] == text
