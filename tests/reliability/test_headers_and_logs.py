"""Headers for a control-room browser on every answer, errors included, and no note text in
any log record whatever the request carried and wherever it failed.

The page's own policy, its local assets and the 200 of /v1/classify are checked in
tests/serving/test_page.py; here: every /v1 operation, their errors and the last-resort 500.
"""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient

from serving import create_app
from serving.logs import JsonFormatter

from ..serving.conftest import API_KEYS, KEYS, MARKER, NOTE, headers, make_settings

LABELS = {"mental_health": False, "crime": True, "threat_to_life": True}
CLIENT_LOGGERS = ("httpx", "httpx2", "httpcore")  # the test's own HTTP client, not the server


def calls(note: str) -> list[tuple[str, str, dict | None]]:
    """Every /v1 operation, with a body carrying ``note`` wherever one can go."""
    return [
        ("POST", "/v1/classify", {"text": note, "call_id": f"C-{note[:20]}"}),
        ("POST", "/v1/classify/batch", {"notes": [{"text": note}, {"text": note + " again"}]}),
        ("GET", "/v1/model", None),
        (
            "POST",
            "/v1/feedback",
            {"call_id": "C-1", "text": note, "labels": LABELS, "comment": note},
        ),
        ("GET", "/v1/feedback/export", None),
        ("POST", "/v1/admin/reload", None),
    ]


@pytest.fixture(scope="module")
def keyed(shared_models, tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("headers"), shared_models, api_keys=API_KEYS)
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.mark.parametrize(
    ("method", "path", "body"), calls(NOTE), ids=[f"{m} {p}" for m, p, _ in calls(NOTE)]
)
def test_no_api_answer_is_cached_errors_included(keyed, method, path, body):
    answers = {
        "ok": keyed.request(method, path, json=body, headers=headers("admin")),
        "no key": keyed.request(method, path, json=body),
        "wrong role": keyed.request(
            method,
            path,
            json=body,
            headers=headers("analyst") if path != "/v1/model" else {"X-API-Key": "x" * 20},
        ),
        "bad body": keyed.request(
            method,
            path,
            content=b"{",
            headers={**headers("admin"), "content-type": "application/json"},
        ),
        "too large": keyed.request(
            method,
            path,
            content=b"x" * (2 << 20),
            headers={**headers("admin"), "content-type": "application/json"},
        ),
    }
    for kind, response in answers.items():
        assert response.headers["cache-control"] == "no-store", (kind, response.status_code)
        assert response.headers["x-content-type-options"] == "nosniff", kind
    assert answers["ok"].status_code in (200, 201)
    assert answers["no key"].status_code == 401
    assert answers["too large"].status_code == 413


def test_unknown_api_paths_and_the_last_resort_500_carry_the_headers(shared_models, tmp_path):
    app = create_app(make_settings(tmp_path, shared_models))

    def explode() -> None:
        raise RuntimeError(NOTE)

    app.add_api_route("/v1/explode", explode)
    with TestClient(app, raise_server_exceptions=False) as client:
        for response in (
            client.get("/v1/explode"),
            client.get("/v1/nothing-here"),
            client.delete("/v1/classify"),
        ):
            assert response.status_code in (500, 404, 405)
            assert response.headers["cache-control"] == "no-store"
            assert response.headers["x-content-type-options"] == "nosniff"
            assert MARKER not in response.text


def test_the_page_cannot_be_framed(keyed):
    for path in ("/", "/static/app.js"):
        response = keyed.get(path)
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], path
        assert response.headers["referrer-policy"] == "no-referrer"


def server_lines(caplog) -> list[str]:
    formatter = JsonFormatter()
    out = []
    for record in caplog.records:
        if record.name.split(".")[0] in CLIENT_LOGGERS:
            continue
        out.append(formatter.format(record))
        out.append(record.getMessage())
        out.append(json.dumps(vars(record), default=str))
    return out


def test_no_log_record_holds_the_note_whatever_the_request(shared_models, tmp_path, caplog):
    """The marker goes into every field that can hold a note, into paths, queries, headers
    and keys, through successes and every kind of failure; then every record is searched."""
    caplog.set_level(logging.DEBUG)
    down = make_settings(
        tmp_path,
        shared_models,
        api_keys=API_KEYS,
        database_url=f"sqlite:///{tmp_path}/a-file/feedback.db",
    )
    (tmp_path / "a-file").write_text("in the way")
    up = make_settings(tmp_path, shared_models, api_keys=API_KEYS)
    requests = 0
    for settings in (up, down):
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            for note in (NOTE, MARKER * 700, f"{MARKER}\x00", f"{MARKER} \ud800"):
                for method, path, body in calls(note):
                    for key in (headers("admin"), headers("analyst"), {"X-API-Key": MARKER}):
                        content = json.dumps(body, ensure_ascii=True).encode() if body else b""
                        client.request(
                            method,
                            f"{path}?q={MARKER}",
                            content=content,
                            headers={
                                **key,
                                "content-type": "application/json",
                                "X-Call-Note": MARKER,
                                "User-Agent": MARKER,
                            },
                        )
                        requests += 1
            client.get(f"/v1/{MARKER}")
            client.post(
                "/v1/classify",
                content=f'{{"text": "{MARKER}'.encode(),
                headers={**headers("handler"), "content-type": "application/json"},
            )
            client.post(
                "/v1/classify",
                content=f'{{"text": "{MARKER}"}}'.encode() + b"\xff",
                headers={**headers("handler"), "content-type": "application/json"},
            )
            client.post(
                "/v1/classify",
                content=f'{{"{MARKER}": 1}}'.encode(),
                headers={**headers("handler"), "content-type": "application/json"},
            )
            requests += 4
    lines = server_lines(caplog)
    logged = sum(
        r.name == "rightcall.serving" and r.getMessage() == "request" for r in caplog.records
    )
    assert logged == requests  # every request was logged, and searched
    leaks = [line[:300] for line in lines if MARKER in line]
    assert not leaks, leaks[:3]
    assert any("store_unavailable" in line for line in lines)  # the failing store was logged
    assert KEYS["admin"] not in "".join(lines)
