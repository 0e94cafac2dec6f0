"""``citizenbot users ...``: staff accounts from the command line (the first administrator, tokens).

``add --role ROLE NAME``, ``token NAME``, ``list``, ``disable NAME``, ``password NAME``, and for the
runbook ``unlock NAME``, ``revoke NAME [PREFIX]`` and ``sign-out NAME`` (log out everywhere). A
password comes from a prompt, typed twice, or from standard input when that is not a terminal (one
line, for scripts). Exit codes: 0 done, 2 bad input with one line on stderr (a duplicate name, an
unknown role or user, a short password). The gateway's CLI mounts these with the staff store's URL.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from typing import Any

from backoffice.accounts.roles import ROLES

__all__ = ["add_users_commands"]

StoreUrl = Callable[[], str]


class _BadInputError(Exception):
    """One line for stderr, exit 2."""


def _read_password(prompt: str = "Password: ") -> str:
    stdin = sys.stdin
    if stdin is None or not stdin.isatty():
        line = stdin.readline() if stdin is not None else ""
        password = line.removesuffix("\n").removesuffix("\r")
        if not password:
            raise _BadInputError("no password on standard input (give it as one line)")
        return password
    first = getpass.getpass(prompt)
    if getpass.getpass("The same password again: ") != first:
        raise _BadInputError("the two passwords differ")
    return first


def _run(store_url: StoreUrl, work: Callable[[Any], int]) -> int:
    """Open the staff store, run ``work`` with the accounts service, map bad input to exit 2."""
    from backoffice.accounts.passwords import PasswordRejectedError
    from backoffice.accounts.service import InvalidCredentialsError, StaffAccounts
    from backoffice.accounts.store import AccountExistsError, AccountNotFoundError, StaffStore

    try:
        accounts = StaffAccounts(StaffStore(store_url()))
    except Exception as error:  # an unreachable database or one too new: one line, like `citizenbot migrate`
        print(f"error: {error}", file=sys.stderr)
        return 1
    try:
        return work(accounts)
    except (_BadInputError, PasswordRejectedError, AccountExistsError, InvalidCredentialsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (AccountNotFoundError, ValueError) as error:  # unknown user or role, invalid name
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        accounts.close()


def _by() -> str:
    """Who ran the command, for the audit log: the operating-system user."""
    try:
        return f"cli:{getpass.getuser()}"[:64]
    except Exception:  # no user name in a container without /etc/passwd entry
        return "cli"


def _add(args: argparse.Namespace, store_url: StoreUrl) -> int:
    def work(accounts: Any) -> int:
        from backoffice.accounts.roles import parse_role
        from backoffice.accounts.service import normalise_name

        name, role = normalise_name(args.name), parse_role(args.role)  # before asking for a password
        if accounts.store.account(name) is not None:
            raise _BadInputError(f"an account named {name!r} exists already")
        account = accounts.add_account(name, role, _read_password(), display_name=args.display_name, by=_by())
        print(f"added {account.name} ({account.role})")
        return 0

    return _run(store_url, work)


def _token(args: argparse.Namespace, store_url: StoreUrl) -> int:
    def work(accounts: Any) -> int:
        token = accounts.issue_token(args.name, by=_by())
        print(token)
        print("This token is shown once; only its hash is kept. Store it now.", file=sys.stderr)
        return 0

    return _run(store_url, work)


def _list(args: argparse.Namespace, store_url: StoreUrl) -> int:
    def work(accounts: Any) -> int:
        rows = []
        for account in accounts.store.accounts():
            tokens = [t for t in accounts.store.tokens_of(account.id) if t.revoked_at is None]
            rows.append(
                {
                    "name": account.name,
                    "display_name": account.display_name,
                    "role": account.role,
                    "active": account.active,
                    "locked": accounts.is_locked(account),
                    "tokens": [t.prefix for t in tokens],
                    "created_at": account.created_at.isoformat(),
                }
            )
        if args.json:
            print(json.dumps(rows, ensure_ascii=False))
            return 0
        if not rows:
            print("no staff accounts yet: add one with `citizenbot users add --role admin NAME`")
        for row in rows:
            state = "active" if row["active"] else "disabled"
            if row["locked"]:
                state += ", locked"
            print(f"{row['name']}\t{row['role']}\t{state}\t{len(row['tokens'])} token(s)\t{row['display_name']}")
        return 0

    return _run(store_url, work)


def _simple(action: str) -> Callable[[argparse.Namespace, StoreUrl], int]:
    def command(args: argparse.Namespace, store_url: StoreUrl) -> int:
        def work(accounts: Any) -> int:
            by = _by()
            if action == "disable":
                accounts.disable(args.name, by=by)
                print(f"disabled {args.name}: its sessions ended and its tokens were revoked")
            elif action == "unlock":
                accounts.unlock(args.name, by=by)
                print(f"unlocked {args.name}")
            elif action == "sign-out":
                accounts.sign_out_everywhere(args.name, by=by)
                print(f"signed {args.name} out everywhere")
            elif action == "password":
                account = accounts.account(args.name)  # an unknown user fails before the prompt
                accounts.set_password(account.name, _read_password("New password: "), by=by)
                print(f"changed the password of {account.name}; its sessions ended")
            elif action == "revoke":
                revoked = accounts.revoke_tokens(args.name, args.prefix, by=by)
                if not revoked:
                    raise _BadInputError(
                        f"{args.name} has no live token" + (f" starting {args.prefix!r}" if args.prefix else "")
                    )
                print(f"revoked {', '.join(revoked)}")
            return 0

        return _run(store_url, work)

    return command


def add_users_commands(commands: Any, store_url: StoreUrl) -> None:
    """Add ``users`` and its actions to the CLI's sub-parsers; ``store_url`` gives the staff store's URL."""
    users = commands.add_parser("users", help="staff accounts of the back office: add, tokens, list, disable")
    actions = users.add_subparsers(dest="action", required=True)

    def handler(command: Callable[[argparse.Namespace, StoreUrl], int]) -> Callable[[argparse.Namespace], int]:
        return lambda args: command(args, store_url)

    add = actions.add_parser("add", help="add an account; the password is asked twice, or read from stdin")
    add.add_argument("--role", required=True, help=f"one of: {', '.join(ROLES)}")
    add.add_argument("--display-name", default=None, help="the name people see (Thai is fine); default NAME")
    add.add_argument("name", metavar="NAME")
    add.set_defaults(handler=handler(_add))

    token = actions.add_parser("token", help="print a new API token of the account (shown once)")
    token.add_argument("name", metavar="NAME")
    token.set_defaults(handler=handler(_token))

    listing = actions.add_parser("list", help="list the accounts")
    listing.add_argument("--json", action="store_true", help="print the accounts as JSON")
    listing.set_defaults(handler=handler(_list))

    for name, text in (
        ("disable", "disable the account: no sign-in, its sessions end, its tokens are revoked"),
        ("password", "set a new password (asked twice, or read from stdin); its sessions end"),
        ("unlock", "lift a lock-out after too many wrong passwords"),
        ("sign-out", "log the account out everywhere (every session on every device)"),
    ):
        parser = actions.add_parser(name, help=text)
        parser.add_argument("name", metavar="NAME")
        parser.set_defaults(handler=handler(_simple(name)))

    revoke = actions.add_parser("revoke", help="revoke the account's API tokens (those starting with PREFIX)")
    revoke.add_argument("name", metavar="NAME")
    revoke.add_argument(
        "prefix", metavar="PREFIX", nargs="?", default=None, help="as `users list` shows; all if omitted"
    )
    revoke.set_defaults(handler=handler(_simple("revoke")))
