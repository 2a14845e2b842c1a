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


# Python's whitespace (what str.strip() removes), for the schema: a note needs one other
# character and no NUL. ``check_note`` enforces it; the pattern only documents it.
WHITESPACE = (
    r"\t\n\u000b\u000c\r\u001c-\u001f \u0085\u00a0\u1680\u2000-\u200a"
    r"\u2028\u2029\u202f\u205f\u3000"
)
NOTE_PATTERN = rf"^[^\u0000]*[^\u0000{WHITESPACE}][^\u0000]*$"

NoteText = Annotated[
    str,
    Field(
        description="The note as typed (at most RIGHTCALL_MAX_TEXT_CHARS, default 10,000).",
        json_schema_extra={"pattern": NOTE_PATTERN},
    ),
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
        min_length=1, description="At most RIGHTCALL_MAX_BATCH notes (default 256)."
    )


JudgedLabels = create_model(
    "JudgedLabels",
    __base__=Strict,
    **{label: (StrictBool, Field(description=f"Did the note show {label}?")) for label in LABELS},
)


class FeedbackRequest(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["request_id"], "properties": {"request_id": {"type": "string"}}},
                {"required": ["call_id"], "properties": {"call_id": {"type": "string"}}},
            ]
        }
    )

    request_id: RequestId | None = None
    call_id: CallId | None = None
    labels: JudgedLabels = Field(description="The handler's judgement, one true/false per label.")
    route_taken: RouteName | None = None
    comment: Annotated[str, Field(max_length=2000)] | None = None
    text: NoteText | None = Field(
        None,
        description="The note; optional when request_id (or call_id) names a note this "
        "server classified recently.",
    )

    @model_validator(mode="after")
    def _names_a_note(self) -> FeedbackRequest:
        if not self.request_id and not self.call_id:
            raise ValueError("give request_id or call_id")
        return self


class ReloadRequest(Strict):
    version: str | None = Field(
        None, min_length=1, max_length=100, description="A version folder; default models/latest."
    )


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
        description="Whether the stored note came with the feedback or from a recent request."
    )


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


def document_limits(openapi: dict, max_text_chars: int, max_batch: int) -> dict:
    """Put the configured note and batch limits into the OpenAPI schema, so clients (and
    schema-driven tests) see the limits this server enforces."""
    schemas = openapi.get("components", {}).get("schemas", {})
    for name in ("ClassifyRequest", "FeedbackRequest"):
        text = schemas.get(name, {}).get("properties", {}).get("text")
        for option in (text or {}).get("anyOf", [text] if text else []):
            if option.get("type") == "string":
                option["maxLength"] = max_text_chars
    notes = schemas.get("BatchRequest", {}).get("properties", {}).get("notes")
    if notes is not None:
        notes["maxItems"] = max_batch
    return openapi
