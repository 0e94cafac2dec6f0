"""The embeddable web chat widget: its script, stylesheet and a bilingual demo page.

One ``<script src="https://<gateway>/widget.js" defer></script>`` on any page adds a chat
launcher; the script finds the gateway from its own URL and calls ``POST /api/chat``.
Which other sites may call the API from a browser is CORS, set up in ``gateway.app`` from
``settings.web.allowed_origins``.

The script carries no wording or limits of its own: the gateway writes them into it as it
serves it (the widget's texts from :mod:`texts`, the message limit from its settings), so
the widget and the API can never disagree.
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from channels.web.settings import WebSettings
from texts import text, widget_strings

__all__ = ["CONFIG_PLACEHOLDER", "STATIC_DIR", "WidgetHostSettings", "privacy_config", "router", "widget_config"]

STATIC_DIR = Path(__file__).resolve().parent / "static"

router = APIRouter(include_in_schema=False)

# Served by name only: nothing from the URL ever becomes a filesystem path.
_STATIC_FILES = {"demo.css": "text/css; charset=utf-8"}
_JS = "text/javascript; charset=utf-8"
_CSS = "text/css; charset=utf-8"

# The demo page loads only what the gateway serves; the widget's fetch is same-origin there.
_DEMO_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


# Where widget.js takes its configuration; the gateway puts a JSON object in its place.
CONFIG_PLACEHOLDER = "/*{{WIDGET_CONFIG}}*/ null"


class _MessageLimits(Protocol):
    @property
    def max_message_chars(self) -> int: ...


class _Retention(Protocol):
    """How long the server keeps each kind of record, in days (the gateway's privacy settings)."""

    @property
    def handoff_days(self) -> int: ...

    @property
    def feedback_days(self) -> int: ...

    @property
    def conversation_days(self) -> int: ...

    @property
    def analytics_days(self) -> int: ...


class _PhotoLimit(Protocol):
    @property
    def photo_max_bytes(self) -> int: ...


class WidgetHostSettings(Protocol):
    """What these routes read of the gateway's settings (``app.state.settings``): it is there
    from the start, so the static files need no runtime (Rasa client, catalogue)."""

    @property
    def web(self) -> WebSettings: ...

    @property
    def gateway(self) -> _MessageLimits: ...

    @property
    def privacy(self) -> _Retention: ...

    @property
    def reports(self) -> _PhotoLimit: ...


@dataclass(frozen=True)
class _Asset:
    body: bytes
    etag: str

    @classmethod
    def of(cls, body: bytes) -> _Asset:
        # The ETag is the body's hash: whatever changes what is served changes the tag.
        return cls(body, f'"{hashlib.sha256(body).hexdigest()[:20]}"')


@lru_cache(maxsize=16)
def _read(path: Path, mtime_ns: int) -> _Asset:
    # Keyed on mtime too, so an edited file is picked up without a restart.
    return _Asset.of(path.read_bytes())


def _asset(name: str) -> _Asset:
    path = STATIC_DIR / name
    return _read(path, path.stat().st_mtime_ns)


def _host_settings(request: Request) -> WidgetHostSettings:
    settings: WidgetHostSettings = request.app.state.settings
    return settings


def privacy_config(web: WebSettings, retention: _Retention) -> dict[str, object]:
    """What the privacy notice says in numbers, from the settings (never written into the texts)."""
    return {
        "keep_days": web.keep_history_days,
        "conversation_days": retention.conversation_days,
        "handoff_days": retention.handoff_days,
        "feedback_days": retention.feedback_days,
        "analytics_days": retention.analytics_days,
        "policy_url": web.privacy_policy_url,
    }


def widget_config(
    max_message_chars: int, privacy: dict[str, object] | None = None, photo_max_bytes: int | None = None
) -> dict[str, object]:
    """What widget.js is told: its words in Thai and English, the longest message the API takes,
    the privacy notice's numbers (without them: no notice, and no "keep on this device" choice), and
    the largest report photo the upload takes (checked before sending)."""
    config: dict[str, object] = {
        "max_message_chars": max_message_chars,
        "strings": widget_strings(),
        "privacy": privacy,
    }
    if photo_max_bytes is not None:
        config["photo_max_bytes"] = photo_max_bytes
    return config


def _as_script(config: dict[str, object]) -> str:
    encoded = json.dumps(config, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # JSON allows the two line separators in strings; older JavaScript engines do not.
    return encoded.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


@lru_cache(maxsize=8)
def _configured_script(template: _Asset, config: str) -> _Asset:
    source = template.body.decode("utf-8")
    if source.count(CONFIG_PLACEHOLDER) != 1:
        raise RuntimeError(f"widget.js must contain {CONFIG_PLACEHOLDER!r} exactly once")
    return _Asset.of(source.replace(CONFIG_PLACEHOLDER, config).encode("utf-8"))


def _widget_script(request: Request) -> _Asset:
    settings = _host_settings(request)
    config = widget_config(
        settings.gateway.max_message_chars,
        privacy_config(settings.web, settings.privacy),
        settings.reports.photo_max_bytes,
    )
    return _configured_script(_with_journeys(_asset("journey.js"), _asset("widget.js")), _as_script(config))


@lru_cache(maxsize=8)
def _with_journeys(journey: _Asset, widget: _Asset) -> _Asset:
    """widget.js with the journey stepper (journey.js) in front of it: one file for the host page to load."""
    return _Asset.of(journey.body + b"\n" + widget.body)


def _not_modified(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match", "")
    candidates = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return etag in candidates or "*" in candidates


def _max_age(request: Request) -> int:
    return _host_settings(request).web.asset_max_age_seconds


def _serve(request: Request, asset: _Asset, media_type: str) -> Response:
    headers = {
        # The embed URL carries no version, so a short max-age plus ETag revalidation lets a
        # new widget reach every site within minutes while repeat loads cost a 304.
        "Cache-Control": f"public, max-age={_max_age(request)}",
        "ETag": asset.etag,
        "X-Content-Type-Options": "nosniff",
        # Other sites load these files; pages with Cross-Origin-Embedder-Policy need this.
        "Cross-Origin-Resource-Policy": "cross-origin",
    }
    if _not_modified(request, asset.etag):
        return Response(status_code=304, headers=headers)
    return Response(asset.body, media_type=media_type, headers=headers)


@router.get("/widget.js")
def widget_js(request: Request) -> Response:
    return _serve(request, _widget_script(request), _JS)


@router.get("/widget.css")
def widget_css(request: Request) -> Response:
    return _serve(request, _asset("widget.css"), _CSS)


@router.get("/static/{name}")
def static_file(request: Request, name: str) -> Response:
    media_type = _STATIC_FILES.get(name)
    if media_type is None:
        raise HTTPException(status_code=404)
    return _serve(request, _asset(name), media_type)


@router.get("/")
def demo_page(request: Request) -> Response:
    """A bilingual page that embeds the widget with its one script tag and shows that tag."""
    widget_url = f"{str(request.base_url).rstrip('/')}/widget.js"
    page = _asset("demo.html").body.decode("utf-8").replace("{{WIDGET_URL}}", html.escape(widget_url))
    settings = _host_settings(request)
    for name, value in _privacy_notice(privacy_config(settings.web, settings.privacy)).items():
        page = page.replace("{{" + name + "}}", value)
    headers = {
        "Cache-Control": "no-cache",
        "Content-Security-Policy": _DEMO_CSP,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
    }
    return Response(page, media_type="text/html; charset=utf-8", headers=headers)


def _privacy_notice(values: dict[str, object]) -> dict[str, str]:
    """The demo page's privacy notice as HTML, per placeholder: the widget's own sentences, filled
    with the settings' days, and the link to the agency's policy when one is set."""
    filled: dict[str, str] = {}
    for lang in ("th", "en"):
        sentences = (text(f"privacy.{part}", lang, **values) for part in ("device", "server"))
        filled[f"PRIVACY_{lang.upper()}"] = html.escape(" ".join(sentences))
    url = values.get("policy_url")
    links = [
        f'<a href="{html.escape(str(url))}" lang="{lang}">{html.escape(text("privacy.policy", lang))}</a>'
        for lang in ("th", "en")
    ]
    filled["PRIVACY_POLICY"] = f"<p>{' · '.join(links)}</p>" if url else ""
    return filled
