"""Delivery channels: the web chat (API and widget) and LINE; each renders the
gateway's channel-neutral messages in its own way."""
