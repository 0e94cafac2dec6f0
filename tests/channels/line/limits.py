"""LINE's documented message limits, checked on the JSON we send, plus an SDK round trip.

The SDK's models do not enforce most limits (an empty Flex text or a 30-character
label passes them), and LINE rejects such a message with a 400 at send time.
"""

from __future__ import annotations

from typing import Any

from linebot.v3.messaging import FlexContainer, Message

from channels.line.render import graphemes, utf16_len


def check_message(message: dict[str, Any]) -> None:
    """Raise AssertionError naming the first limit ``message`` breaks."""
    parsed = Message.from_dict(message)
    assert parsed.to_dict() == message, "the SDK does not round-trip this message"
    kind = message["type"]
    if kind == "text":
        assert message["text"].strip(), "empty text"
        assert utf16_len(message["text"]) <= 5000, "text over 5000 UTF-16 units"
    elif kind == "flex":
        assert 0 < len(message["altText"]) <= 400, "altText must be 1..400 characters"
        container = FlexContainer.from_dict(message["contents"])
        assert container.to_dict() == message["contents"]
        if message["contents"]["type"] == "carousel":
            assert 1 <= len(message["contents"]["contents"]) <= 12, "a carousel holds 1..12 bubbles"
        _walk(message["contents"])
    elif kind == "location":
        assert len(message["title"]) <= 100 and len(message["address"]) <= 100
    quick = message.get("quickReply")
    if quick:
        assert 1 <= len(quick["items"]) <= 13, f"{len(quick['items'])} quick replies"
        for item in quick["items"]:
            _check_action(item["action"])


def check_request(body: dict[str, Any]) -> None:
    assert 1 <= len(body["messages"]) <= 5, f"{len(body['messages'])} messages in one request"
    for message in body["messages"]:
        check_message(message)


def _walk(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "text":
            assert str(node.get("text", "")).strip(), "empty Flex text component"
        if node.get("type") == "button":
            _check_action(node["action"])
        for value in node.values():
            _walk(value)
    elif isinstance(node, list):
        for value in node:
            _walk(value)


def _check_action(action: dict[str, Any]) -> None:
    label = action.get("label")
    if label is not None:
        assert 1 <= len(graphemes(label)) <= 20, f"label {label!r} is over 20 characters"
    if action["type"] == "postback":
        assert utf16_len(action["data"]) <= 300, "postback data over 300 characters"
        if "displayText" in action:
            assert 1 <= utf16_len(action["displayText"]) <= 300
    if action["type"] == "uri":
        assert action["uri"].startswith(("https://", "http://", "tel:")) and len(action["uri"]) <= 1000
