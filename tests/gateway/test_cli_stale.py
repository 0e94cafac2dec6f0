"""``citizenbot catalogue stale`` and its setting, CITIZENBOT_CATALOGUE__FACT_MAX_AGE_DAYS."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway import cli
from gateway.settings import Settings, get_settings
from knowledge.catalogue_files import SEED_DIR
from knowledge.schema import Service
from knowledge.store import CatalogueStore


@pytest.fixture
def store_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, seed_services) -> Iterator[str]:
    for name in list(os.environ):
        if name.upper().startswith("CITIZENBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no .env from the checkout
    url = f"sqlite:///{tmp_path / 'catalogue.db'}"
    monkeypatch.setenv("CITIZENBOT_STORE__URL", url)
    raw = copy.deepcopy(seed_services[0].model_dump(mode="json"))
    raw.update(
        id="checked-long-ago",
        to_verify=[],
        last_reviewed="2025-01-10",
        facts=[
            {
                "field": "fees",
                "kind": "fee",
                "text": {"th": "ฟรี", "en": "Free."},
                "status": "verified",
                "source": {"url": "https://www.bora.dopa.go.th/faq/birth", "title": "DOPA FAQ"},
                "checked": "2025-01-10",
            }
        ],
    )
    store = CatalogueStore(url)
    store.import_services([Service.model_validate(raw)], "test")
    store.close()
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def _run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert cli.main(["catalogue", "stale", "--json", *args]) == 0
    report: dict = json.loads(capsys.readouterr().out)
    return report


def test_the_default_age_comes_from_the_setting(store_url, capsys, monkeypatch):
    assert Settings().catalogue.fact_max_age_days == 365
    report = _run_json(capsys)
    assert report["max_age_days"] == 365
    assert [s["service_id"] for s in report["services"]] == ["checked-long-ago"]
    assert report["services"][0]["facts"][0]["reasons"] == ["too_old"]

    monkeypatch.setenv("CITIZENBOT_CATALOGUE__FACT_MAX_AGE_DAYS", "100000")
    get_settings.cache_clear()
    assert Settings().catalogue.fact_max_age_days == 100000
    assert _run_json(capsys)["services"] == []


def test_older_than_overrides_the_setting(store_url, capsys):
    assert _run_json(capsys, "--older-than", "100000")["counts"]["too_old"] == 0
    assert _run_json(capsys, "--older-than", "0")["counts"]["too_old"] == 1


def test_the_text_report_names_the_service_and_fact(store_url, capsys):
    assert cli.main(["catalogue", "stale"]) == 0
    out = capsys.readouterr().out
    assert "checked-long-ago" in out and "facts[0] fees/fee [too_old]" in out


@pytest.mark.parametrize(("value", "message"), [("-1", "0 or more"), ("soon", "not a whole number"), ("1.5", "")])
def test_a_bad_age_exits_2_with_a_message(store_url, capsys, value, message):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["catalogue", "stale", "--older-than", value])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "--older-than" in err and message in err


def test_a_negative_setting_is_refused(monkeypatch):
    monkeypatch.setenv("CITIZENBOT_CATALOGUE__FACT_MAX_AGE_DAYS", "-3")
    with pytest.raises(ValueError, match="fact_max_age_days"):
        Settings()


def test_files_can_be_reviewed_instead_of_the_store(store_url, capsys, seed_services):
    report = _run_json(capsys, "--path", str(SEED_DIR))
    assert report["services_checked"] == len(seed_services)
