"""Who may do what in the back office: one table of roles and their permissions.

The roles are the people of the agency (issue 15): the administrator runs the accounts, editors
write drafts, reviewers publish them (someone other than the author) and roll back, agents work
the hand-off inbox and the problem reports' queue, analysts read the figures. Kept as one literal
table so a reader sees every grant at once and a test can pin it.
"""

from __future__ import annotations

from typing import Literal, cast, get_args

__all__ = [
    "PERMISSIONS",
    "ROLES",
    "ROLE_ALIASES",
    "Permission",
    "Role",
    "can",
    "parse_role",
    "permissions_of",
]

Role = Literal["admin", "editor", "reviewer", "agent", "analyst"]
Permission = Literal[
    "edit", "publish", "rollback", "manage_users", "analytics", "handoff", "import_export", "reports", "reports_routes"
]

ROLES: tuple[Role, ...] = get_args(Role)
PERMISSIONS: tuple[Permission, ...] = get_args(Permission)
ROLE_ALIASES: dict[str, Role] = {"administrator": "admin"}

# What each permission covers: edit = write drafts of services; publish = review and publish a draft;
# rollback = restore an earlier version; manage_users = accounts, roles and tokens; analytics = read the
# figures; handoff = work the hand-off inbox; import_export = the whole catalogue in or out at once;
# reports = work the citizens' problem reports (read, photos, status); reports_routes = edit the routing
# table that decides which organisation a report goes to (it redirects every future report: admin only).
# role -> what it may do. The administrator may do everything.
_GRANTS: dict[Role, frozenset[Permission]] = {
    "admin": frozenset(PERMISSIONS),
    "editor": frozenset({"edit"}),
    "reviewer": frozenset({"edit", "publish", "rollback", "import_export"}),
    "agent": frozenset({"handoff", "reports"}),
    "analyst": frozenset({"analytics"}),
}


def can(role: str, permission: Permission) -> bool:
    """True when ``role`` grants ``permission``; an unknown role grants nothing."""
    return permission in _GRANTS.get(cast(Role, role), frozenset())


def permissions_of(role: str) -> list[Permission]:
    """The role's permissions in the table's order (for ``/admin/api/me`` and the UI)."""
    return [permission for permission in PERMISSIONS if can(role, permission)]


def parse_role(value: str) -> Role:
    """A role from what an operator typed (``admin`` or ``administrator``); ValueError names the known ones."""
    name = value.strip().lower()
    name = ROLE_ALIASES.get(name, name)
    for role in ROLES:
        if role == name:
            return role
    raise ValueError(f"unknown role {value!r}; known roles: {', '.join(ROLES)}")
