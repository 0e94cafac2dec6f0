"""Rasa started through ``nlu.rasa_server`` checks action-server responses exactly as Rasa does."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest.importorskip("rasa")

from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from nlu.rasa_server import install_cached_action_validator

GOOD = {"events": [{"event": "slot", "name": "language", "value": "th"}], "responses": [{"text": "สวัสดีค่ะ"}]}
BAD = [{"events": "not a list"}, {"responses": "not a list"}, {"events": [{"no_event_key": 1}]}, {"events": [5]}]


@pytest.fixture
def action() -> RemoteAction:
    return RemoteAction("action_answer", None)


def _outcome(action: RemoteAction, result: object) -> str | None:
    try:
        action._validate_action_result(result)
        return None
    except ValidationError as error:
        return error.message


def test_the_cached_validator_accepts_and_refuses_what_rasas_own_does(action, monkeypatch):
    original = [_outcome(action, result) for result in [GOOD, *BAD]]
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RemoteAction._validate_action_result)
    install_cached_action_validator()
    cached = [_outcome(action, result) for result in [GOOD, *BAD]]
    assert cached == original
    assert cached[0] is None and all(
        message and "Failed to validate Action server response" in message for message in cached[1:]
    )


def test_the_launcher_runs_rasas_command_line():
    done = subprocess.run(
        [sys.executable, "-m", "nlu.rasa_server", "--version"], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "3.6" in done.stdout
