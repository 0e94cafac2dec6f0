"""The embeddable web chat widget: its script, stylesheet and a bilingual demo page.

One ``<script src="https://<gateway>/widget.js" defer></script>`` on any page adds a chat
launcher; the script finds the gateway from its own URL and calls ``POST /api/chat``.
Which other sites may call the API from a browser is CORS, set up in ``gateway.app`` from
``settings.web.allowed_origins``.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

__all__ = ["STATIC_DIR", "router"]

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


@dataclass(frozen=True)
class _Asset:
    body: bytes
    etag: str


@lru_cache(maxsize=16)
def _read(path: Path, mtime_ns: int) -> _Asset:
    # Keyed on mtime too, so an edited file is picked up without a restart.
    body = path.read_bytes()
    return _Asset(body, f'"{hashlib.sha256(body).hexdigest()[:20]}"')


def _asset(name: str) -> _Asset:
    path = STATIC_DIR / name
    return _read(path, path.stat().st_mtime_ns)


def _not_modified(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match", "")
    candidates = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return etag in candidates or "*" in candidates


def _max_age(request: Request) -> int:
    return int(request.app.state.settings.web.asset_max_age_seconds)


def _serve(request: Request, name: str, media_type: str) -> Response:
    asset = _asset(name)
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
    return _serve(request, "widget.js", _JS)


@router.get("/widget.css")
def widget_css(request: Request) -> Response:
    return _serve(request, "widget.css", _CSS)


@router.get("/static/{name}")
def static_file(request: Request, name: str) -> Response:
    media_type = _STATIC_FILES.get(name)
    if media_type is None:
        raise HTTPException(status_code=404)
    return _serve(request, name, media_type)


@router.get("/")
def demo_page(request: Request) -> Response:
    """A bilingual page that embeds the widget with its one script tag and shows that tag."""
    widget_url = f"{str(request.base_url).rstrip('/')}/widget.js"
    page = _asset("demo.html").body.decode("utf-8").replace("{{WIDGET_URL}}", html.escape(widget_url))
    headers = {
        "Cache-Control": "no-cache",
        "Content-Security-Policy": _DEMO_CSP,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
    }
    return Response(page, media_type="text/html; charset=utf-8", headers=headers)
