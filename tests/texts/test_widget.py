"""The widget's words as the gateway hands them to widget.js."""

from __future__ import annotations

from texts import widget_strings
from texts.table import table


def test_both_languages_have_the_same_words_for_the_widget():
    strings = widget_strings()
    assert set(strings) == {"th", "en"}
    assert set(strings["th"]) == set(strings["en"])
    widget_keys = {key.removeprefix("widget.") for key in table() if key.startswith("widget.")}
    assert {key for key in widget_keys if not key.startswith("suggestion_")} <= set(strings["en"])


def test_examples_come_as_one_list_and_card_words_are_shared_with_line_and_the_actions():
    en = widget_strings()["en"]
    assert en["suggestions"] == ["How do I renew my passport?", "Renew my ID card", "Register a birth"]
    assert en["documents"] == table()["answers.documents"]["en"]
    assert en["reviewed"] == "Last checked {date}"  # the widget fills in the date itself
    assert en["unchecked"] == table()["card.unchecked"]["en"]  # a card whose facts nobody checked yet
    assert widget_strings()["th"]["counter"] == "{count}/{limit} ตัวอักษร"
