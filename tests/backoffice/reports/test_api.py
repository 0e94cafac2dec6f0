"""The officers' reports API on the real gateway (SQLite files, the real photo store): the queue and its
filters, a report in full, status changes (recorded under the officer, noticed to the citizen, refused
with 409/422 in Thai and English), photos for staff only, and the routing table for administrators only."""

from __future__ import annotations

import base64
import io

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from conversation.reports.store import NewReport, Report
from gateway.app import create_app
from tests.support import make_settings

PASSWORD = "a long enough passphrase"
AGENT: dict[str, str] = {}
ANALYST: dict[str, str] = {}
ADMIN: dict[str, str] = {}
LAT, LON = 13.7563, 100.5018  # Bangkok; 0.0002 degrees is about 22 m
ITEM_KEYS = {
    "id",
    "ticket",
    "type",
    "type_en",
    "status",
    "organisation",
    "channel",
    "language",
    "description",
    "district",
    "province",
    "area_link",
    "case_id",
    "duplicates",
    "has_photo",
    "version",
    "created_at",
    "updated_at",
}


def png(colour: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("reports-api"))
    with TestClient(create_app(settings)) as test_client:
        accounts = test_client.app.state.runtime.staff_accounts
        for name, role, headers in (("dao", "agent", AGENT), ("wipa", "analyst", ANALYST), ("root", "admin", ADMIN)):
            accounts.add_account(name, role, PASSWORD)
            headers["Authorization"] = f"Bearer {accounts.issue_token(name)}"
        yield test_client


def file_report(client: TestClient, **values: object) -> Report:
    runtime = client.app.state.runtime
    fields: dict[str, object] = {
        "sender_id": "line:U1",
        "channel": "line",
        "language": "th",
        "description": "ไฟถนนดับทั้งซอย โทร 081-234-5678",
        "type": "ไฟฟ้า",
        "latitude": LAT,
        "longitude": LON,
        "province": "กรุงเทพมหานคร",
        "district": "ปทุมวัน",
    }
    fields.update(values)
    return runtime.reports.file(NewReport(**fields)).report  # type: ignore[arg-type]


def listed(client: TestClient, **params: object) -> dict:
    response = client.get("/api/admin/reports", headers=AGENT, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_queue_filters_pages_and_shows_the_location_only_coarsely(client):
    light = file_report(client, latitude=13.70011, longitude=100.60022, district="พระโขนง")
    near = file_report(
        client,
        sender_id="web:abc",
        channel="web",
        language="en",
        description="Street light out",
        latitude=13.70012,
        longitude=100.60023,
        district="พระโขนง",
    )
    water = file_report(
        client,
        type="ประปา",
        description="น้ำประปาไม่ไหลสองวัน",
        province="นนทบุรี",
        district="เมืองนนทบุรี",
        latitude=13.86,
        longitude=100.51,
    )
    flood = file_report(
        client,
        type="น้ำท่วม",
        description="น้ำท่วมขัง หน้าบ้านเลขที่ 12",
        latitude=None,
        longitude=None,
        district=None,
        province=None,
        address="ซอยสุขุมวิท 50",
    )

    everything = listed(client)
    ids = [item["id"] for item in everything["items"]]
    assert ids[:4] == [flood.id, water.id, near.id, light.id]  # newest first
    [item] = [item for item in everything["items"] if item["id"] == light.id]
    assert set(item) == ITEM_KEYS and "latitude" not in item and "address" not in item
    assert item["description"] == light.description and "081-234-5678" not in str(everything)
    assert (item["type"], item["type_en"], item["status"]) == ("ไฟฟ้า", "Electricity and street lights", "received")
    assert item["area_link"] == "https://www.openstreetmap.org/#map=15/13.70/100.60"  # about 1 km, not the doorstep
    assert (item["case_id"], item["duplicates"]) == (light.id, 1)  # the second report nearby joined its case
    assert next(i for i in everything["items"] if i["id"] == near.id)["case_id"] == light.id

    assert [i["id"] for i in listed(client, type="Water supply")["items"]] == [water.id]  # English label accepted
    assert [i["id"] for i in listed(client, type="ประปา", province="นนทบุรี")["items"]] == [water.id]
    assert {i["id"] for i in listed(client, district="พระโขนง")["items"]} == {light.id, near.id}
    assert [i["id"] for i in listed(client, q="ประปาไม่ไหล")["items"]] == [water.id]
    assert [i["id"] for i in listed(client, q=flood.ticket.lower())["items"]] == [flood.id]
    assert [i["id"] for i in listed(client, q="สุขุมวิท 50")["items"]] == [flood.id]  # the typed address
    assert listed(client, q="100%")["total"] == 0  # LIKE wildcards are text, not patterns
    org = listed(client)["items"][0]["organisation"]
    assert listed(client, organisation=org)["total"] >= 4 and listed(client, organisation="ไม่มีหน่วยงานนี้")["total"] == 0

    second = listed(client, per_page=1, page=2)
    assert (second["total"], second["page"], second["per_page"]) == (everything["total"], 2, 1)
    assert [i["id"] for i in second["items"]] == [water.id]

    refused = client.get("/api/admin/reports", headers=AGENT, params={"type": "ไม่มีประเภทนี้"})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "unknown_type"
    assert "ไฟฟ้า" in refused.json()["error"]["details"]["messages"]["th"]
    assert client.get("/api/admin/reports", headers=AGENT, params={"status": "lost"}).status_code == 422
    assert client.get("/api/admin/reports", headers=AGENT, params={"page": 0}).status_code == 422


def test_the_detail_has_the_point_the_map_the_history_and_the_case(client):
    runtime = client.app.state.runtime
    photo = runtime.report_photos.save(png())
    first = file_report(
        client, latitude=13.80001, longitude=100.55001, photo_ref=photo.ref, address="หน้าตลาด โทร 0891112222"
    )
    second = file_report(client, latitude=13.80002, longitude=100.55002)
    response = client.get(f"/api/admin/reports/{second.id}", headers=AGENT)
    assert response.status_code == 200, response.text
    detail = response.json()
    assert (detail["latitude"], detail["longitude"]) == (13.80002, 100.55002)
    assert detail["map_link"] == second.map_link and "openstreetmap.org" in detail["map_link"]
    assert detail["photo_url"] is None and detail["after_photo_url"] is None
    assert detail["next_statuses"] == ["forwarded", "in_progress", "done", "rejected"]
    assert [(h["status"], h["actor"]) for h in detail["history"]] == [("received", "citizen")]
    assert [member["ticket"] for member in detail["case_reports"]] == [first.ticket, second.ticket]
    assert detail["duplicates"] == 1 and detail["case_id"] == first.id

    detail = client.get(f"/api/admin/reports/{first.id}", headers=AGENT).json()
    assert detail["photo_url"] == f"/api/admin/reports/{first.id}/photo" and detail["has_photo"] is True
    assert "0891112222" not in detail["address"] and detail["address"].startswith("หน้าตลาด")

    missing = client.get("/api/admin/reports/999999", headers=AGENT)
    assert missing.status_code == 404 and set(missing.json()["error"]["details"]["messages"]) == {"th", "en"}


def test_an_officer_moves_a_report_on_and_the_citizen_is_told(client):
    runtime = client.app.state.runtime
    report = file_report(client, sender_id="line:Uofficer", latitude=13.9, longitude=100.7)
    path = f"/api/admin/reports/{report.id}/status"

    started = client.post(path, headers=AGENT, json={"status": "in_progress", "version": 1, "note": "ส่งช่างไปแล้ว"})
    assert started.status_code == 200, started.text
    assert (started.json()["status"], started.json()["version"]) == ("in_progress", 2)
    assert [(h["status"], h["actor"]) for h in started.json()["history"]][-1] == ("in_progress", "dao")
    notices = runtime.reports.pending_notices(sender_id="line:Uofficer")
    assert [notice.report_id for notice in notices] == [report.id] and "ส่งช่างไปแล้ว" in notices[0].text
    audit = runtime.staff_accounts.store.audit_entries(action="reports.status")
    assert [entry.account for entry in audit if entry.target == report.ticket] == ["dao"]

    stale = client.post(path, headers=AGENT, json={"status": "done", "version": 1, "note": "ซ่อมแล้ว"})
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert error["code"] == "report_changed" and error["details"]["report"]["version"] == 2
    assert error["details"]["report"]["status"] == "in_progress" and set(error["details"]["messages"]) == {"th", "en"}

    no_note = client.post(path, headers=AGENT, json={"status": "done", "version": 2})
    assert no_note.status_code == 422 and no_note.json()["error"]["code"] == "note_required"
    no_reason = client.post(path, headers=AGENT, json={"status": "rejected", "version": 2, "reason": "  "})
    assert no_reason.status_code == 422 and no_reason.json()["error"]["code"] == "reason_required"
    early_photo = client.post(
        path, headers=AGENT, json={"status": "forwarded", "version": 2, "after_photo": base64.b64encode(png()).decode()}
    )
    assert early_photo.status_code == 422 and early_photo.json()["error"]["code"] == "photo_only_when_done"
    garbled = client.post(
        path, headers=AGENT, json={"status": "done", "version": 2, "note": "ok", "after_photo": "%%%"}
    )
    assert garbled.status_code == 422 and garbled.json()["error"]["code"] == "photo_bad_encoding"
    not_image = base64.b64encode(b"<html>not a photo</html>").decode()
    refused = client.post(
        path, headers=AGENT, json={"status": "done", "version": 2, "note": "ok", "after_photo": not_image}
    )
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "photo_not_image"
    assert runtime.reports.get(report.id).version == 2  # nothing of the refused changes stuck

    after = "data:image/png;base64," + base64.b64encode(png("green")).decode()
    done = client.post(
        path, headers=AGENT, json={"status": "done", "version": 2, "note": "เปลี่ยนหลอดไฟแล้ว", "after_photo": after}
    )
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["status"], body["note"], body["next_statuses"]) == ("done", "เปลี่ยนหลอดไฟแล้ว", [])
    assert body["after_photo_url"] == f"/api/admin/reports/{report.id}/after-photo"
    photo = client.get(body["after_photo_url"], headers=AGENT)
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(photo.content)).getpixel((5, 5))[1] > 100  # the green photo, re-encoded

    again = client.post(path, headers=AGENT, json={"status": "in_progress", "version": 3})
    assert again.status_code == 422
    assert again.json()["error"]["code"] == "status_not_allowed" and again.json()["error"]["details"]["allowed"] == []
    bad = client.post(path, headers=AGENT, json={"status": "fixed", "version": 3})
    assert bad.status_code == 422
    assert (
        client.post(
            "/api/admin/reports/999999/status", headers=AGENT, json={"status": "done", "version": 1, "note": "x"}
        ).status_code
        == 404
    )


def test_an_analyst_and_a_stranger_may_not_work_the_queue(client):
    report = file_report(client, latitude=13.95, longitude=100.75)
    for path in ("/api/admin/reports", f"/api/admin/reports/{report.id}", f"/api/admin/reports/{report.id}/photo"):
        assert client.get(path, headers=ANALYST).status_code == 403, path
        assert client.get(path).status_code == 401, path
    change = {"status": "in_progress", "version": 1}
    refused = client.post(f"/api/admin/reports/{report.id}/status", headers=ANALYST, json=change)
    assert refused.status_code == 403 and refused.json()["error"]["details"]["missing_permission"] == "reports"
    assert client.post(f"/api/admin/reports/{report.id}/status", json=change).status_code == 401
    assert client.app.state.runtime.reports.get(report.id).status == "received"


def test_photos_are_for_staff_only_and_never_cached(client):
    runtime = client.app.state.runtime
    stored = runtime.report_photos.save(png("blue"))
    report = file_report(client, latitude=13.66, longitude=100.66, photo_ref=stored.ref)
    path = f"/api/admin/reports/{report.id}/photo"
    assert client.get(path).status_code == 401
    assert client.get(path, headers=ANALYST).status_code == 403
    photo = client.get(path, headers=AGENT)
    assert photo.status_code == 200 and photo.content == runtime.report_photos.read(stored.ref)[0]
    assert (
        photo.headers["cache-control"] == "private, no-store" and photo.headers["x-content-type-options"] == "nosniff"
    )
    none = client.get(f"/api/admin/reports/{report.id}/after-photo", headers=AGENT)
    assert none.status_code == 404 and none.json()["error"]["code"] == "photo_not_found"


def test_the_routing_table_is_the_administrators(client):
    runtime = client.app.state.runtime
    rule = {"type": "ประปา", "province": "เชียงใหม่", "organisation": "การประปาส่วนภูมิภาค สาขาเชียงใหม่"}
    assert client.get("/api/admin/reports/routes", headers=AGENT).status_code == 403
    assert client.post("/api/admin/reports/routes", headers=AGENT, json=rule).status_code == 403
    assert client.post("/api/admin/reports/routes", json=rule).status_code == 401

    added = client.post("/api/admin/reports/routes", headers=ADMIN, json=rule)
    assert added.status_code == 201, added.text
    route = added.json()
    assert (route["type"], route["province"], route["district"], route["updated_by"]) == (
        "ประปา",
        "เชียงใหม่",
        None,
        "root",
    )
    filed = file_report(
        client, type="ประปา", province="เชียงใหม่", district="เมืองเชียงใหม่", latitude=18.79, longitude=98.98
    )
    assert filed.organisation == "การประปาส่วนภูมิภาค สาขาเชียงใหม่"

    changed = client.put(
        f"/api/admin/reports/routes/{route['id']}",
        headers=ADMIN,
        json={"type": "Water supply", "province": "เชียงใหม่", "district": "เมืองเชียงใหม่", "organisation": "กปภ. เชียงใหม่"},
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["type"], changed.json()["district"]) == ("ประปา", "เมืองเชียงใหม่")
    assert [r["organisation"] for r in client.get("/api/admin/reports/routes", headers=ADMIN).json()["routes"]] == [
        "กปภ. เชียงใหม่"
    ]
    assert runtime.reports.route_for("ประปา", "เชียงใหม่", "เมืองเชียงใหม่") == "กปภ. เชียงใหม่"

    orphan = client.post("/api/admin/reports/routes", headers=ADMIN, json={"district": "บางรัก", "organisation": "เขต"})
    assert orphan.status_code == 422 and orphan.json()["error"]["code"] == "district_needs_province"
    unknown = client.post("/api/admin/reports/routes", headers=ADMIN, json={"type": "UFO", "organisation": "x"})
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unknown_type"
    empty = client.post("/api/admin/reports/routes", headers=ADMIN, json={"organisation": "  "})
    assert empty.status_code == 422

    assert client.delete(f"/api/admin/reports/routes/{route['id']}", headers=AGENT).status_code == 403
    assert client.delete(f"/api/admin/reports/routes/{route['id']}", headers=ADMIN).status_code == 204
    gone = client.delete(f"/api/admin/reports/routes/{route['id']}", headers=ADMIN)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "route_not_found"
    assert client.put(f"/api/admin/reports/routes/{route['id']}", headers=ADMIN, json=rule).status_code == 404
    actions = [
        entry.action for entry in runtime.staff_accounts.store.audit_entries() if entry.target == str(route["id"])
    ]
    assert sorted(a for a in actions if a.startswith("reports.")) == [
        "reports.route_add",
        "reports.route_delete",
        "reports.route_update",
    ]
