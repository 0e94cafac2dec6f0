"""The LINE Official Account channel: webhook, event handling, Flex rendering, rich menu.

Import :mod:`channels.line.webhook` for the router; the LINE SDK itself is loaded
only when the gateway starts with LINE configured (or the rich-menu command runs).
"""
