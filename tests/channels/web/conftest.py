"""The widget's browser tests use the session-scoped ``browser`` fixture of tests/conftest.py (one
Debian Chromium shared by the whole suite)."""
