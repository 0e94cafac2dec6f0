"""The gateway application: ``create_app(settings)`` builds it, uvicorn serves it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware

from backoffice.accounts import api as staff_api
from backoffice.analytics import api as analytics_api
from backoffice.inbox import api as inbox_api
from backoffice.reports import api as reports_api
from backoffice.reports.status import upload_body_limits
from backoffice.web import routes as admin_pages
from channels.line import webhook as line_webhook
from channels.web import (
    chat_api,
    handoff_api,
    reminder_notices_api,  # reminders helper (issue 17)
    report_notices_api,
    report_photo_api,
    widget,
)
from channels.web import dashboard as citizen_dashboard  # dashboard helper (issue 17)
from conversation.handoff.sweeper import sweep_forever
from gateway.api import actions_endpoint, editor, editor_journeys, health, privacy, report_status, traffy_webhook
from gateway.reminder_jobs import ReminderJobs
from gateway.report_jobs import ReportJobs
from gateway.runtime import Runtime
from gateway.settings import Settings, get_settings
from http_api.body_limit import BodyLimitMiddleware
from http_api.errors import ApiError, api_error_handler, validation_error_handler
from http_api.rate_limits import TooManyRequestsError, too_many_requests_handler
from nlu.pii import install_log_masking

__all__ = ["create_app"]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per Rasa call is noise
    install_log_masking()  # no national ID, phone or e-mail in any log record (nlu/pii.py)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime.create(settings)
        app.state.runtime = runtime
        runtime.start()
        sweeper = asyncio.create_task(sweep_forever(runtime.handoff_desk)) if runtime.handoff_desk else None
        report_jobs = ReportJobs(app, runtime)  # notices to citizens, and the optional Traffy Fondue forwarder
        report_jobs.start()
        reminder_jobs = ReminderJobs(app, runtime)  # citizens' reminders at their time (conversation/citizens)
        reminder_jobs.start()
        yield
        await reminder_jobs.stop()
        await report_jobs.stop()
        if sweeper is not None:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
        await runtime.aclose()

    app = FastAPI(
        title="Citizen service assistant gateway",
        summary="Bilingual Thai/English assistant for Thai government services",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.add_exception_handler(ApiError, api_error_handler)  # type: ignore[arg-type]
    app.add_exception_handler(TooManyRequestsError, too_many_requests_handler)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, validation_error_handler)  # type: ignore[arg-type]
    app.include_router(chat_api.router)
    app.include_router(handoff_api.router)  # /api/chat/handoff: the widget's view of a hand-off
    app.include_router(report_notices_api.router)  # /api/chat/reports/notices: the widget's report news
    app.include_router(report_photo_api.router)  # /api/chat/reports/photo: the widget's report photo
    app.include_router(reminder_notices_api.router)  # /api/chat/reminders: due reminders of web-only citizens
    app.include_router(citizen_dashboard.router)  # /me, /api/me: the citizen's dashboard by signed link
    app.include_router(health.router)
    app.include_router(actions_endpoint.router)
    app.include_router(editor.router)
    app.include_router(editor_journeys.router)  # /api/admin/journeys: life-event journeys (issue 17)
    app.include_router(privacy.router)  # export and erase a citizen's conversation
    app.include_router(staff_api.router)  # /admin/api/session, /admin/api/me: staff sign-in (backoffice/accounts)
    app.include_router(analytics_api.router)  # /admin/api/analytics/...: figures, unanswered list, CSV
    app.include_router(inbox_api.router)  # /api/admin/handoffs...: the agent inbox (backoffice/inbox)
    app.include_router(reports_api.router)  # /api/admin/reports...: the officers' reports queue (backoffice/reports)
    app.include_router(report_status.router)  # /api/reports/{ticket}: outside case systems, by bearer token
    app.include_router(traffy_webhook.router)  # /api/reports/traffy/webhook: Traffy Fondue's state changes
    app.include_router(admin_pages.router)  # /admin...: the back office's pages (backoffice/web)
    app.mount("/admin/static", admin_pages.static_files(), name="admin-static")
    app.include_router(line_webhook.router)
    app.include_router(widget.router)  # GET / (the demo page), /widget.js, /widget.css
    # Inside CORS, so a browser can read the 413 too.
    # The back office's forms carry a whole service (Thai is 9 bytes a letter urlencoded) or a whole
    # catalogue; the settings' own limits win where they name the same prefix.
    # A status change carries its after-photo in base64 (backoffice/reports/status.py).
    photo_limits = upload_body_limits(settings.reports.photo_max_bytes)
    photo_limits |= report_photo_api.body_limits(settings.reports.photo_max_bytes)  # the widget's report photo
    limits = {**admin_pages.FORM_BODY_LIMITS, **photo_limits, **settings.body_limits.paths}
    app.add_middleware(
        BodyLimitMiddleware,
        limits=limits,
        default_bytes=settings.body_limits.default_bytes,
        page_refusal=admin_pages.too_large_page,  # a form of the back office: a bilingual page, not JSON
    )
    # Sites that embed the widget call /api/chat from their own origin. No cookies are
    # involved, so credentials stay off; a preflight from any other origin is refused.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.web.allowed_origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"],
        allow_credentials=False,
        max_age=600,
    )

    return app
