"""Drafts through the gateway's HTTP API with account tokens: the bot ignores a draft until a reviewer
who did not write it publishes it, stale saves and moved services are clear conflicts, the diff names the
changed fee, the preview shows the bot's own card in Thai and English, and every change is audited."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from tests.support import make_settings

PASSWORD = "correct horse battery"
SERVICE = "id-card-renewal"
QUESTION = "ต่ออายุบัตรประชาชนต้องใช้อะไร"


@pytest.fixture(scope="module")
def drafts_app(tmp_path_factory):
    # Nothing listens on the Rasa port: /api/chat answers from the catalogue (status "degraded").
    settings = make_settings(tmp_path_factory.mktemp("editor-drafts"), prebuilt_catalogue=True)
    with TestClient(create_app(settings)) as client:
        runtime = client.app.state.runtime
        assert runtime.wait_until_loaded(300), "catalogue did not load"
        assert runtime.catalogue_error is None, runtime.catalogue_error
        tokens = {}
        for name, role in (("malee", "editor"), ("somchai", "editor"), ("wichai", "reviewer"), ("nok", "analyst")):
            runtime.staff_accounts.add_account(name, role, PASSWORD)
            tokens[name] = {"Authorization": f"Bearer {runtime.staff_accounts.issue_token(name)}"}
        yield client, runtime, tokens


def chat_fee(client: TestClient) -> str:
    """The fee on the service card the citizen gets for QUESTION."""
    response = client.post("/api/chat", json={"sender": "citizen-drafts", "text": QUESTION})
    assert response.status_code == 200, response.text
    [card] = [m["card"] for m in response.json()["messages"] if m["type"] == "card"]
    assert card["service_id"] == SERVICE
    return next(fact["value"] for fact in card["facts"] if fact["key"] == "fees")


def live_service(client, tokens) -> dict:
    response = client.get(f"/api/admin/services/{SERVICE}", headers=tokens["malee"])
    assert response.status_code == 200
    return response.json()


def with_fee(raw: dict, th: str, en: str) -> dict:
    return {**raw, "fees": {"th": th, "en": en}}


def start_draft(client, tokens, raw: dict, who: str = "malee") -> dict:
    response = client.post("/api/admin/drafts", json={"service": raw}, headers=tokens[who])
    assert response.status_code == 201, response.text
    return response.json()


def test_a_draft_is_ignored_by_the_bot_until_a_reviewer_publishes_it(drafts_app):
    client, runtime, tokens = drafts_app
    live = live_service(client, tokens)
    old_fee = chat_fee(client)
    revision = runtime.store.revision()
    draft = start_draft(client, tokens, with_fee(live["service"], "ค่าธรรมเนียม 140 บาท", "140 baht"))
    assert (draft["state"], draft["base_version"], draft["author"]) == ("draft", live["version"], "malee")
    assert chat_fee(client) == old_fee and runtime.store.revision() == revision

    diff = client.get(f"/api/admin/drafts/{draft['id']}/diff", headers=tokens["wichai"]).json()
    assert {c["field"]: c["after"] for c in diff["changes"]} == {"fees.th": "ค่าธรรมเนียม 140 บาท", "fees.en": "140 baht"}

    # An editor may not publish; a draft must be submitted; the author may not review their own draft.
    refused = client.post(f"/api/admin/drafts/{draft['id']}/publish", headers=tokens["malee"])
    assert refused.status_code == 403 and refused.json()["error"]["details"]["missing_permission"] == "publish"
    early = client.post(f"/api/admin/drafts/{draft['id']}/publish", headers=tokens["wichai"])
    assert early.status_code == 409 and early.json()["error"]["code"] == "draft_state"
    submitted = client.post(f"/api/admin/drafts/{draft['id']}/submit", headers=tokens["malee"])
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    assert chat_fee(client) == old_fee

    published = client.post(
        f"/api/admin/drafts/{draft['id']}/publish", json={"expected_version": 2}, headers=tokens["wichai"]
    )
    assert published.status_code == 200, published.text
    assert published.json()["change"] == {"id": SERVICE, "version": live["version"] + 1, "searchable": True}
    assert chat_fee(client) == "ค่าธรรมเนียม 140 บาท"  # the bot uses it at once

    audit = runtime.staff_accounts.store.audit_entries(action="catalogue.")
    assert [(e.account, e.action) for e in reversed(audit) if e.target == SERVICE][-3:] == [
        ("malee", "catalogue.draft_create"),
        ("malee", "catalogue.draft_submit"),
        ("wichai", "catalogue.publish"),
    ]
    history = client.get(f"/api/admin/services/{SERVICE}/versions", headers=tokens["nok"]).json()
    assert (history[-1]["change"], history[-1]["author"]) == ("publish", "malee")

    version_diff = client.get(
        f"/api/admin/services/{SERVICE}/diff",
        params={"from": live["version"], "to": live["version"] + 1},
        headers=tokens["nok"],
    ).json()
    assert {c["field"]: c["after"] for c in version_diff["changes"]} == {
        "fees.th": "ค่าธรรมเนียม 140 บาท",
        "fees.en": "140 baht",
    }


def test_an_author_cannot_review_their_own_draft_even_as_a_reviewer(drafts_app):
    client, _, tokens = drafts_app
    raw = live_service(client, tokens)["service"]
    other = {**raw, "id": "id-card-own-review", "title": {"th": "ทดสอบการตรวจทาน", "en": "Review test"}}
    draft = start_draft(client, tokens, other, who="wichai")
    assert client.post(f"/api/admin/drafts/{draft['id']}/submit", headers=tokens["wichai"]).status_code == 200
    own = client.post(f"/api/admin/drafts/{draft['id']}/publish", headers=tokens["wichai"])
    assert own.status_code == 403 and own.json()["error"]["code"] == "own_draft"
    assert "ผู้ตรวจทานคนอื่น" in own.json()["error"]["details"]["messages"]["th"]
    assert client.get("/api/admin/services/id-card-own-review", headers=tokens["nok"]).status_code == 404
    # another reviewer returns it with a comment
    returned = client.post(
        f"/api/admin/drafts/{draft['id']}/return", json={"comment": "แหล่งที่มาไม่ครบ"}, headers=_reviewer(drafts_app)
    )
    assert returned.status_code == 200 and returned.json()["review_comment"] == "แหล่งที่มาไม่ครบ"
    assert returned.json()["state"] == "draft"


def _reviewer(drafts_app) -> dict:
    _, runtime, tokens = drafts_app
    if "pim" not in tokens:
        runtime.staff_accounts.add_account("pim", "reviewer", PASSWORD)
        tokens["pim"] = {"Authorization": f"Bearer {runtime.staff_accounts.issue_token('pim')}"}
    return tokens["pim"]


def test_a_stale_save_is_refused_with_a_message_and_nothing_is_lost(drafts_app):
    client, _, tokens = drafts_app
    raw = live_service(client, tokens)["service"]
    draft = start_draft(client, tokens, raw)
    path = f"/api/admin/drafts/{draft['id']}"
    first = client.put(
        path, json={"service": with_fee(raw, "1 บาท", "1 baht"), "expected_version": 1}, headers=tokens["somchai"]
    )
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = client.put(
        path, json={"service": with_fee(raw, "2 บาท", "2 baht"), "expected_version": 1}, headers=tokens["malee"]
    )
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert error["code"] == "draft_stale" and "somchai" in error["message"] and "reload" in error["message"]
    assert error["details"]["current_version"] == 2 and "โหลดฉบับร่างใหม่" in error["details"]["messages"]["th"]
    assert client.get(path, headers=tokens["malee"]).json()["service"]["fees"]["en"] == "1 baht"
    # a second draft of the same service is refused, naming the open one
    again = client.post("/api/admin/drafts", json={"service": raw}, headers=tokens["malee"])
    assert again.status_code == 409 and again.json()["error"]["details"]["draft_id"] == draft["id"]
    assert client.post(f"{path}/discard", headers=tokens["malee"]).json()["state"] == "discarded"


def test_publishing_after_the_live_service_moved_is_a_conflict(drafts_app):
    client, runtime, tokens = drafts_app
    live = live_service(client, tokens)
    draft = start_draft(client, tokens, with_fee(live["service"], "50 บาท", "50 baht"))
    client.post(f"/api/admin/drafts/{draft['id']}/submit", headers=tokens["malee"])
    moved = with_fee(live["service"], "60 บาท", "60 baht")
    assert client.put(f"/api/admin/services/{SERVICE}", json=moved, headers=tokens["somchai"]).status_code == 200
    conflict = client.post(f"/api/admin/drafts/{draft['id']}/publish", headers=tokens["wichai"])
    assert conflict.status_code == 409 and conflict.json()["error"]["code"] == "draft_conflict"
    assert conflict.json()["error"]["details"]["live_version"] == live["version"] + 1
    assert runtime.store.get(SERVICE).fees.en == "60 baht"
    assert "rebase" in conflict.json()["error"]["message"]
    diff = client.get(f"/api/admin/drafts/{draft['id']}/diff", headers=tokens["malee"]).json()
    assert {c["field"]: (c["before"], c["after"]) for c in diff["changes"]}["fees.en"] == ("60 baht", "50 baht")
    rebased = client.post(f"/api/admin/drafts/{draft['id']}/rebase", headers=tokens["malee"])
    assert rebased.status_code == 200 and rebased.json()["base_version"] == live["version"] + 1
    client.post(f"/api/admin/drafts/{draft['id']}/submit", headers=tokens["malee"])
    assert client.post(f"/api/admin/drafts/{draft['id']}/publish", headers=tokens["wichai"]).status_code == 200
    assert chat_fee(client) == "50 บาท"  # the bot answers with the rebased draft


def test_the_preview_shows_the_bots_card_in_both_languages_and_the_drafts_rank(drafts_app):
    client, runtime, tokens = drafts_app
    raw = live_service(client, tokens)["service"]
    draft = start_draft(client, tokens, with_fee(raw, "ฟรี ไม่มีค่าธรรมเนียม", "Free of charge"))
    revision = runtime.store.revision()
    preview = client.post(
        f"/api/admin/drafts/{draft['id']}/preview", json={"question": QUESTION}, headers=tokens["malee"]
    )
    assert preview.status_code == 200, preview.text
    body = preview.json()
    th_card, en_card = body["answers"]["th"]["card"], body["answers"]["en"]["card"]
    assert {f["key"]: f["value"] for f in th_card["facts"]}["fees"] == "ฟรี ไม่มีค่าธรรมเนียม"
    assert {f["key"]: f["value"] for f in en_card["facts"]}["fees"] == "Free of charge"
    assert "Free of charge" in body["answers"]["en"]["text"] and en_card["lang"] == "en"
    assert body["ranking"]["rank"] == 1 and body["ranking"]["top"][0]["service_id"] == SERVICE
    assert runtime.store.revision() == revision and chat_fee(client) != "ฟรี ไม่มีค่าธรรมเนียม"
    client.post(f"/api/admin/drafts/{draft['id']}/discard", headers=tokens["malee"])


def test_reading_drafts_needs_an_account_and_writing_needs_edit(drafts_app):
    client, _, tokens = drafts_app
    assert client.get("/api/admin/drafts").status_code == 401
    raw = live_service(client, tokens)["service"]
    refused = client.post("/api/admin/drafts", json={"service": raw}, headers=tokens["nok"])
    assert refused.status_code == 403 and refused.json()["error"]["details"]["missing_permission"] == "edit"
    listed = client.get("/api/admin/drafts", params={"state": "published"}, headers=tokens["nok"])
    assert listed.status_code == 200 and all(d["state"] == "published" for d in listed.json())
    invalid = client.post("/api/admin/drafts", json={"service": {**raw, "fees": 3}}, headers=tokens["malee"])
    assert invalid.status_code == 422
    assert client.get("/api/admin/drafts/99999", headers=tokens["nok"]).status_code == 404
