"""Shared dependencies as ``Annotated`` aliases, so routes name what they need.

They are ``async def`` on purpose: each only reads app state, and a plain ``def``
dependency costs a thread-pool hop per request (measured at about 0.25 ms for five).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.exceptions import HTTPException

from model import Classifier

from .feedback_access import StoreSlot
from .holder import ModelHolder
from .recent import RecentNotes
from .security import require
from .settings import Role, Settings
from .telemetry import Metrics


async def utf8_body(request: Request) -> None:
    """Refuse a body that is not UTF-8 (JSON must be); the JSON parser alone would also
    take UTF-16 and encoded surrogates."""
    try:
        (await request.body()).decode("utf-8")
    except UnicodeDecodeError as error:
        raise HTTPException(
            400, f"the request body is not valid UTF-8 (byte {error.start})"
        ) from None


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_holder(request: Request) -> ModelHolder:
    return request.app.state.holder


async def get_classifier(request: Request) -> Classifier:
    """The model serving this request, read once so a reload cannot change it midway."""
    classifier = request.app.state.holder.current
    if classifier is None:
        raise HTTPException(503, "no verified model is loaded yet; see /readyz")
    request.state.model_version = classifier.version
    return classifier


async def get_store(request: Request) -> StoreSlot:
    return request.app.state.store


async def get_metrics(request: Request) -> Metrics:
    return request.app.state.metrics


async def get_recent(request: Request) -> RecentNotes:
    return request.app.state.recent


SettingsDep = Annotated[Settings, Depends(get_settings)]
HolderDep = Annotated[ModelHolder, Depends(get_holder)]
ClassifierDep = Annotated[Classifier, Depends(get_classifier)]
StoreDep = Annotated[StoreSlot, Depends(get_store)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
RecentDep = Annotated[RecentNotes, Depends(get_recent)]

HandlerRole = Annotated[Role | None, Depends(require("handler"))]
AnalystRole = Annotated[Role | None, Depends(require("analyst"))]
AdminRole = Annotated[Role | None, Depends(require("admin"))]
AnyRole = Annotated[Role | None, Depends(require("handler", "analyst"))]
