"""``GET /health``: is Rasa serving a model, and is the catalogue searchable?

200 only when both are; otherwise 503 with what is degraded: ``degraded`` while one part still
answers (the catalogue answers alone while Rasa is down, see :mod:`conversation.degraded`),
``unavailable`` when neither does. Nothing internal is served: no URLs, no exception text (the
log has those).
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from gateway.api.deps import RuntimeDep

router = APIRouter(tags=["health"])


@router.get("/health")
async def health(runtime: RuntimeDep) -> JSONResponse:
    rasa_status = await runtime.rasa.status()
    rasa_up = rasa_status is not None
    rasa: dict[str, Any] = {"state": "up" if rasa_up else "down", "ready": rasa_up}
    if rasa_status:
        rasa["model"] = PurePosixPath(str(rasa_status.get("model_file"))).name  # its name, not its path
    replicas = runtime.rasa.replica_states
    if len(replicas) > 1:  # several Rasa replicas (rasa.urls): up while one is; each one's state, in order
        rasa["replicas"] = {"up": replicas.count("up"), "total": len(replicas), "states": replicas}
    state = runtime.catalogue_state
    catalogue: dict[str, Any] = {"state": state, "ready": state == "ready", "services": len(runtime.catalogue)}
    parts_up = rasa_up + catalogue["ready"]
    status = "ok" if parts_up == 2 else "degraded" if parts_up == 1 else "unavailable"
    body = {"status": status, "rasa": rasa, "catalogue": catalogue}
    return JSONResponse(body, status_code=200 if status == "ok" else 503)
