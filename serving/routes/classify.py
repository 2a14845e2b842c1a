"""``/v1/classify``: score notes as the handler types them (plain ``def``: CPU-bound)."""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter, Depends, Request
from starlette.exceptions import HTTPException

from model import ClassifyResult

from ..deps import ClassifierDep, HandlerRole, MetricsDep, RecentDep, SettingsDep, utf8_body
from ..recent import RecentNote
from ..schemas import BatchRequest, BatchResponse, ClassifyRequest, NoteResult, error_responses
from ..settings import Settings

router = APIRouter(prefix="/v1", tags=["classify"], dependencies=[Depends(utf8_body)])
ERRORS = error_responses(400, 401, 403, 413, 415, 422, 503)


def check_lengths(notes: list[ClassifyRequest], settings: Settings) -> None:
    if len(notes) > settings.max_batch:
        raise HTTPException(422, f"notes: at most {settings.max_batch} notes per batch, "
                                 f"got {len(notes)}")
    for position, note in enumerate(notes):
        if len(note.text) > settings.max_text_chars:
            where = f"notes.{position}.text" if len(notes) > 1 else "text"
            raise HTTPException(422, f"{where}: at most {settings.max_text_chars} characters, "
                                     f"got {len(note.text)}")


def note_result(result: ClassifyResult, request_id: str, call_id: str | None) -> dict:
    return {"request_id": request_id, "call_id": call_id, **result.to_dict()}


def classify_notes(
    notes: list[ClassifyRequest], request_ids: list[str], request: Request,
    classifier, metrics, recent,
) -> list[ClassifyResult]:
    results = classifier.classify_many([n.text for n in notes])
    flagged = Counter(label for r in results for label, s in r.labels.items() if s.flagged)
    metrics.count_flags(classifier.version, flagged, len(results))
    request.state.notes = len(results)
    request.state.flags = dict(flagged)
    for note, request_id in zip(notes, request_ids, strict=True):
        recent.remember(request_id, RecentNote(note.text, note.call_id, classifier.version))
    return results


@router.post("/classify", response_model=NoteResult, responses=ERRORS)
def classify(
    body: ClassifyRequest, request: Request, _role: HandlerRole, settings: SettingsDep,
    classifier: ClassifierDep, metrics: MetricsDep, recent: RecentDep,
) -> dict:
    """Probabilities, flags, thresholds, suggested route and evidence for one note."""
    check_lengths([body], settings)
    request_id = request.state.request_id
    result = classify_notes([body], [request_id], request, classifier, metrics, recent)[0]
    return note_result(result, request_id, body.call_id)


@router.post("/classify/batch", response_model=BatchResponse, responses=ERRORS)
def classify_batch(
    body: BatchRequest, request: Request, _role: HandlerRole, settings: SettingsDep,
    classifier: ClassifierDep, metrics: MetricsDep, recent: RecentDep,
) -> dict:
    """Several notes at once; each result has its own ``request_id`` for feedback."""
    check_lengths(body.notes, settings)
    batch_id = request.state.request_id
    ids = [f"{batch_id}.{i}" for i in range(len(body.notes))]
    results = classify_notes(body.notes, ids, request, classifier, metrics, recent)
    return {
        "request_id": batch_id,
        "model": {"name": classifier.name, "version": classifier.version},
        "results": [note_result(r, i, n.call_id) for r, i, n in zip(results, ids, body.notes,
                                                                      strict=True)],
    }
