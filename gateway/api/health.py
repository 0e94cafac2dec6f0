"""``GET /health``: is Rasa serving a model, and is the catalogue searchable?"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from gateway.api.deps import RuntimeDep

router = APIRouter(tags=["health"])


@router.get("/health")
async def health(runtime: RuntimeDep) -> JSONResponse:
    rasa_status = await runtime.rasa.status()
    catalogue: dict[str, Any] = {"ready": runtime.catalogue.ready, "services": len(runtime.catalogue)}
    if runtime.catalogue_error:
        catalogue["error"] = runtime.catalogue_error
    rasa: dict[str, Any] = {"ready": rasa_status is not None, "url": runtime.settings.rasa.url}
    if rasa_status:
        rasa["model"] = rasa_status.get("model_file")
    ready = rasa["ready"] and catalogue["ready"]
    body = {"status": "ok" if ready else "unavailable", "rasa": rasa, "catalogue": catalogue}
    return JSONResponse(body, status_code=200 if ready else 503)
