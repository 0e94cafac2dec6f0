"""``/admin/inbox``: the agents' hand-off inbox, a page whose script works the JSON API of
``/api/admin/handoffs`` (docs/handoff.md) with the session cookie and the session's CSRF token.

The page itself carries no request data: the list, the open request and the figures come from the same
API agents' tools use, polled every few seconds, so new requests appear without reloading and what the
page shows is exactly what the API says. The server renders the layout, the labels the script needs
(in the person's language) and the choices (outcomes, reasons) as JSON the script reads.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from backoffice.web.backend import PageBackendDep
from backoffice.web.messages import labels
from backoffice.web.pages import PageRoute, page_context, render

__all__ = ["OUTCOMES", "POLL_SECONDS", "router"]

router = APIRouter(prefix="/admin", route_class=PageRoute, include_in_schema=False)

# The contract's outcomes of a closed request, in the order the page offers them.
OUTCOMES = ("answered", "referred", "no_reply", "abusive")
POLL_SECONDS = 3
_FIGURE_DAYS = (1, 7, 30)


def _as_script_json(value: dict[str, Any]) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``</script>`` or comment opener."""
    encoded = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return encoded.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@router.get("/inbox")
async def inbox(request: Request, backend: PageBackendDep) -> Response:
    context = await page_context(request, backend)
    me = context.require("handoff")
    config = {
        "lang": context.lang,
        "me": me.name,
        "poll_ms": POLL_SECONDS * 1000,
        "outcomes": list(OUTCOMES),
        "figure_days": list(_FIGURE_DAYS),
        "labels": labels("inbox.", context.lang)
        | {f"channel_{key}": value for key, value in labels("channel.", context.lang).items()}
        | {f"language_{key}": value for key, value in labels("language.", context.lang).items()},
    }
    return render(
        context,
        "inbox.html",
        outcomes=OUTCOMES,
        figure_days=_FIGURE_DAYS,
        config=_as_script_json(config),
    )
