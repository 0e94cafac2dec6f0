"""``citizenbot run --rasa-replicas N --workers W`` (gateway/scaled_run.py, gateway/supervisor.py): a
scale the settings cannot serve is refused in one line before anything starts; otherwise each replica
gets its own port and the gateway the replica list and its workers."""

from __future__ import annotations

import json
import socket

import pytest

from gateway.cli import main
from gateway.scaled_run import ScaleError, plan_scaled_run, replica_urls
from gateway.settings import Settings
from gateway.supervisor import gateway_command, gateway_environment, rasa_command, rasa_environment
from tests.support import make_settings

SHARED = {
    "tracker_store_url": "postgresql://postgres@127.0.0.1:5432/rasa",
    "lock_store_url": "redis://127.0.0.1:6379/1",
}


def _settings(tmp_path, rasa: dict | None = None, **sections: dict) -> Settings:
    base = make_settings(tmp_path)
    data = base.model_dump()
    data["rasa"].update(rasa or {})
    for name, values in sections.items():
        data[name] = {**data.get(name, {}), **values}
    data["rasa"]["auth_token"] = base.rasa.auth_token.get_secret_value() if base.rasa.auth_token else None
    data["gateway"]["action_token"] = (
        base.gateway.action_token.get_secret_value() if base.gateway.action_token else None
    )
    data["editor"]["token"] = base.editor.token.get_secret_value()
    for key in ("tracker_store_url", "lock_store_url"):
        data["rasa"][key] = (rasa or {}).get(key, "")
    return Settings.model_validate(data)


def test_one_of_each_changes_nothing(tmp_path):
    settings = _settings(tmp_path)
    plan = plan_scaled_run(settings, None, 1)
    assert plan.settings.rasa.replica_urls() == [settings.rasa.url] and plan.workers == 1 and not plan.notes


def test_several_replicas_without_shared_stores_are_refused(tmp_path):
    with pytest.raises(ScaleError, match="TRACKER_STORE_URL and CITIZENBOT_RASA__LOCK_STORE_URL"):
        plan_scaled_run(_settings(tmp_path), 2, 1)
    only_tracker = _settings(tmp_path, {"tracker_store_url": SHARED["tracker_store_url"]})
    with pytest.raises(ScaleError, match="set CITIZENBOT_RASA__LOCK_STORE_URL \\("):
        plan_scaled_run(only_tracker, 2, 1)
    sqlite = _settings(
        tmp_path, {"tracker_store_url": "sqlite:///var/t.db", "lock_store_url": SHARED["lock_store_url"]}
    )
    with pytest.raises(ScaleError, match="SQLite"):
        plan_scaled_run(sqlite, 2, 1)


def test_several_workers_without_redis_are_refused_and_memory_counters_noted(tmp_path):
    with pytest.raises(ScaleError, match="--workers 2 needs CITIZENBOT_REDIS__URL"):
        plan_scaled_run(_settings(tmp_path), 1, 2)
    plan = plan_scaled_run(_settings(tmp_path, redis={"url": "redis://127.0.0.1:6379/0"}), 1, 2)
    assert plan.workers == 2
    assert [note.split(" ")[0] for note in plan.notes] == [
        "CITIZENBOT_RATE_LIMITS__STORAGE_URI",
        "CITIZENBOT_STATUS_CHECK__STORAGE_URI",
    ]


def test_replicas_get_the_base_port_and_the_next_free_ones(tmp_path):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        # The base port is the configured one even if busy (Rasa's own start-up says so); then free ones.
        urls = replica_urls(f"http://127.0.0.1:{port - 1}", 3, port_free=lambda host, p: p != port)
        assert urls == [f"http://127.0.0.1:{port - 1}", f"http://127.0.0.1:{port + 1}", f"http://127.0.0.1:{port + 2}"]
    finally:
        taken.close()


def test_a_scaled_plan_wires_each_process(tmp_path):
    settings = _settings(tmp_path, SHARED, redis={"url": "redis://127.0.0.1:6379/0"})
    plan = plan_scaled_run(settings, 2, 2)
    urls = plan.settings.rasa.replica_urls()
    assert len(urls) == 2 and urls[0] == settings.rasa.url
    ports = [rasa_command(plan.settings, url)[-1] for url in urls]
    assert ports == [url.rsplit(":", 1)[1] for url in urls]
    assert rasa_environment(plan.settings)["TICKET_LOCK_LIFETIME"] == "10"
    assert json.loads(gateway_environment(plan.settings)["CITIZENBOT_RASA__URLS"]) == urls
    command = gateway_command(plan.settings, plan.workers)
    assert command[command.index("--workers") + 1] == "2"
    assert "--workers" not in gateway_command(plan.settings)


def test_replicas_on_other_machines_are_not_started_here(tmp_path):
    settings = _settings(tmp_path, {**SHARED, "urls": ["http://127.0.0.1:5005", "http://10.0.0.6:5005"]})
    with pytest.raises(ScaleError, match="1 of CITIZENBOT_RASA__URLS are elsewhere"):
        plan_scaled_run(settings, None, 1)


def test_replica_count_and_url_list_must_agree(tmp_path):
    settings = _settings(tmp_path, {**SHARED, "urls": ["http://127.0.0.1:5005", "http://127.0.0.1:5006"]})
    assert plan_scaled_run(settings, None, 1).settings.rasa.replica_urls() == settings.rasa.urls
    with pytest.raises(ScaleError, match="disagree"):
        plan_scaled_run(settings, 3, 1)


@pytest.mark.parametrize(("replicas", "workers"), [(0, 1), (17, 1), (None, 0), (None, 33)])
def test_counts_out_of_range_are_refused(tmp_path, replicas: int | None, workers: int):
    with pytest.raises(ScaleError, match="must be from 1 to"):
        plan_scaled_run(_settings(tmp_path), replicas, workers)


def test_the_command_refuses_in_one_line_before_starting_anything(monkeypatch, capsys, tmp_path):
    from gateway import settings as settings_module

    monkeypatch.setattr(settings_module, "get_settings", lambda: _settings(tmp_path))
    assert main(["run", "--rasa-replicas", "2", "--workers", "2"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: 2 Rasa replicas need a shared tracker store") and "\n" not in err
    assert not (tmp_path / "rasa-run").exists()
