"""Rasa's tracker and lock store from settings (gateway/rasa_endpoints.py): the endpoints file the
supervisor hands ``rasa run`` for each kind of URL, bad URLs refused at start-up without echoing a
password, and Rasa's own loader reading the file."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from gateway.rasa_endpoints import (
    BOT_ENDPOINTS,
    ERASABLE_SQL_TRACKER_STORE,
    LOCK_STORE_PASSWORD_VARIABLE,
    TRACKER_STORE_PASSWORD_VARIABLE,
    TURN_ORDER_REDIS_LOCK_STORE,
    describe_stores,
    endpoints_text,
    rasa_endpoints_file,
)
from gateway.settings import PROJECT_ROOT, RasaSettings, Settings
from gateway.supervisor import rasa_command, rasa_environment
from tests.support import make_settings

PASSWORD = "s3cret-pa$$word"  # a test value: the point is that it never appears on disk or in errors
QUOTED_PASSWORD = "s3cret-pa%24%24word"
RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"


def _with_stores(tmp: Path, **rasa: object) -> Settings:
    """Test settings with the given ``rasa.*`` store settings, validated as the environment's would be."""
    settings = make_settings(tmp)
    fields = {**settings.rasa.model_dump(), "run_dir": tmp / "rasa-run", **rasa}
    settings.rasa = RasaSettings.model_validate(fields)
    return settings


def _effective(settings: Settings) -> dict:
    text = endpoints_text(settings)
    assert text is not None
    assert PASSWORD not in text and QUOTED_PASSWORD not in text
    return yaml.safe_load(text)


def _bot_endpoints() -> dict:
    return yaml.safe_load(BOT_ENDPOINTS.read_text(encoding="utf-8"))


# --- the default: in memory, bot/endpoints.yml as it is ------------------------------------------


def test_without_stores_rasa_reads_bot_endpoints_itself_and_nothing_is_written(tmp_path: Path):
    settings = _with_stores(tmp_path)
    command = rasa_command(settings)
    assert command[command.index("--endpoints") + 1] == str(BOT_ENDPOINTS)
    assert not (tmp_path / "rasa-run").exists()
    env = rasa_environment(settings)
    assert TRACKER_STORE_PASSWORD_VARIABLE not in env and LOCK_STORE_PASSWORD_VARIABLE not in env
    assert describe_stores(settings) == "tracker store in memory, lock store in memory"


def test_the_stores_come_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CITIZENBOT_RASA__TRACKER_STORE_URL", "redis://127.0.0.1:6379/3")
    monkeypatch.setenv("CITIZENBOT_RASA__LOCK_STORE_URL", "redis://127.0.0.1:6379/4")
    monkeypatch.setenv("CITIZENBOT_RASA__REDIS_KEY_PREFIX", "province7")
    rasa = Settings(_env_file=None).rasa  # type: ignore[call-arg]
    assert rasa.tracker_store_url.get_secret_value() == "redis://127.0.0.1:6379/3"
    assert rasa.lock_store_url.get_secret_value() == "redis://127.0.0.1:6379/4"
    assert rasa.redis_key_prefix == "province7"


# --- each kind of URL ----------------------------------------------------------------------------


def test_postgresql_tracker_store_keeps_the_password_out_of_the_file(tmp_path: Path):
    url = f"postgresql+psycopg://rasa:{QUOTED_PASSWORD}@db.internal:5433/rasa_trackers?sslmode=require"
    settings = _with_stores(tmp_path, tracker_store_url=url)
    effective = _effective(settings)
    assert effective["tracker_store"] == {
        "type": ERASABLE_SQL_TRACKER_STORE,
        "dialect": "postgresql",  # psycopg2, which Rasa's environment has, whatever driver the URL names
        "url": "db.internal",
        "port": 5433,
        "db": "rasa_trackers",
        "username": "rasa",
        "password": "${" + TRACKER_STORE_PASSWORD_VARIABLE + "}",
        "query": {"sslmode": "require"},
    }
    assert "lock_store" not in effective
    # The action endpoint and its token header are bot/endpoints.yml's, untouched.
    assert effective["action_endpoint"] == _bot_endpoints()["action_endpoint"]
    assert effective["action_endpoint"]["headers"]["X-Action-Token"] == "${CITIZENBOT_ACTION_TOKEN}"
    assert rasa_environment(settings)[TRACKER_STORE_PASSWORD_VARIABLE] == PASSWORD
    command = rasa_command(settings)
    written = Path(command[command.index("--endpoints") + 1])
    assert written == tmp_path / "rasa-run" / "endpoints.yml"
    assert yaml.safe_load(written.read_text(encoding="utf-8")) == effective
    assert not any(PASSWORD in part or QUOTED_PASSWORD in part for part in command)
    assert describe_stores(settings) == (
        "tracker store postgresql://rasa:***@db.internal:5433/rasa_trackers?sslmode=require, lock store in memory"
    )


def test_postgresql_without_password_or_port(tmp_path: Path):
    effective = _effective(_with_stores(tmp_path, tracker_store_url="postgresql://postgres@127.0.0.1/rasa"))
    assert effective["tracker_store"] == {
        "type": ERASABLE_SQL_TRACKER_STORE,
        "dialect": "postgresql",
        "url": "127.0.0.1",
        "db": "rasa",
        "username": "postgres",
    }
    assert TRACKER_STORE_PASSWORD_VARIABLE not in rasa_environment(_with_stores(tmp_path))


@pytest.mark.parametrize(
    ("url", "db"),
    [
        ("sqlite:///var/rasa/trackers.db", "var/rasa/trackers.db"),
        ("sqlite:////srv/rasa/trackers.db", "/srv/rasa/trackers.db"),
    ],
)
def test_sqlite_tracker_store_relative_to_the_project_or_absolute(tmp_path: Path, url: str, db: str):
    assert _effective(_with_stores(tmp_path, tracker_store_url=url))["tracker_store"] == {
        "type": ERASABLE_SQL_TRACKER_STORE,
        "dialect": "sqlite",
        "db": db,
    }


def test_redis_tracker_store_expires_idle_conversations_after_the_retention_period(tmp_path: Path):
    settings = _with_stores(
        tmp_path, tracker_store_url=f"rediss://bot:{QUOTED_PASSWORD}@cache:6380", redis_key_prefix="province7"
    )
    assert _effective(settings)["tracker_store"] == {
        "type": "redis",
        "url": "cache",
        "port": 6380,
        "db": 0,  # Rasa's default for the tracker store
        "username": "bot",
        "password": "${" + TRACKER_STORE_PASSWORD_VARIABLE + "}",
        "key_prefix": "province7",
        "use_ssl": True,
        "record_exp": settings.privacy.conversation_days * 86_400,
    }
    assert rasa_environment(settings)[TRACKER_STORE_PASSWORD_VARIABLE] == PASSWORD


def test_redis_lock_store_defaults_to_database_1_and_takes_its_own_password(tmp_path: Path):
    settings = _with_stores(tmp_path, lock_store_url=f"redis://:{QUOTED_PASSWORD}@127.0.0.1")
    effective = _effective(settings)
    assert effective["lock_store"] == {
        "type": TURN_ORDER_REDIS_LOCK_STORE,
        "url": "127.0.0.1",
        "port": 6379,
        "db": 1,
        "password": "${" + LOCK_STORE_PASSWORD_VARIABLE + "}",
        "key_prefix": "citizenbot",
    }
    assert "tracker_store" not in effective
    env = rasa_environment(settings)
    assert env[LOCK_STORE_PASSWORD_VARIABLE] == PASSWORD and TRACKER_STORE_PASSWORD_VARIABLE not in env
    assert describe_stores(settings) == "tracker store in memory, lock store redis://:***@127.0.0.1"


def test_both_stores_on_one_redis_database(tmp_path: Path):
    effective = _effective(
        _with_stores(tmp_path, tracker_store_url="redis://127.0.0.1:6379/5", lock_store_url="redis://127.0.0.1:6379/5")
    )
    assert effective["tracker_store"]["db"] == effective["lock_store"]["db"] == 5
    # Rasa adds "tracker:" and "lock:" after the prefix, so the two never share a key.
    assert effective["tracker_store"]["key_prefix"] == effective["lock_store"]["key_prefix"] == "citizenbot"


def test_a_store_section_in_bot_endpoints_and_a_setting_conflict(tmp_path: Path):
    own = tmp_path / "endpoints.yml"
    own.write_text(BOT_ENDPOINTS.read_text(encoding="utf-8") + "\ntracker_store:\n  type: redis\n", encoding="utf-8")
    settings = _with_stores(tmp_path, tracker_store_url="redis://127.0.0.1")
    with pytest.raises(ValueError, match="own tracker_store section"):
        rasa_endpoints_file(settings, own)


# --- bad input: a clear error at start-up, never the password ------------------------------------

BAD_URLS = [
    ("tracker_store_url", f"mysql://rasa:{PASSWORD}@db/rasa", "unsupported scheme 'mysql'"),
    ("tracker_store_url", f"mongodb://rasa:{PASSWORD}@db/rasa", "use one of postgresql://, sqlite://, redis://"),
    ("tracker_store_url", "db.internal:5432/rasa", "must be a URL"),
    ("tracker_store_url", f"postgresql://rasa:{PASSWORD}@db:54x2/rasa", "port must be a number"),
    ("tracker_store_url", f"postgresql://rasa:{PASSWORD}@db:99999/rasa", "port must be a number"),
    ("tracker_store_url", f"postgresql://rasa:{PASSWORD}/rasa", "port must be a number"),  # no "@host"
    ("tracker_store_url", f"redis://:pass/{PASSWORD}@cache/0", "port must be a number"),  # "/" unencoded
    ("tracker_store_url", f"postgresql://rasa:{PASSWORD}@db:5432", "name the database"),
    ("tracker_store_url", f"postgresql://rasa:{PASSWORD}@db/rasa/extra", "name the database"),
    ("tracker_store_url", f"postgresql://rasa:{PASSWORD}@[::1/rasa", "malformed URL"),
    ("tracker_store_url", f"postgresql://rasa:{PASSWORD}@db/rasa?sslmode", "malformed query string"),
    ("tracker_store_url", "sqlite://", "sqlite:///relative.db"),
    ("tracker_store_url", f"redis://:{PASSWORD}@cache:6379/zero", "Redis database is a number"),
    ("tracker_store_url", f"redis://:{PASSWORD}@:6379/0", "name the Redis host"),
    ("tracker_store_url", f"redis://:{PASSWORD}@cache/0?ssl=true", "take no query options"),
    ("lock_store_url", f"postgresql://rasa:{PASSWORD}@db/rasa", "lock store is Redis only"),
    ("lock_store_url", "memory://", "lock store is Redis only"),
    ("lock_store_url", f"redis://:{PASSWORD}@cache:0", "port must be a number"),
    ("redis_key_prefix", "citizenbot-test:", "letters and digits only"),
    ("redis_key_prefix", "", "letters and digits only"),
]


@pytest.mark.parametrize(("setting", "value", "message"), BAD_URLS)
def test_bad_store_settings_fail_validation_clearly_and_never_echo_a_password(
    tmp_path: Path, setting: str, value: str, message: str
):
    with pytest.raises(ValidationError) as raised:
        Settings.model_validate({"rasa": {setting: value}})
    error = str(raised.value)
    assert f"rasa.{setting}" in error and message in error, error
    assert PASSWORD not in error and QUOTED_PASSWORD not in error, error


# --- Rasa's own loader reads what we write -------------------------------------------------------

_READ_ENDPOINTS = """
import json, sys
from rasa.core.lock_store import LockStore
from rasa.core.tracker_store import TrackerStore
from rasa.core.utils import AvailableEndpoints
found = {}
for path in sys.argv[1:]:
    endpoints = AvailableEndpoints.read_endpoints(path)
    found[path] = {
        name: None if config is None else {"type": config.type, "url": config.url, **config.kwargs}
        for name, config in (("tracker_store", endpoints.tracker_store), ("lock_store", endpoints.lock_store))
    }
    found[path]["action_headers"] = endpoints.action.headers
    if endpoints.tracker_store.kwargs.get("dialect") == "sqlite":  # connects to nothing but a file
        found[path]["class"] = type(TrackerStore.create(endpoints.tracker_store)).__name__
    if endpoints.lock_store is not None:  # makes a Redis client; connects on first use only
        found[path]["lock_class"] = type(LockStore.create(endpoints.lock_store)).__name__
print(json.dumps(found))
"""


@pytest.mark.slow
def test_rasa_reads_the_written_endpoints_with_passwords_from_its_environment(tmp_path: Path):
    if not RASA_PYTHON.exists():
        pytest.skip(f"Rasa's environment is missing ({RASA_PYTHON}); run `make setup`")
    postgres = _with_stores(
        tmp_path / "pg",
        tracker_store_url=f"postgresql://rasa:{QUOTED_PASSWORD}@127.0.0.1:5432/rasa",
        lock_store_url=f"redis://:{QUOTED_PASSWORD}x@127.0.0.1:6379/2",
    )
    redis = _with_stores(tmp_path / "redis", tracker_store_url="redis://127.0.0.1:6379")
    sqlite = _with_stores(tmp_path / "sqlite", tracker_store_url=f"sqlite:///{tmp_path / 'trackers.db'}")
    files = [rasa_endpoints_file(postgres), rasa_endpoints_file(redis), rasa_endpoints_file(sqlite)]
    env = {**rasa_environment(postgres), "CITIZENBOT_LOCK_STORE_PASSWORD": PASSWORD + "x"}
    done = subprocess.run(
        [str(RASA_PYTHON), "-W", "ignore", "-c", _READ_ENDPOINTS, *map(str, files)],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    pg, rd = found[str(files[0])], found[str(files[1])]
    assert pg["tracker_store"] == {
        "type": ERASABLE_SQL_TRACKER_STORE,
        "url": "127.0.0.1",
        "dialect": "postgresql",
        "port": 5432,
        "db": "rasa",
        "username": "rasa",
        "password": PASSWORD,
    }
    assert pg["lock_store"] == {
        "type": TURN_ORDER_REDIS_LOCK_STORE,
        "url": "127.0.0.1",
        "port": 6379,
        "db": 2,
        "password": PASSWORD + "x",
        "key_prefix": "citizenbot",
    }
    assert pg["lock_class"] == "TurnOrderRedisLockStore"
    assert pg["action_headers"] == {"X-Action-Token": env["CITIZENBOT_ACTION_TOKEN"]}
    assert rd["tracker_store"]["type"] == "redis" and rd["tracker_store"]["record_exp"] == 30 * 86_400
    assert rd["lock_store"] is None
    # The erasable SQL store is found (Rasa would fall back to memory, with only a warning, if not).
    assert found[str(files[2])]["class"] == "ErasableSQLTrackerStore"
    assert (tmp_path / "trackers.db").exists()


# A real Rasa on PostgreSQL and Redis (the lock waited for, context surviving kill -9, erasure):
# tests/conversation/test_rasa_replicas.py, on its pair of replicas.
