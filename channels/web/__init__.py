"""The web channel: the JSON chat API (and, later, the embeddable widget)."""
