"""``/v1/admin/reload``: swap in a new model version without a restart."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.exceptions import HTTPException

from ..deps import AdminRole, HolderDep, utf8_body
from ..holder import ReloadError
from ..schemas import ReloadRequest, ReloadResponse, error_responses

router = APIRouter(prefix="/v1/admin", tags=["admin"], dependencies=[Depends(utf8_body)])


@router.post(
    "/reload",
    response_model=ReloadResponse,
    responses=error_responses(400, 401, 403, 404, 409, 413, 415, 422),
)
def reload_model(
    request: Request, _role: AdminRole, holder: HolderDep, body: ReloadRequest | None = None
) -> dict:
    """Load ``models/latest`` (or ``version``), verify every hash, smoke-test, then swap.

    On any failure the current model keeps serving: 404 if the version does not exist,
    409 if it exists but was refused, with the reason in ``error``.
    """
    try:
        outcome = holder.reload(body.version if body else None, trigger="api")
    except ReloadError as error:
        serving = holder.version or "none"
        raise HTTPException(
            404 if error.missing else 409, f"{error.reason}; still serving {serving}"
        ) from None
    request.state.model_version = outcome.version
    return {
        "request_id": request.state.request_id,
        "status": "reloaded",
        "version": outcome.version,
        "previous": outcome.previous,
        "seconds": round(outcome.seconds, 3),
    }
