"""The officers' side of citizens' problem reports (issue 18, docs/reports.md): the queue's JSON API,
status changes with the after-photo, the photos for staff, and the routing table for administrators.
The desk itself is :mod:`conversation.reports`."""
