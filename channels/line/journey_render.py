"""A journey message (conversation/citizens/journey_view.py) as a LINE Flex carousel.

The first bubble tells the journey: its title, summary, progress ("ทำแล้ว 2 จาก 5 ขั้นตอน"), the day
its deadlines count from (or a button to say it) and the next step. Then one bubble per step: its
number, the service, the deadline with its due date, why, whether it is done, and two buttons: open
the service (the same payload as the catalogue's quick replies) and "ทำแล้ว / Done" ("ยังไม่ได้ทำ /
Not done" once done), which sends the tick's command. A carousel holds at most 12 bubbles, so a
longer journey goes on in a second carousel. Everything the bubbles say comes written in the
message (texts/groups/citizens_journeys.yml); this module only draws it within LINE's limits.
"""

from __future__ import annotations

from typing import Any

from linebot.v3.messaging import FlexContainer, FlexMessage, PostbackAction

from channels.line.render import MAX_ALT_TEXT, MAX_BUBBLES, clip, postback_data, truncate_label
from texts import Lang

__all__ = ["journey_bubbles", "journey_messages"]

_MAX_DISPLAY_TEXT = 300
_DONE_COLOUR = "#1B7F3B"
_NEXT_COLOUR = "#1D4ED8"
_LATE_COLOUR = "#B91C1C"
_NOTE_COLOUR = "#B45309"
_QUIET = "#666666"


def _text(value: object, **style: Any) -> dict[str, Any]:
    return {"type": "text", "text": str(value or "").strip() or "-", "wrap": True, **style}


def _button(label: object, command: object, lang: Lang, display: object = None, **style: Any) -> dict[str, Any] | None:
    said = str(command or "").strip()
    shown = str(label or "").strip()
    if not said or not shown:
        return None
    action = PostbackAction(
        label=truncate_label(shown),
        data=postback_data(said, lang),
        display_text=clip(str(display or shown), _MAX_DISPLAY_TEXT),
    )
    return {"type": "button", "height": "sm", "action": action.to_dict(), **style}


def _footer(buttons: list[dict[str, Any] | None]) -> dict[str, Any] | None:
    shown = [button for button in buttons if button is not None]
    return {"type": "box", "layout": "vertical", "spacing": "sm", "contents": shown} if shown else None


def _bubble(body: list[dict[str, Any]], footer: dict[str, Any] | None) -> dict[str, Any]:
    bubble: dict[str, Any] = {
        "type": "bubble",
        "size": "kilo",
        "body": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": body},
    }
    if footer is not None:
        bubble["footer"] = footer
    return bubble


def _overview(journey: dict[str, Any], lang: Lang) -> dict[str, Any]:
    labels = journey.get("labels") or {}
    commands = journey.get("commands") or {}
    body = [
        _text(journey.get("title"), weight="bold", size="lg", maxLines=3),
        _text(journey.get("summary"), size="sm", color=_QUIET, maxLines=5),
        {"type": "separator", "margin": "md"},
        _text(journey.get("progress_text"), weight="bold", size="md", margin="md"),
    ]
    when = journey.get("event_date_text") or journey.get("date_hint")
    if when:
        body.append(_text(when, size="xs", color=_QUIET))
    if journey.get("next_text"):
        body.append(_text(journey["next_text"], size="sm", color=_NEXT_COLOUR, maxLines=3))
    if journey.get("unchecked_note"):
        body.append(_text("⚠️ " + str(journey["unchecked_note"]), size="xxs", color=_NOTE_COLOUR, margin="md"))
    start = None if journey.get("event_date") else _button(labels.get("start"), commands.get("start"), lang)
    mine = _button(labels.get("my_journeys"), commands.get("my_journeys"), lang, style="link")
    return _bubble(body, _footer([start, mine]))


def _step(step: dict[str, Any], lang: Lang, badge: str) -> dict[str, Any]:
    labels = step.get("labels") or {}
    commands = step.get("commands") or {}
    done = bool(step.get("done"))
    state = f"✓ {step.get('state_text') or ''}" if done else str(step.get("state_text") or "")
    head: list[dict[str, Any]] = [
        _text(step.get("number_text"), size="xs", color=_QUIET, flex=0),
        _text(state, size="xs", color=_DONE_COLOUR if done else _QUIET, align="end"),
    ]
    body: list[dict[str, Any]] = [
        {"type": "box", "layout": "horizontal", "contents": head},
        _text(step.get("title"), weight="bold", size="md", maxLines=3),
    ]
    if step.get("next") and badge:
        body.append(_text(f"➜ {badge}", size="xs", weight="bold", color=_NEXT_COLOUR))
    deadline = step.get("deadline") if isinstance(step.get("deadline"), dict) else None
    if deadline is not None:
        said = str(deadline.get("text") or "") + ("*" if step.get("unverified") else "")
        if step.get("due_text"):
            said = f"{said} · {step['due_text']}"
        body.append(_text(said, size="sm", color=_LATE_COLOUR if step.get("overdue") else _NOTE_COLOUR))
    body.append(_text(step.get("why"), size="sm", color=_QUIET, maxLines=6))
    toggle = _button(
        labels.get("toggle"),
        commands.get("toggle"),
        lang,
        display=labels.get("toggle_long"),
        style="secondary" if done else "primary",
    )
    opened = _button(labels.get("open"), commands.get("open"), lang, display=step.get("title"), style="link")
    return _bubble(body, _footer([toggle, opened]))


def journey_bubbles(journey: dict[str, Any]) -> list[dict[str, Any]]:
    """The overview bubble, then one bubble per step, in order."""
    lang: Lang = "en" if journey.get("lang") == "en" else "th"
    badge = str((journey.get("labels") or {}).get("next_badge") or "")
    steps = [step for step in journey.get("steps") or [] if isinstance(step, dict)]
    return [_overview(journey, lang), *(_step(step, lang, badge) for step in steps)]


def journey_messages(journey: dict[str, Any]) -> list[FlexMessage]:
    """The journey as Flex carousels of at most 12 bubbles (a journey has up to 20 steps: two)."""
    bubbles = journey_bubbles(journey)
    alt = clip(str(journey.get("alt_text") or journey.get("title") or "-"), MAX_ALT_TEXT)
    return [
        FlexMessage(
            alt_text=alt,
            contents=FlexContainer.from_dict({"type": "carousel", "contents": bubbles[start : start + MAX_BUBBLES]}),
        )
        for start in range(0, len(bubbles), MAX_BUBBLES)
    ]
