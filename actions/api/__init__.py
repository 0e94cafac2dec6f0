"""Clients of systems outside the bot, each behind an interface (see STYLE.md)."""
