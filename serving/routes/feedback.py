"""``/v1/feedback``: handlers' judgements, stored with the note for retraining.

The note comes with the feedback (``text``) or, when it names a ``request_id`` or
``call_id`` this server classified recently, from the in-memory ``RecentNotes``.
If the database is down this answers 503 and classification carries on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from starlette.exceptions import HTTPException

from ..deps import AnalystRole, HandlerRole, HolderDep, RecentDep, SettingsDep, StoreDep, utf8_body
from ..feedback_access import NewFeedback, StoreUnavailable
from ..schemas import FeedbackRequest, FeedbackResponse, error_responses

router = APIRouter(prefix="/v1/feedback", tags=["feedback"], dependencies=[Depends(utf8_body)])


def unavailable(error: StoreUnavailable) -> HTTPException:
    return HTTPException(
        503, f"{error}; the feedback was not stored, classification is unaffected; retry later"
    )


@router.post(
    "",
    status_code=201,
    response_model=FeedbackResponse,
    responses=error_responses(400, 401, 403, 404, 413, 415, 422, 503),
)
def add_feedback(
    body: FeedbackRequest,
    request: Request,
    _role: HandlerRole,
    settings: SettingsDep,
    store: StoreDep,
    recent: RecentDep,
    holder: HolderDep,
) -> dict:
    """Store the handler's labels (and route taken, comment) for a classified note."""
    remembered = recent.find(body.request_id, body.call_id)
    if body.text is not None:
        text, text_from = body.text, "request"
    elif remembered is not None:
        text, text_from = remembered.text, "recent"
    else:
        raise HTTPException(
            404,
            "this server holds no recent note for that request_id/call_id "
            "(it may have expired or been classified by another replica); "
            "send the note as 'text' with the feedback",
        )
    if len(text) > settings.max_text_chars:
        raise HTTPException(
            422, f"text: at most {settings.max_text_chars} characters, got {len(text)}"
        )
    version = remembered.model_version if remembered else holder.version
    try:
        feedback_id = store.get().add(
            NewFeedback(
                text=text,
                labels=body.labels.model_dump(),
                request_id=body.request_id,
                call_id=body.call_id or (remembered.call_id if remembered else None),
                route_taken=body.route_taken,
                comment=body.comment,
                model_version=version,
            )
        )
    except StoreUnavailable as error:
        raise unavailable(error) from None
    return {
        "feedback_id": feedback_id,
        "request_id": request.state.request_id,
        "text_from": text_from,
    }


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"application/x-ndjson": {}},
            "description": "One labelled note per line.",
        },
        **error_responses(401, 403, 503),
    },
)
def export_feedback(_role: AnalystRole, store: StoreDep) -> StreamingResponse:
    """All feedback as JSONL that ``rightcall train --data FILE`` accepts as it is:
    ``id``, ``text``, one 0/1 column per label, ``source``, ``group`` and provenance."""
    try:
        records = store.get().export()
    except StoreUnavailable as error:
        raise unavailable(error) from None

    def lines() -> Iterator[str]:
        for record in records:
            yield json.dumps(record, ensure_ascii=False) + "\n"

    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return StreamingResponse(
        lines(),
        media_type="application/x-ndjson",
        headers={"Content-Disposition": f'attachment; filename="rightcall-feedback-{stamp}.jsonl"'},
    )
