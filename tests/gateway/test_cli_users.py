"""``citizenbot users ...`` through gateway.cli.main, on a real staff database, with a password on stdin."""

from __future__ import annotations

import io
import json
import os

import pytest

from backoffice.accounts.service import StaffAccounts
from backoffice.accounts.store import StaffStore
from gateway import cli
from gateway.settings import get_settings

PASSWORD = "correct horse battery"


@pytest.fixture
def staff_url(monkeypatch, tmp_path, sql_url):
    for name in list(os.environ):
        if name.upper().startswith("CITIZENBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no .env from the checkout
    monkeypatch.setenv("CITIZENBOT_STORE__STAFF_URL", sql_url)
    get_settings.cache_clear()
    yield sql_url
    get_settings.cache_clear()


def run(monkeypatch, capsys, *argv, stdin=""):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli.main(["users", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_first_administrator_signs_in_with_the_password_from_stdin(staff_url, monkeypatch, capsys):
    code, out, err = run(monkeypatch, capsys, "add", "--role", "admin", "somchai", stdin=PASSWORD + "\n")
    assert (code, out.strip(), err) == (0, "added somchai (admin)", "")
    accounts = StaffAccounts(StaffStore(staff_url))
    try:
        assert accounts.sign_in("somchai", PASSWORD).principal.role == "admin"
        entry = accounts.store.audit_entries(action="user.add")[0]
        assert entry.account.startswith("cli") and entry.target == "somchai"
    finally:
        accounts.close()


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (("add", "--role", "boss", "malee"), PASSWORD, "unknown role 'boss'"),
        (("add", "--role", "editor", "malee"), "too short\n", "at least 12 characters"),
        (("add", "--role", "editor", "malee"), "", "no password on standard input"),
        (("add", "--role", "editor", "Bad Name!"), PASSWORD, "not a valid account name"),
        (("token", "nobody"), "", "no account is named 'nobody'"),
        (("disable", "nobody"), "", "no account is named 'nobody'"),
        (("password", "nobody"), PASSWORD, "no account is named 'nobody'"),
    ],
)
def test_bad_input_exits_2_with_one_line(staff_url, monkeypatch, capsys, argv, stdin, message):
    code, out, err = run(monkeypatch, capsys, *argv, stdin=stdin)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err


def test_a_duplicate_name_exits_2(staff_url, monkeypatch, capsys):
    assert run(monkeypatch, capsys, "add", "--role", "editor", "malee", stdin=PASSWORD)[0] == 0
    code, _, err = run(monkeypatch, capsys, "add", "--role", "admin", "Malee", stdin=PASSWORD)
    assert code == 2 and "'malee' exists already" in err


def test_token_prints_a_working_token_once_and_list_shows_its_prefix_only(staff_url, monkeypatch, capsys):
    run(monkeypatch, capsys, "add", "--role", "editor", "--display-name", "มาลี ใจดี", "malee", stdin=PASSWORD)
    code, out, err = run(monkeypatch, capsys, "token", "malee")
    token = out.strip()
    assert code == 0 and token.startswith("cbt_") and "shown once" in err
    code, out, _ = run(monkeypatch, capsys, "list")
    assert code == 0 and out.startswith("malee\teditor\tactive\t1 token(s)\tมาลี ใจดี")
    code, out, _ = run(monkeypatch, capsys, "list", "--json")
    (row,) = json.loads(out)
    assert row["tokens"] == [token[:12]] and token not in out
    accounts = StaffAccounts(StaffStore(staff_url))
    try:
        assert accounts.token_principal(token).name == "malee"
    finally:
        accounts.close()
    assert run(monkeypatch, capsys, "revoke", "malee")[0] == 0
    code, _, err = run(monkeypatch, capsys, "revoke", "malee")
    assert code == 2 and "no live token" in err


def test_disable_password_unlock_and_sign_out(staff_url, monkeypatch, capsys):
    run(monkeypatch, capsys, "add", "--role", "editor", "malee", stdin=PASSWORD)
    accounts = StaffAccounts(StaffStore(staff_url))
    try:
        signed = accounts.sign_in("malee", PASSWORD)
        assert run(monkeypatch, capsys, "sign-out", "malee")[0] == 0
        assert accounts.session_principal(signed.session_id) is None
        assert run(monkeypatch, capsys, "password", "malee", stdin="another long passphrase\n")[0] == 0
        assert accounts.sign_in("malee", "another long passphrase")
        assert run(monkeypatch, capsys, "unlock", "malee")[0] == 0
        assert run(monkeypatch, capsys, "disable", "malee")[0] == 0
        assert not accounts.account("malee").active
        assert "disabled" in run(monkeypatch, capsys, "list")[1]
    finally:
        accounts.close()


def test_list_with_no_accounts_says_how_to_add_the_first(staff_url, monkeypatch, capsys):
    code, out, _ = run(monkeypatch, capsys, "list")
    assert code == 0 and "citizenbot users add --role admin NAME" in out


def test_at_a_terminal_the_password_is_asked_twice(staff_url, monkeypatch, capsys):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    answers = iter([PASSWORD, PASSWORD + "typo"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    monkeypatch.setattr("sys.stdin", Terminal())
    assert cli.main(["users", "add", "--role", "editor", "malee"]) == 2
    assert "the two passwords differ" in capsys.readouterr().err
    answers = iter([PASSWORD, PASSWORD])
    assert cli.main(["users", "add", "--role", "editor", "malee"]) == 0
