"""The widget's service cards, rendered by the real widget.js in Node (no browser, no Rasa).

tests/channels/web/render_cards.js loads the configured script on a small stand-in for the DOM
with the cards in its stored conversation, and reports each card's meta line, caution and badges.
The browser tests check the same widget in Chromium against the whole stack.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from actions.service_answer import service_card
from channels.web.widget import CONFIG_PLACEHOLDER, STATIC_DIR, widget_config
from knowledge.schema import Service

NODE = shutil.which("node")
RENDER = Path(__file__).with_name("render_cards.js")
pytestmark = pytest.mark.skipif(NODE is None, reason="needs Node.js to run widget.js outside a browser")


def render(cards: list[dict], tmp_path: Path) -> list[dict]:
    script = (STATIC_DIR / "widget.js").read_text(encoding="utf-8")
    config = json.dumps(widget_config(2000), ensure_ascii=False)
    (tmp_path / "widget.js").write_text(script.replace(CONFIG_PLACEHOLDER, config), encoding="utf-8")
    (tmp_path / "cards.json").write_text(json.dumps(cards, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(
        [str(NODE), str(RENDER), str(tmp_path / "widget.js"), str(tmp_path / "cards.json")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rendered: list[dict] = json.loads(done.stdout)
    return rendered


def _service(seed_services, facts: list[dict], last_reviewed: str | None) -> Service:
    raw = next(s for s in seed_services if s.id == "id-card-renewal").model_dump(mode="json")
    raw.update(facts=facts, to_verify=[], last_reviewed=last_reviewed)
    return Service.model_validate(raw)


UNVERIFIED_FEE = {
    "field": "fees",
    "kind": "fee",
    "text": {"th": "ไม่มีค่าธรรมเนียม", "en": "It is free."},
    "status": "unverified",
}
CHECKED_FEE = UNVERIFIED_FEE | {
    "status": "verified",
    "source": {"url": "https://www.bora.dopa.go.th/faq/id-card", "title": "DOPA"},
    "checked": "2026-12-01",
}


def test_a_card_nobody_has_checked_says_so_and_badges_the_unconfirmed_fee(seed_services, tmp_path):
    service = _service(seed_services, [UNVERIFIED_FEE], None)
    th, en = render([service_card(service, "th"), service_card(service, "en")], tmp_path)
    assert th["meta"] == ["ยังไม่ได้ตรวจสอบกับหน่วยงาน"] and en["meta"] == ["Not yet checked against the agency"]
    assert th["badges"] == ["fees"] and en["badges"] == ["fees"]
    assert th["verify"] == [service_card(service, "th")["verify_note"]]
    assert en["verify"] == [
        "The fee has not been confirmed with the agency; please check with them before you rely on it."
    ]


def test_a_checked_card_gives_the_date_in_each_languages_calendar(seed_services, tmp_path):
    service = _service(seed_services, [CHECKED_FEE], "2026-12-01")
    th, en = render([service_card(service, "th"), service_card(service, "en")], tmp_path)
    assert th["meta"] == ["ตรวจสอบกับแหล่งที่มาล่าสุด 1 ธ.ค. 2569"] and en["meta"] == ["Last checked 1 Dec 2026"]
    assert th["badges"] == [] and th["verify"] == []


def test_cards_from_before_facts_still_render(tmp_path):
    """A card kept in a citizen's browser from an older gateway: to_verify badges, a date or null."""
    old = {"lang": "en", "service_id": "old", "title": "Old", "facts": [{"key": "fees", "label": "Fees", "value": "1"}]}
    dated, null, none = render(
        [old | {"last_reviewed": "2026-11-23", "to_verify": ["fees"]}, old | {"last_reviewed": None}, old],
        tmp_path,
    )
    assert dated["meta"] == ["Last checked 2026-11-23"] and dated["badges"] == ["fees"]
    assert null["meta"] == ["Not yet checked against the agency"] and null["badges"] == []
    assert none["meta"] == []
