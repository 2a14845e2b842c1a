"""``/metrics``: Prometheus text format, from this app's own registry."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST

from ..deps import MetricsDep

router = APIRouter(tags=["metrics"])


@router.get("/metrics", response_class=Response)
def metrics(registry: MetricsDep) -> Response:
    """Request durations by endpoint and model version, flags per label, load failures."""
    return Response(registry.render(), media_type=CONTENT_TYPE_LATEST)
