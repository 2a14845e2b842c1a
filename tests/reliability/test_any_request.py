"""Hypothesis over every endpoint and beyond the schema: any method, path, key, content type
and body (empty, binary, JSON, text, up to just over the 1 MiB limit). The answer is never a
5xx; every error is ``{"error", "request_id"}`` with the request id also in the header, and
every answer carries the security headers.
"""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from serving import create_app

from ..serving.conftest import API_KEYS, KEYS, make_settings

LIMIT = 1 << 20
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]
EXTRA_PATHS = [
    "/static/app.js",
    "/static/index.html",
    "/static/missing.js",
    "/static/../app.py",
    "/v1",
    "/v1/classify/",
    "/v1/classify/batch/extra",
    "/v1/feedback/123",
    "/v1/admin",
    "/docs/oauth2-redirect",
    "/%00",
    "/v1/%ff",
    "/" + "a" * 3000,
]
CONTENT_TYPES = [
    None,
    "application/json",
    "application/json; charset=utf-8",
    "application/json; charset=utf-16",
    "application/merge-patch+json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
    "application/octet-stream",
    "garbage/;;",
]
KEY_CHOICES = [None, "handler", "analyst", "admin", "wrong"]
NOTE = "caller says partner threatening her with a knife"

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "text",
                    "notes",
                    "labels",
                    "call_id",
                    "request_id",
                    "version",
                    "comment",
                    "route_taken",
                    "mental_health",
                    "crime",
                ]
            )
            | st.text(max_size=8),
            inner,
            max_size=5,
        )
    ),
    max_leaves=15,
)
BODIES = st.one_of(
    st.just(b""),
    st.binary(max_size=300),
    JSON_VALUES.map(lambda v: json.dumps(v).encode()),
    st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.builds(
        lambda text: json.dumps({"text": text}).encode("utf-8", "surrogatepass"),
        st.text(max_size=300),
    ),
    # Huge and at the edge: the limit itself, one byte over, and far over.
    st.sampled_from([LIMIT - 20, LIMIT + 1, 3 * LIMIT]).map(
        lambda n: b'{"text": "' + b"x" * n + b'"}'
    ),
)


@pytest.fixture(scope="module")
def every_path(private_models_module, tmp_path_factory):
    """A keyed app (so roles matter) and every path it routes, plus paths it does not."""
    app = create_app(
        make_settings(tmp_path_factory.mktemp("any"), private_models_module, api_keys=API_KEYS)
    )
    paths = sorted(app.openapi()["paths"]) + ["/", "/docs", "/redoc", "/openapi.json"]
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, [*paths, *EXTRA_PATHS]


def check(response, method: str) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:300])
    assert response.headers["x-content-type-options"] == "nosniff"
    request_id = response.headers["x-request-id"]
    if response.status_code >= 400 and method != "HEAD":
        body = response.json()
        assert set(body) == {"error", "request_id"}, body
        assert body["error"] and body["request_id"] == request_id


@settings(
    max_examples=500,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(
    data=st.data(),
    method=st.sampled_from(METHODS),
    body=BODIES,
    content_type=st.sampled_from(CONTENT_TYPES),
    key=st.sampled_from(KEY_CHOICES),
    query=st.dictionaries(st.text(max_size=10), st.text(max_size=20), max_size=3),
)
def test_any_request_to_any_path_gets_a_clean_answer(
    every_path, data, method, body, content_type, key, query
):
    client, paths = every_path
    path = data.draw(st.sampled_from(paths))
    headers = {}
    if content_type:
        headers["content-type"] = content_type
    if key == "wrong":
        headers["x-api-key"] = "not-a-key-but-long-enough"
    elif key:
        headers["x-api-key"] = KEYS[key]
    response = client.request(
        method,
        path,
        content=body if method not in ("GET", "HEAD") else b"",
        headers=headers,
        params=query,
    )
    check(response, method)


@pytest.mark.parametrize("size", [0, 1, LIMIT - 20, LIMIT + 1])
@pytest.mark.parametrize(
    "path", ["/v1/classify", "/v1/classify/batch", "/v1/feedback", "/v1/admin/reload"]
)
def test_tiny_and_huge_bodies_at_every_post_endpoint(every_path, path, size):
    """Each POST endpoint, with each body size at the edges, as admin (past the auth)."""
    client, _ = every_path
    body = b"" if size == 0 else (b"{" if size == 1 else b'{"text": "' + b"x" * size + b'"}')
    response = client.post(
        path, content=body, headers={"content-type": "application/json", "x-api-key": KEYS["admin"]}
    )
    check(response, "POST")
    if size > LIMIT:
        assert response.status_code == 413
    elif size == 1:
        assert response.status_code == 400  # unparsable JSON
    elif size == 0 and path == "/v1/admin/reload":
        assert response.status_code == 200  # no body: reload models/latest
    else:
        assert response.status_code == 422
