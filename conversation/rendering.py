"""Turning Rasa's REST replies into the gateway's channel-neutral messages.

Message shapes (the web widget and LINE render these):
``{"type": "text", "text": ...}``,
``{"type": "card", "card": {...}}`` (see ``actions.service_answer.service_card``),
``{"type": "quick_replies", "text": ..., "options": [{"label": ..., "payload": ...}]}``,
``{"type": "journey", "journey": {...}}`` (a life event's steps: ``actions.journey_answer.journey_payload``,
with the citizen's progress and the buttons' commands added by conversation/citizens/journey_view.py).
"""

from __future__ import annotations

from typing import Any

from texts import MAX_QUICK_REPLIES

__all__ = ["MAX_QUICK_REPLIES", "render_rasa_messages"]


def render_rasa_messages(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    for item in raw:
        custom = item.get("custom")
        if isinstance(custom, dict) and custom.get("type") == "service_card":
            messages.append({"type": "card", "card": custom})
            continue
        if isinstance(custom, dict) and custom.get("type") == "journey":
            messages.append({"type": "journey", "journey": custom})
            continue
        text = item.get("text")
        buttons = item.get("buttons") or []
        if buttons:
            options = [
                {"label": str(b.get("title", ""))[:80], "payload": str(b.get("payload", b.get("title", "")))}
                for b in buttons[:MAX_QUICK_REPLIES]
                if b.get("title")
            ]
            messages.append({"type": "quick_replies", "text": text, "options": options})
        elif text:
            messages.append({"type": "text", "text": text})
        elif item.get("image"):
            messages.append({"type": "image", "url": item["image"]})
    return messages
