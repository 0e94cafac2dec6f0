"""The hand-off desk (issue 16): officers take over a citizen's conversation and hand it back.

- :mod:`~conversation.handoff.store`: requests, their messages, officers' presence (SQL);
- :mod:`~conversation.handoff.desk`: take, reply, forward, release, close, cancel; holding a
  conversation's turns while an officer has it; notices to the citizen; the figures;
- :mod:`~conversation.handoff.working_hours` and :mod:`~conversation.handoff.settings`: when
  officers are there; :mod:`~conversation.handoff.sweeper`: the pick-up time-out.

The inbox's API is backoffice/inbox, the widget's channels/web/handoff_api.py (docs/handoff.md).
"""
