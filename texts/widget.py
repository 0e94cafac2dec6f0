"""The web widget's words, exported for the gateway to hand to ``widget.js`` when it serves it."""

from __future__ import annotations

from nlu.language import Lang
from texts.table import LANGUAGES, table

__all__ = ["widget_strings"]

_SUGGESTION = "suggestion_"
_PRIVACY = "privacy"


def widget_strings() -> dict[Lang, dict[str, str | list[str]]]:
    """Per language: every ``widget.*`` entry by its key, the example questions as one list
    ``suggestions`` (in table order), the privacy notice (``privacy.*`` as ``privacy_<key>``),
    the card words it shares with the actions and LINE, and the hand-off's "request cancelled".

    Texts keep their ``{placeholders}``: the widget fills them (a count, a date) itself."""
    entries = table()
    strings: dict[Lang, dict[str, str | list[str]]] = {}
    for lang in LANGUAGES:
        words: dict[str, str | list[str]] = {}
        suggestions: list[str] = []
        for key, entry in entries.items():
            group, _, name = key.partition(".")
            if group != "widget":
                continue
            if name.startswith(_SUGGESTION):
                suggestions.append(entry[lang])
            else:
                words[name] = entry[lang]
        words["suggestions"] = suggestions
        for key, entry in entries.items():  # the privacy notice (its days filled by the widget)
            group, _, name = key.partition(".")
            if group == _PRIVACY:
                words[f"privacy_{name}"] = entry[lang]
        words["documents"] = entries["answers.documents"][lang]
        words["reviewed"] = entries["card.reviewed"][lang]
        words["unchecked"] = entries["card.unchecked"][lang]
        # Shown by the widget itself when its cancel button (POST /api/chat/handoff/cancel) worked.
        words["handoff_cancelled"] = entries["handoff.cancelled"][lang]
        strings[lang] = words
    return strings
