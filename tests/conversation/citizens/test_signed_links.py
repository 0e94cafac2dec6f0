"""Dashboard links: they open for the citizen they were made for, until they expire, and never when changed."""

from __future__ import annotations

import base64
import datetime as dt

import pytest

from conversation.citizens.signed_links import DashboardLinks, ExpiredLinkError, TamperedLinkError

NOW = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)
SECRET = "a-test-secret-that-is-long-enough"


def test_a_link_opens_for_its_citizen_until_it_expires() -> None:
    links = DashboardLinks(SECRET, minutes=30)
    token = links.token("line:U1234567890abcdef", now=NOW)
    citizen, expires = links.open(token, now=NOW + dt.timedelta(minutes=29))
    assert citizen == "line:U1234567890abcdef" and expires == NOW + dt.timedelta(minutes=30)
    with pytest.raises(ExpiredLinkError):
        links.open(token, now=NOW + dt.timedelta(minutes=30))


def test_the_citizen_id_cannot_be_read_from_the_link() -> None:
    token = DashboardLinks(SECRET, minutes=30).token("web:conversation-id-abc", now=NOW)
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert b"web:" not in raw and b"conversation-id" not in raw and "web" not in token


def test_every_changed_character_is_refused() -> None:
    links = DashboardLinks(SECRET, minutes=30)
    token = links.token("line:Uabc", now=NOW)
    for index in range(len(token)):
        changed = token[:index] + ("A" if token[index] != "A" else "B") + token[index + 1 :]
        with pytest.raises(TamperedLinkError):
            links.open(changed, now=NOW)
    for broken in ("", "x", token[:-1], token + "AA", "!" * 40, "A" * 600):
        with pytest.raises(TamperedLinkError):
            links.open(broken, now=NOW)


def test_another_key_and_an_expired_forgery_are_refused_as_not_ours() -> None:
    token = DashboardLinks("another-secret-for-another-gateway", minutes=30).token("line:Uabc", now=NOW)
    with pytest.raises(TamperedLinkError):  # not "expired": nothing about a foreign link is believed
        DashboardLinks(SECRET, minutes=30).open(token, now=NOW + dt.timedelta(days=1))


def test_two_links_for_one_citizen_differ() -> None:
    links = DashboardLinks(SECRET, minutes=30)
    assert links.token("line:Uabc", now=NOW) != links.token("line:Uabc", now=NOW)
