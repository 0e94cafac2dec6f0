"""The permission table: what each role may do, pinned so a change is a decision, not an accident."""

from __future__ import annotations

import pytest

from backoffice.accounts.roles import PERMISSIONS, ROLES, can, parse_role, permissions_of


def test_the_roles_and_their_permissions():
    assert set(ROLES) == {"admin", "editor", "reviewer", "agent", "analyst"}
    assert permissions_of("admin") == list(PERMISSIONS)  # the administrator may do everything
    assert permissions_of("editor") == ["edit"]
    assert permissions_of("reviewer") == ["edit", "publish", "rollback", "import_export"]
    assert permissions_of("agent") == ["handoff", "reports"]
    assert permissions_of("analyst") == ["analytics"]


def test_only_the_administrator_manages_users_and_an_unknown_role_may_do_nothing():
    assert [role for role in ROLES if can(role, "manage_users")] == ["admin"]
    assert [role for role in ROLES if can(role, "reports_routes")] == ["admin"]  # the routing table
    assert [role for role in ROLES if can(role, "reports")] == ["admin", "agent"]
    assert not any(can("intern", permission) for permission in PERMISSIONS)


def test_parse_role_takes_the_long_name_and_names_the_known_roles():
    assert parse_role("Administrator") == "admin"
    assert parse_role(" reviewer ") == "reviewer"
    with pytest.raises(ValueError, match="unknown role 'boss'; known roles: admin, editor, reviewer, agent, analyst"):
        parse_role("boss")
