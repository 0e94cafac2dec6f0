"""Loopback stand-ins for Rasa (see ``loopback.py``), one fresh server per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conversation.loopback import FakeRasa, fake_rasa_server, silent_server
from tests.support import free_port


@pytest.fixture
def fake_rasa() -> Iterator[FakeRasa]:
    with fake_rasa_server() as fake:
        yield fake


@pytest.fixture
def silent_rasa() -> Iterator[str]:
    with silent_server() as url:
        yield url


@pytest.fixture
def closed_port_url() -> str:
    """A loopback port where nothing listens: Rasa not started."""
    return f"http://127.0.0.1:{free_port()}"
