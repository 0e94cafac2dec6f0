"""Report notices pushed to LINE (channels/line/report_delivery.py) against the LINE loopback stub:
a status change reaches the citizen by push, a LINE failure is tried again later, and a push repeated
after a crash is dropped by LINE's retry key, so the citizen sees it once."""

from __future__ import annotations

import asyncio

from linebot.v3.messaging import AsyncApiClient, AsyncMessagingApi, Configuration

from channels.line.delivery import LineMessenger
from channels.line.report_delivery import LineReportDelivery
from conversation.reports.notices import DeliveryResult
from conversation.reports.store import NewReport
from tests.channels.line.conftest import TOKEN
from tests.channels.line.stub import LineStub
from tests.support import wait_until
from texts import text

USER = "U746578742d7468000000000000000000"


def _deliver(stub: LineStub, sender: str, texts: list[str], key: str) -> DeliveryResult:
    async def run() -> DeliveryResult:
        client = AsyncApiClient(Configuration(host=stub.url, access_token=TOKEN))
        try:
            return await LineReportDelivery(LineMessenger(AsyncMessagingApi(client), 5)).deliver(sender, texts, key)
        finally:
            await client.close()

    return asyncio.run(run())


def test_notices_are_pushed_once_even_when_pushed_again(line_stub: LineStub) -> None:
    line_stub.reset()
    assert _deliver(line_stub, f"line:{USER}", ["หนึ่ง", "สอง"], "report-notices:line:1,2") == "delivered"
    [push] = line_stub.received("/v2/bot/message/push")
    assert push.json["to"] == USER and [m["text"] for m in push.json["messages"]] == ["หนึ่ง", "สอง"]

    # A replica that pushed and died before marking them: the next push has the same retry key.
    assert _deliver(line_stub, f"line:{USER}", ["หนึ่ง", "สอง"], "report-notices:line:1,2") == "delivered"
    assert line_stub.delivered_pushes() == 1


def test_a_line_failure_is_a_retry_and_a_non_line_chat_is_undeliverable(line_stub: LineStub) -> None:
    line_stub.reset()
    line_stub.fail("POST", "/v2/bot/message/push", 500, "Internal error")
    assert _deliver(line_stub, f"line:{USER}", ["หนึ่ง"], "report-notices:line:9") == "retry"
    assert line_stub.delivered_pushes() == 0
    assert _deliver(line_stub, "web:abc", ["one"], "report-notices:line:10") == "undeliverable"
    line_stub.reset()


def test_a_status_change_reaches_the_line_citizen_by_push(gateway) -> None:
    runtime = gateway.client.app.state.runtime
    new = NewReport(f"line:{USER}", "line", "th", "ไฟถนนดับ", "ไฟฟ้า", latitude=13.755, longitude=100.493)
    report = runtime.reports.file(new).report
    runtime.reports.change_status(report.id, "in_progress", "somchai")

    assert wait_until(lambda: gateway.stub.delivered_pushes() == 1, 20)
    [push] = [sent for sent in gateway.sent() if sent["kind"] == "push"]
    assert push["to"] == USER
    assert push["messages"][0]["text"] == text("reports.status_in_progress", "th", ticket=report.ticket)
    assert wait_until(lambda: runtime.reports.pending_notices("line") == [], 5)  # marked after LINE took it
