"""``POST /webhook/actions``: Rasa's action server protocol, served by rasa-sdk's executor.

Rasa calls this for every custom action; the actions run in this process so
they share the live catalogue index with the editor API. Only Rasa may call it:
the caller supplies the whole tracker, so a stranger could set slots and write
hand-off rows. Rasa sends the shared secret in ``X-Action-Token``
(bot/endpoints.yml); it is checked before the body is read.
"""

from __future__ import annotations

import hmac
import logging
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from rasa_sdk.interfaces import (
    ActionExecutionRejection,
    ActionMissingDomainException,
    ActionNotFoundException,
)

from gateway.api.deps import RuntimeDep
from gateway.secrets import action_token
from http_api.errors import ApiError

router = APIRouter(tags=["rasa"])
logger = logging.getLogger(__name__)

_CATALOGUE_WAIT_SECONDS = 60.0
TOKEN_HEADER = "X-Action-Token"


def _expected_token(request: Request, runtime: RuntimeDep) -> str:
    """Resolved once per app (settings, else var/secrets/), not on every call."""
    expected: str | None = getattr(request.app.state, "action_token", None)
    if expected is None:
        expected = action_token(runtime.settings)
        request.app.state.action_token = expected
    return expected


def require_rasa(
    request: Request,
    runtime: RuntimeDep,
    x_action_token: Annotated[str | None, Header(alias=TOKEN_HEADER)] = None,
) -> None:
    if not x_action_token:
        raise ApiError(401, "unauthorized", f"The action endpoint requires the {TOKEN_HEADER} header.")
    expected = _expected_token(request, runtime)
    if not hmac.compare_digest(x_action_token.encode("utf-8"), expected.encode("utf-8")):
        raise ApiError(403, "forbidden", f"The {TOKEN_HEADER} header does not match.")


@router.post("/webhook/actions", include_in_schema=False, dependencies=[Depends(require_rasa)])
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
