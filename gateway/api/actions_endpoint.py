"""``POST /webhook/actions``: Rasa's action server protocol, served by rasa-sdk's executor.

Rasa calls this for every custom action; the actions run in this process so
they share the live catalogue index with the editor API.
"""

from __future__ import annotations

import logging
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from rasa_sdk.interfaces import (
    ActionExecutionRejection,
    ActionMissingDomainException,
    ActionNotFoundException,
)

from gateway.api.deps import RuntimeDep

router = APIRouter(tags=["rasa"])
logger = logging.getLogger(__name__)

_CATALOGUE_WAIT_SECONDS = 60.0


@router.post("/webhook/actions", include_in_schema=False)
async def run_action(request: Request, runtime: RuntimeDep) -> JSONResponse:
    try:
        action_call: dict[str, Any] = await request.json()
    except ValueError:
        return JSONResponse({"error": "action call is not valid JSON"}, status_code=400)
    if not runtime.catalogue.ready:
        # First turns right after start-up: wait for the index rather than fail.
        await anyio.to_thread.run_sync(runtime.wait_until_loaded, _CATALOGUE_WAIT_SECONDS)
    try:
        result = await runtime.executor.run(action_call)
    except ActionExecutionRejection as error:
        return JSONResponse({"error": error.message, "action_name": error.action_name}, status_code=400)
    except ActionNotFoundException as error:
        return JSONResponse({"error": error.message, "action_name": error.action_name}, status_code=404)
    except ActionMissingDomainException as error:
        return JSONResponse({"error": error.message, "action_name": error.action_name}, status_code=449)
    if result is None:
        return JSONResponse({"events": [], "responses": []})
    return JSONResponse(result.model_dump())
