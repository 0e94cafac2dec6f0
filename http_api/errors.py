"""Errors as one JSON shape: ``{"error": {"code": ..., "message": ...}}``."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

__all__ = ["ApiError", "api_error_handler", "validation_error_handler"]


class ApiError(Exception):
    def __init__(self, status_code: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.status_code, self.code, self.message, self.details = status_code, code, message, details


def _body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return {"error": error}


async def api_error_handler(_request: Request, error: ApiError) -> JSONResponse:
    return JSONResponse(_body(error.code, error.message, error.details), status_code=error.status_code)


async def validation_error_handler(_request: Request, error: RequestValidationError) -> JSONResponse:
    details = [
        {"field": ".".join(str(p) for p in item["loc"] if p != "body"), "problem": item["msg"]}
        for item in error.errors()
    ]
    return JSONResponse(_body("invalid_request", "The request is not valid.", details), status_code=422)
