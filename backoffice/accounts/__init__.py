"""Staff accounts: roles and their permissions, passwords, sessions, API tokens and the audit log."""
