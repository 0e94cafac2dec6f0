"""``/api/admin/conversations/{id}``: a citizen's data, exported or erased by a staff member.

For PDPA access (s.30) and erasure (s.33) requests; the conversation id is the Rasa sender id
(``web:<id>`` as the widget's privacy notice shows it, ``line:<LINE userId>``). Protected by the
editor's bearer token. The work is :class:`gateway.privacy.ConversationPrivacy`'s; the runbook is
docs/runbook-erase-citizen-data.md.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Path

from gateway.api.deps import RuntimeDep
from gateway.api.editor import EditorDep
from gateway.privacy import ErasureIncompleteError
from http_api.errors import ApiError

__all__ = ["router"]

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/admin/conversations", tags=["privacy"])

ConversationId = Annotated[
    str, Path(min_length=1, max_length=160, description="The conversation id, e.g. web:<id> or line:<userId>")
]

_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "No valid staff token"},
    404: {"description": "Nothing is kept about this conversation"},
}


def _unknown(conversation_id: str) -> ApiError:
    return ApiError(404, "not_found", f"Nothing is kept about conversation {conversation_id!r}.")


@router.get(
    "/{conversation_id}/export",
    summary="Everything kept about one conversation (masked as stored)",
    responses=_ERROR_RESPONSES,
)
async def export_conversation(conversation_id: ConversationId, runtime: RuntimeDep, editor: EditorDep) -> Any:
    exported = await runtime.privacy.export(conversation_id, runtime.rasa)
    if exported is None:
        raise _unknown(conversation_id)
    logger.info("conversation exported", extra={"editor": editor})
    return exported


@router.delete(
    "/{conversation_id}",
    summary="Erase everything kept about one conversation, Rasa's tracker included",
    responses={
        **_ERROR_RESPONSES,
        503: {"description": "Our records are erased but Rasa's tracker is not yet; retried automatically"},
    },
)
async def erase_conversation(conversation_id: ConversationId, runtime: RuntimeDep, editor: EditorDep) -> Any:
    try:
        erased = await runtime.privacy.erase(conversation_id, runtime.rasa)
    except ErasureIncompleteError as error:
        raise ApiError(
            503,
            "erasure_incomplete",
            "The hand-off requests and feedback are erased, but Rasa's tracker could not be: the retention job "
            "tries again at its next run; DELETE again to try now.",
            {"erased": error.erased},
        ) from error
    if erased is None:
        raise _unknown(conversation_id)
    logger.info("conversation erased", extra={"editor": editor})
    return {"conversation_id": conversation_id, "erased": erased}
