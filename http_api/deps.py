"""Reaching the gateway's long-lived parts from a route without importing the gateway.

The composition root puts its runtime on ``app.state.runtime``; each router names what it
uses from it as a ``Protocol`` of its own, so routers depend on a shape, not on the gateway.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

__all__ = ["app_runtime"]


def app_runtime(request: Request) -> Any:
    return request.app.state.runtime
