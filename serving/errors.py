"""Every error is ``{"error": "...", "request_id": "..."}``, and none quotes the request.

Validation messages are rebuilt from the field path and pydantic's message only;
pydantic's ``input`` (which may be the note) is dropped.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

MAX_ERRORS_SHOWN = 5
MAX_LOC_PART = 40


def request_id_of(request: Request) -> str:
    request_id = getattr(request.state, "request_id", None)
    if request_id is None:
        request_id = request.state.request_id = uuid.uuid4().hex
    return request_id


def error_response(
    status: int, message: str, request_id: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"error": message, "request_id": request_id}, status, headers=headers)


def is_json(content_type: str | None) -> bool:
    media = (content_type or "").split(";")[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def describe_validation(errors: list[dict]) -> tuple[int, str]:
    """Status and message for pydantic errors: 400 for unparsable JSON, else 422."""
    for error in errors:
        if error.get("type") == "json_invalid":
            position = error["loc"][-1] if error.get("loc") else "?"
            reason = (error.get("ctx") or {}).get("error", "syntax error")
            return 400, f"invalid JSON: {reason} (at character {position})"
    parts = []
    for error in errors[:MAX_ERRORS_SHOWN]:
        where = ".".join(str(p)[:MAX_LOC_PART] for p in error.get("loc", ()) if p != "body")
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    more = len(errors) - MAX_ERRORS_SHOWN
    if more > 0:
        parts.append(f"and {more} more problem(s)")
    return 422, "; ".join(parts)


def body_model_of(request: Request) -> type[BaseModel] | None:
    """The pydantic model the matched route reads its JSON body into, if any."""
    body_field = getattr(request.scope.get("route"), "body_field", None)
    annotation = getattr(getattr(body_field, "field_info", None), "annotation", None)
    return (
        annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    )


def describe_missing_body(model: type[BaseModel] | None) -> str:
    """Say which fields an empty (or ``null``) body should have held, e.g. ``text``."""
    message = "the request body is empty: send a JSON object"
    if model is None:
        return message
    required = [name for name, field in model.model_fields.items() if field.is_required()]
    optional = [name for name in model.model_fields if name not in required]
    if required:
        message += " with " + ", ".join(f'"{name}"' for name in required)
    if optional:
        message += " (optional: " + ", ".join(f'"{name}"' for name in optional) + ")"
    return message


def is_missing_body(error: dict) -> bool:
    return tuple(error.get("loc", ())) == ("body",) and error.get("input") is None


async def on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = list(exc.errors())
    body_errors = [e for e in errors if e.get("loc", ("",))[0] == "body"]
    if (
        body_errors
        and not is_json(request.headers.get("content-type"))
        and any(
            e.get("type") in ("model_attributes_type", "dict_type", "model_type")
            for e in body_errors
        )
    ):
        return error_response(
            415, "send the body as JSON with Content-Type: application/json", request_id_of(request)
        )
    if any(is_missing_body(e) for e in body_errors):
        return error_response(
            422, describe_missing_body(body_model_of(request)), request_id_of(request)
        )
    status, message = describe_validation(errors)
    return error_response(status, message, request_id_of(request))


async def on_http_error(request: Request, exc: HTTPException) -> JSONResponse:
    status = exc.status_code
    if isinstance(exc.__cause__, UnicodeDecodeError):
        status, message = 400, "the request body is not valid UTF-8"
    elif status == 404 and exc.detail == "Not Found":
        message = "no such endpoint; see /docs"
    elif status == 405:
        message = f"{request.method} is not allowed here; see /docs"
    else:
        message = str(exc.detail)
    return error_response(status, message, request_id_of(request), headers=exc.headers)


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(HTTPException, on_http_error)
