"""Request and response bodies of the HTTP API, as they appear in the OpenAPI schema.

Requests are strict: unknown fields and wrong types are refused, not coerced.
Length and batch limits come from settings and are checked in the routes.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    create_model,
    model_validator,
)

from model import LABELS, ROUTES


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


def check_note(text: str) -> str:
    """Refuse text that cannot be classified or stored; messages never quote the text."""
    if not text.strip():
        raise ValueError("text is empty or only whitespace")
    if "\x00" in text:
        raise ValueError("text contains a NUL character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text contains an unpaired surrogate (not valid Unicode)") from None
    return text


NoteText = Annotated[
    str,
    Field(description="The note as typed (at most RIGHTCALL_MAX_TEXT_CHARS, default 10,000)."),
    AfterValidator(check_note),
]
CallId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128, pattern=r"^[^\x00-\x1f\x7f]+$"),
    Field(description="The caller's own id for the call (echoed back, never logged)."),
]
RequestId = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9a-f]{32}(\.[0-9]{1,4})?$"),
    Field(description="A request_id returned by /v1/classify (or by one note of a batch)."),
]
RouteName = Literal[ROUTES]


class ClassifyRequest(Strict):
    text: NoteText
    call_id: CallId | None = None


class BatchRequest(Strict):
    notes: list[ClassifyRequest] = Field(
        min_length=1, description="At most RIGHTCALL_MAX_BATCH notes (default 256).")


JudgedLabels = create_model(
    "JudgedLabels",
    __base__=Strict,
    **{label: (StrictBool, Field(description=f"Did the note show {label}?")) for label in LABELS},
)


class FeedbackRequest(Strict):
    request_id: RequestId | None = None
    call_id: CallId | None = None
    labels: JudgedLabels = Field(description="The handler's judgement, one true/false per label.")
    route_taken: RouteName | None = None
    comment: Annotated[str, Field(max_length=2000)] | None = None
    text: NoteText | None = Field(
        None, description="The note; optional when request_id (or call_id) names a note this "
                          "server classified recently.")

    @model_validator(mode="after")
    def _names_a_note(self) -> FeedbackRequest:
        if not self.request_id and not self.call_id:
            raise ValueError("give request_id or call_id")
        return self


class ReloadRequest(Strict):
    version: str | None = Field(None, min_length=1, max_length=100,
                                description="A version folder; default models/latest.")


class ModelRef(BaseModel):
    name: str
    version: str


class LabelScoreOut(BaseModel):
    probability: float
    flagged: bool
    threshold: float


class RouteOut(BaseModel):
    suggestion: str
    reasons: list[str]


class EvidenceOut(BaseModel):
    label: str
    start: int = Field(description="Offset into the note exactly as submitted.")
    end: int
    text: str
    weight: float = Field(description="Contribution to the label's log-odds.")
    negated: bool
    context: str = Field(description="present, negated, historical or hypothetical.")


class NoteResult(BaseModel):
    request_id: str
    call_id: str | None = None
    model: ModelRef
    labels: dict[str, LabelScoreOut]
    route: RouteOut
    evidence: list[EvidenceOut]


class BatchResponse(BaseModel):
    request_id: str
    model: ModelRef
    results: list[NoteResult]


class FeedbackResponse(BaseModel):
    feedback_id: int
    request_id: str
    text_from: Literal["request", "recent"] = Field(
        description="Whether the stored note came with the feedback or from a recent request.")


class ReloadResponse(BaseModel):
    request_id: str
    status: Literal["reloaded"]
    version: str
    previous: str | None
    seconds: float


class ErrorResponse(BaseModel):
    error: str
    request_id: str


def error_responses(*codes: int) -> dict[int | str, dict]:
    return {code: {"model": ErrorResponse} for code in codes}
