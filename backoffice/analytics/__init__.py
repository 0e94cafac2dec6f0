"""The back office's analytics: figures from the per-turn event record (conversation/turn_events.py).

``filters`` reads the date range, channel and language every figure is filtered by; ``queries``
computes the figures; ``grouping`` groups the unanswered messages by similarity; ``examples``
turns an unanswered message into an example question of a service; ``csv_export`` writes the
tables for spreadsheets; ``api`` serves all of it under ``/admin/api/analytics`` (docs/analytics.md).
"""
