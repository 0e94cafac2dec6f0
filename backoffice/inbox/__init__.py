"""The agent inbox's JSON API: officers take citizens' hand-off requests, answer and hand back
(issue 16, docs/handoff.md). The desk itself is :mod:`conversation.handoff`."""
