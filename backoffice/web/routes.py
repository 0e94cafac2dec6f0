"""The back office's pages and their static files, in one router the gateway mounts."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.staticfiles import StaticFiles

from backoffice.web import (
    analytics_pages,
    catalogue_pages,
    inbox_pages,
    journey_pages,
    new_service_pages,
    report_pages,
    session_pages,
)
from backoffice.web.forms import MAX_FORM_BYTES
from backoffice.web.pages import too_large_page

__all__ = ["FORM_BODY_LIMITS", "STATIC_DIR", "router", "static_files", "too_large_page"]

STATIC_DIR = Path(__file__).parent / "static"
# Largest form body per page prefix: an edited service, or the whole catalogue pasted into the import form.
FORM_BODY_LIMITS = {
    "/admin/catalogue": 1024 * 1024,
    "/admin/catalogue-new": 1024 * 1024,
    "/admin/catalogue-import": MAX_FORM_BYTES,
    "/admin/journeys": 256 * 1024,  # a journey of up to 20 steps, as /api/admin/journeys takes
}

router = APIRouter()
router.include_router(session_pages.router)
router.include_router(catalogue_pages.router)
router.include_router(new_service_pages.router)
router.include_router(analytics_pages.router)
router.include_router(inbox_pages.router)
router.include_router(report_pages.router)  # /admin/reports...: problem reports and the routing table
router.include_router(journey_pages.router)  # /admin/journeys...: the life-event journeys


def static_files() -> StaticFiles:
    """The vendored stylesheet and script, served at ``/admin/static`` (no CDN, no build step)."""
    return StaticFiles(directory=STATIC_DIR)
