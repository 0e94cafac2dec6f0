"""LINE's "บริการของฉัน / My services": the dashboard view (conversation/citizens/dashboard_view.py)
as one Flex bubble, with a button that opens the web dashboard by its signed link.

Each section shows its first few items and says how many more there are; the whole list is on the
web page. A suggested service (one the profile may entitle the citizen to) opens when its line is
tapped. The bubble's words all come from the view or the texts, in the view's language.
"""

from __future__ import annotations

from typing import Any

from linebot.v3.messaging import FlexContainer, FlexMessage

import texts
from channels.line.render import MAX_ALT_TEXT, MAX_DISPLAY_TEXT, clip, postback_data, truncate_label
from texts import Lang

__all__ = ["my_services_bubble", "my_services_message"]

_G = "citizens_dashboard"
_SHOWN = 3
_MAX_URI = 1000


def _text(value: str, **style: Any) -> dict[str, Any]:
    return {"type": "text", "text": value.strip() or "-", "wrap": True, **style}


def _section(lang: Lang, heading: str, lines: list[str], empty: str) -> list[dict[str, Any]]:
    contents = [_text(texts.text(f"{_G}.{heading}", lang), weight="bold", size="sm", margin="lg")]
    if not lines:
        contents.append(_text(texts.text(f"{_G}.{empty}", lang), size="xs", color="#666666"))
    for line in lines[:_SHOWN]:
        contents.append(_text(line, size="xs", color="#333333", maxLines=3))
    if len(lines) > _SHOWN:
        contents.append(_text(texts.text(f"{_G}.more", lang, count=len(lines) - _SHOWN), size="xxs", color="#666666"))
    return contents


def _suggested(view: dict[str, Any], lang: Lang) -> list[dict[str, Any]]:
    """The services the profile may entitle the citizen to, each line opening the service when tapped;
    nothing when there is no profile to go by, unless the citizen may be invited to tell one."""
    suggested = view.get("suggested") or []
    if not suggested and not view.get("suggested_invite") and not view.get("profile"):
        return []
    heading = _text(texts.text(f"{_G}.suggested_heading", lang), weight="bold", size="sm", margin="lg")
    if not suggested:
        empty = "suggested_invite_line" if view.get("suggested_invite") else "suggested_none"
        return [heading, _text(texts.text(f"{_G}.{empty}", lang), size="xs", color="#666666")]
    contents = [heading]
    for item in suggested[:_SHOWN]:
        title = str(item["title"])
        line = f"{title}: {item['standing_text']}"
        action = {
            "type": "postback",
            "label": truncate_label(title),
            "data": postback_data(str(item["open"]), lang),
            "displayText": clip(title, MAX_DISPLAY_TEXT),
        }
        contents.append(_text(line, size="xs", color="#0B5CAD", maxLines=3, action=action))
    if len(suggested) > _SHOWN:
        more = texts.text(f"{_G}.more", lang, count=len(suggested) - _SHOWN)
        contents.append(_text(more, size="xxs", color="#666666"))
    contents.append(_text(texts.text(f"{_G}.suggested_caution", lang), size="xxs", color="#8A4B00", maxLines=3))
    return contents


def my_services_bubble(view: dict[str, Any], link: dict[str, Any] | None) -> dict[str, Any]:
    lang: Lang = "en" if view.get("lang") == "en" else "th"
    body: list[dict[str, Any]] = [
        _text(str(view.get("title") or texts.text(f"{_G}.title", lang)), weight="bold", size="lg")
    ]
    if view.get("nothing_kept"):
        body.append(_text(texts.text(f"{_G}.nothing_kept", lang), size="xs", color="#8A4B00", margin="sm"))
    else:
        saved = [str(item["title"]) for item in view.get("saved") or []]
        body += _section(lang, "saved_heading", saved, "none_saved")
        journeys = [
            f"{item['title']} · {item['progress_text']} · {item['next_text']}" for item in view.get("journeys") or []
        ]
        body += _section(lang, "journeys_heading", journeys, "none_journeys")
        deadlines = [str(item["text"]) for item in view.get("deadlines") or []]
        body += _section(lang, "deadlines_heading", deadlines, "none_deadlines")
        body += _suggested(view, lang)
    reports = [
        texts.text(f"{_G}.report_line", lang, ticket=item["ticket"], type=item["type"], status=item["status_text"])
        for item in view.get("reports") or []
    ]
    body += _section(lang, "reports_heading", reports, "none_reports")
    if not view.get("nothing_kept"):
        reminders = [str(item["due_text"]) for item in view.get("reminders") or []]
        body += _section(lang, "reminders_heading", reminders, "none_reminders")
    bubble: dict[str, Any] = {
        "type": "bubble",
        "size": "mega",
        "body": {"type": "box", "layout": "vertical", "spacing": "xs", "contents": body},
    }
    uri = str((link or {}).get("url") or "")
    if uri.startswith(("https://", "http://")) and len(uri) <= _MAX_URI:
        label = truncate_label(str((link or {}).get("label") or texts.text(f"{_G}.open_button", lang)))
        button = {
            "type": "button",
            "style": "primary",
            "height": "sm",
            "action": {"type": "uri", "label": label, "uri": uri},
        }
        bubble["footer"] = {"type": "box", "layout": "vertical", "contents": [button]}
    return bubble


def my_services_message(message: dict[str, Any]) -> FlexMessage:
    """A ``{"type": "my_services", "view": ..., "link": ...}`` message as a Flex message."""
    view = message.get("view") if isinstance(message.get("view"), dict) else {}
    assert isinstance(view, dict)
    lang: Lang = "en" if view.get("lang") == "en" else "th"
    alt = texts.text(
        f"{_G}.alt",
        lang,
        saved=len(view.get("saved") or []),
        journeys=len(view.get("journeys") or []),
        reports=len(view.get("reports") or []),
    )
    link = message.get("link") if isinstance(message.get("link"), dict) else None
    contents = my_services_bubble(view, link)
    return FlexMessage(alt_text=clip(alt, MAX_ALT_TEXT), contents=FlexContainer.from_dict(contents))
