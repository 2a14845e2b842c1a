"""Per-request plumbing: request id, body size limit, timing, metrics, one log line,
and a JSON 500 as the last resort.

The body limit is ours rather than FastAPI's ``max_body_size`` because that one
answers some oversized requests in plain text, and every error here must be JSON
with a request id. ``Content-Length`` is checked before reading; a body without
one (chunked) is counted as it streams.
"""

from __future__ import annotations

import logging
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import error_response
from .holder import ModelHolder
from .logs import exception_summary, log_event
from .telemetry import Metrics

REQUEST_ID_HEADER = "X-Request-ID"


class RequestContext:
    def __init__(
        self, app: ASGIApp, *, metrics: Metrics, max_body_bytes: int, holder: ModelHolder
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes
        self.holder = holder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                MutableHeaders(scope=message).append(REQUEST_ID_HEADER, request_id)
            await send(message)

        received = 0

        async def receive_with_limit() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise HTTPException(413, self._too_large())
            return message

        try:
            declared = Headers(scope=scope).get("content-length")
            if declared is not None and not declared.isdigit():
                await error_response(400, "invalid Content-Length header", request_id)(
                    scope, receive, send_with_id
                )
            elif declared is not None and int(declared) > self.max_body_bytes:
                await error_response(413, self._too_large(), request_id)(
                    scope, receive, send_with_id
                )
            else:
                await self.app(scope, receive_with_limit, send_with_id)
        except Exception as error:  # the last resort: a JSON 500 that quotes nothing
            log_event(
                "unhandled_error",
                logging.ERROR,
                request_id=request_id,
                path=scope.get("path"),
                **exception_summary(error),
            )
            if not response_started:
                await error_response(
                    500, "internal error; the request id is in the logs", request_id
                )(scope, receive, send_with_id)
        finally:
            self._record(scope, state, request_id, status, time.perf_counter() - started)

    def _too_large(self) -> str:
        return f"request body larger than {self.max_body_bytes} bytes"

    def _record(
        self, scope: Scope, state: dict, request_id: str, status: int, seconds: float
    ) -> None:
        route = scope.get("route")
        endpoint = getattr(route, "path", None) or "unmatched"
        version = state.get("model_version") or self.holder.version or "none"
        self.metrics.request_duration.labels(endpoint=endpoint, model_version=version).observe(
            seconds
        )
        self.metrics.responses.labels(endpoint=endpoint, status=str(status)).inc()
        fields = {
            "request_id": request_id,
            "method": scope.get("method"),
            "path": endpoint,
            "status": status,
            "latency_ms": round(seconds * 1000, 3),
            "model_version": version,
        }
        if "flags" in state:
            fields["notes"] = state.get("notes")
            fields["flags"] = state["flags"]
        if "role" in state:
            fields["role"] = state["role"]
        log_event("request", **fields)
