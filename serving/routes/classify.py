"""``/v1/classify``: score notes as the handler types them.

A note of typical length takes well under a millisecond to classify, less than a hop to
the thread pool and back costs, so ``/v1/classify`` is ``async def`` and classifies notes
of up to ``INLINE_MAX_CHARS`` on the event loop; longer ones (about 20 ms at the 10,000
character limit) and batches go to the thread pool so they never stall other requests.
Answers are ``ClassifyResult.to_dict()`` (the fields of ``NoteResult``) serialised once,
straight to JSON bytes (pydantic-core's encoder, so the bytes are what ``response_model``
gave), instead of being validated again against the response model. Settings, metrics and
recent notes are read from app state rather than injected: each FastAPI dependency costs
about 8 µs a request, and those three never fail.
"""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter, Depends, Request, Response
from pydantic_core import to_json
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from model import Classifier, ClassifyResult

from ..deps import ClassifierDep, HandlerRole, utf8_body
from ..recent import RecentNote, RecentNotes
from ..schemas import BatchRequest, BatchResponse, ClassifyRequest, NoteResult, error_responses
from ..settings import Settings
from ..telemetry import Metrics

router = APIRouter(prefix="/v1", tags=["classify"], dependencies=[Depends(utf8_body)])
ERRORS = error_responses(400, 401, 403, 413, 415, 422, 503)
INLINE_MAX_CHARS = 2_000  # about 2.5 ms of model time; longer notes use the thread pool


def check_lengths(notes: list[ClassifyRequest], settings: Settings) -> None:
    if len(notes) > settings.max_batch:
        raise HTTPException(
            422, f"notes: at most {settings.max_batch} notes per batch, got {len(notes)}"
        )
    for position, note in enumerate(notes):
        if len(note.text) > settings.max_text_chars:
            where = f"notes.{position}.text" if len(notes) > 1 else "text"
            raise HTTPException(
                422, f"{where}: at most {settings.max_text_chars} characters, got {len(note.text)}"
            )


def note_result(result: ClassifyResult, request_id: str, call_id: str | None) -> dict:
    """One note's answer with exactly the fields of ``NoteResult``, in its order."""
    return {"request_id": request_id, "call_id": call_id, **result.to_dict()}


def json_response(content: dict) -> Response:
    return Response(to_json(content), media_type="application/json")


def classify_notes(
    notes: list[ClassifyRequest], request_ids: list[str], request: Request, classifier: Classifier
) -> list[ClassifyResult]:
    results = classifier.classify_many([n.text for n in notes])
    metrics: Metrics = request.app.state.metrics
    recent: RecentNotes = request.app.state.recent
    flagged = Counter(label for r in results for label, s in r.labels.items() if s.flagged)
    metrics.count_flags(classifier.version, flagged, len(results))
    request.state.notes = len(results)
    request.state.flags = dict(flagged)
    for note, request_id in zip(notes, request_ids, strict=True):
        recent.remember(request_id, RecentNote(note.text, note.call_id, classifier.version))
    return results


@router.post("/classify", responses={200: {"model": NoteResult}, **ERRORS})
async def classify(
    body: ClassifyRequest, request: Request, _role: HandlerRole, classifier: ClassifierDep
) -> Response:
    """Probabilities, flags, thresholds, suggested route and evidence for one note."""
    check_lengths([body], request.app.state.settings)
    request_id = request.state.request_id
    args = ([body], [request_id], request, classifier)
    if len(body.text) <= INLINE_MAX_CHARS:
        results = classify_notes(*args)
    else:
        results = await run_in_threadpool(classify_notes, *args)
    return json_response(note_result(results[0], request_id, body.call_id))


@router.post("/classify/batch", responses={200: {"model": BatchResponse}, **ERRORS})
def classify_batch(
    body: BatchRequest, request: Request, _role: HandlerRole, classifier: ClassifierDep
) -> Response:
    """Several notes at once; each result has its own ``request_id`` for feedback."""
    check_lengths(body.notes, request.app.state.settings)
    batch_id = request.state.request_id
    ids = [f"{batch_id}.{i}" for i in range(len(body.notes))]
    results = classify_notes(body.notes, ids, request, classifier)
    return json_response(
        {
            "request_id": batch_id,
            "model": {"name": classifier.name, "version": classifier.version},
            "results": [
                note_result(r, i, n.call_id)
                for r, i, n in zip(results, ids, body.notes, strict=True)
            ],
        }
    )
