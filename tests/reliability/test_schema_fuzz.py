"""Schemathesis against the app's own OpenAPI schema: every operation, with generated valid
and invalid requests, checked by every schemathesis check (no 5xx, documented statuses,
content types and bodies, auth enforced, invalid data refused).

Schemathesis builds its tests at import, before the session's model is trained: the schema
is read from an app built then (building one loads nothing), and its requests go through
``LateApp`` to the app the fixture builds over the trained model, in-process, as admin.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.python import asgi
from starlette.types import ASGIApp, Receive, Scope, Send

from serving import Settings, create_app

from ..serving.conftest import API_KEYS, headers, make_settings


class LateApp:
    """An ASGI app whose target is set once the fixtures have built it."""

    target: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.target is not None, "fuzzed_app sets the target"
        await self.target(scope, receive, send)


late_app = LateApp()
schema = schemathesis.openapi.from_dict(
    create_app(
        Settings(models_dir=Path("unused"), database_url="sqlite://", api_keys=API_KEYS)
    ).openapi()
)
schema.app = late_app


@pytest.fixture(scope="module", autouse=True)
def fuzzed_app(private_models_module, tmp_path_factory):
    late_app.target = create_app(
        make_settings(tmp_path_factory.mktemp("fuzz"), private_models_module, api_keys=API_KEYS)
    )
    yield late_app.target
    asgi.shutdown_lifespans()  # the app's lifespan (model, database) ends with the module
    late_app.target = None


@schema.parametrize()
@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_to_its_schema(case):
    response = case.call_and_validate(headers=headers("admin"))
    assert response.status_code < 500
    if response.status_code >= 400 and case.method != "HEAD":
        body = response.json()
        assert set(body) >= {"error", "request_id"}, body
