"""The gateway application: ``create_app(settings)`` builds it, uvicorn serves it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from bot.api import actions_endpoint, editor, health
from bot.api.errors import ApiError, api_error_handler, validation_error_handler
from bot.runtime import Runtime
from bot.settings import Settings, get_settings
from channels.web import chat_api

__all__ = ["create_app"]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per Rasa call is noise

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime.create(settings)
        app.state.runtime = runtime
        runtime.start_loading()
        yield
        await runtime.aclose()

    app = FastAPI(
        title="Citizen service assistant gateway",
        summary="Bilingual Thai/English assistant for Thai government services",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.add_exception_handler(ApiError, api_error_handler)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, validation_error_handler)  # type: ignore[arg-type]
    app.include_router(chat_api.router)
    app.include_router(health.router)
    app.include_router(actions_endpoint.router)
    app.include_router(editor.router)

    @app.get("/", include_in_schema=False)
    async def root(request: Request) -> JSONResponse:
        return JSONResponse({"service": "citizenbot", "chat": "/api/chat", "health": "/health", "docs": "/docs"})

    return app
