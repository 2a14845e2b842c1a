"""Liveness and readiness, kept apart: alive is not the same as able to classify."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ..deps import HolderDep
from ..errors import request_id_of
from ..schemas import error_responses

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up and answering."""
    return {"status": "alive"}


@router.get("/readyz", responses=error_responses(503))
def readyz(request: Request, holder: HolderDep) -> JSONResponse:
    """200 once a verified model is loaded; 503 before (or if none could be), in the error
    shape; why a model was refused is in the log (``model_load_refused``)."""
    version = holder.version
    if version is None:
        return JSONResponse(
            {
                "status": "not ready",
                "error": "no verified model is loaded",
                "request_id": request_id_of(request),
            },
            503,
        )
    return JSONResponse({"status": "ready", "model_version": version})
