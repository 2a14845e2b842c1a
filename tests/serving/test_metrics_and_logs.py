"""GET /metrics, and structured logs that never carry the note."""

from __future__ import annotations

import json
import logging

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from serving import create_app
from serving.logs import JsonFormatter

from .conftest import MARKER, NOTE, make_settings


def samples(text: str) -> dict[tuple, float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_metrics_count_requests_flags_and_versions(shared_models, tmp_path, classifier):
    with TestClient(create_app(make_settings(tmp_path, shared_models))) as client:
        flagged = client.post("/v1/classify", json={"text": NOTE}).json()
        client.post("/v1/classify/batch", json={"notes": [{"text": NOTE}, {"text": NOTE}]})
        client.post("/v1/classify", json={"text": ""})
        response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    found = samples(response.text)
    version = classifier.version
    count = found[
        (
            "rightcall_request_duration_seconds_count",
            (("endpoint", "/v1/classify"), ("model_version", version)),
        )
    ]
    assert count == 2  # the refused one was timed too
    assert (
        found[
            (
                "rightcall_request_duration_seconds_count",
                (("endpoint", "/v1/classify/batch"), ("model_version", version)),
            )
        ]
        == 1
    )
    assert found[("rightcall_notes_classified_total", (("model_version", version),))] == 3
    for label, score in flagged["labels"].items():
        key = ("rightcall_flags_total", (("label", label), ("model_version", version)))
        assert found.get(key, 0) == (3 if score["flagged"] else 0)
    assert (
        found[("rightcall_responses_total", (("endpoint", "/v1/classify"), ("status", "422")))] == 1
    )
    assert found[("rightcall_model_load_failures_total", ())] == 0
    assert found[("rightcall_model_info", (("model_version", version),))] == 1


def test_each_app_has_its_own_registry(shared_models, tmp_path):
    with TestClient(create_app(make_settings(tmp_path, shared_models))) as first:
        first.post("/v1/classify", json={"text": NOTE})
    with TestClient(create_app(make_settings(tmp_path, shared_models))) as second:
        text = second.get("/metrics").text
    assert "rightcall_notes_classified_total{" not in text


def test_logs_are_structured_and_never_hold_the_note(shared_models, tmp_path, caplog, classifier):
    caplog.set_level(logging.DEBUG)
    settings = make_settings(tmp_path, shared_models)
    with TestClient(create_app(settings)) as client:
        classified = client.post("/v1/classify", json={"text": NOTE, "call_id": "CAD-9"}).json()
        client.post("/v1/classify/batch", json={"notes": [{"text": NOTE}] * 3})
        client.post(
            "/v1/feedback",
            json={
                "request_id": classified["request_id"],
                "labels": {"mental_health": False, "crime": True, "threat_to_life": True},
                "comment": MARKER,
            },
        )
        client.post("/v1/feedback", json={"call_id": "X", "text": NOTE, "labels": {}})
        client.get("/v1/feedback/export")
        client.post("/v1/classify", json={"text": NOTE + "x" * 10_000})
        client.post("/v1/classify", json={"text": NOTE, "unknown": NOTE})
        client.post(
            "/v1/classify",
            content=b'{"text": "' + NOTE.encode() + b'\xff"}',
            headers={"content-type": "application/json"},
        )
        client.post(
            "/v1/classify",
            content=b'{"text": "' + NOTE.encode(),
            headers={"content-type": "application/json"},
        )
        client.post("/v1/classify", json={"text": NOTE + "\x00"})
    formatter = JsonFormatter()
    lines = [formatter.format(record) for record in caplog.records]
    assert lines
    for record, line in zip(caplog.records, lines, strict=True):
        assert MARKER not in line
        assert MARKER not in record.getMessage()
        assert MARKER not in json.dumps(vars(record), default=str)
    requests = [json.loads(line) for line in lines if '"event": "request"' in line]
    assert len(requests) == 10
    first = requests[0]
    assert first["request_id"] == classified["request_id"]
    assert first["path"] == "/v1/classify" and first["status"] == 200
    assert first["model_version"] == classifier.version
    assert first["latency_ms"] > 0
    assert first["notes"] == 1
    assert set(first["flags"]) <= {"mental_health", "crime", "threat_to_life"}
    assert all("CAD-9" not in line for line in lines)  # call ids are not logged either
    assert [r["status"] for r in requests[1:]] == [200, 201, 422, 200, 422, 422, 400, 400, 422]
    assert requests[1]["notes"] == 3


def test_an_unexpected_error_is_a_json_500_that_logs_no_note(caplog, tmp_path, shared_models):
    """The last-resort path: the real app with one extra route whose failure quotes a note."""
    app = create_app(make_settings(tmp_path, shared_models))

    def explode() -> None:
        raise RuntimeError(f"could not handle {NOTE}")

    app.add_api_route("/boom", explode)
    caplog.set_level(logging.DEBUG)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
        assert client.get("/healthz").status_code == 200  # and the server carries on
    assert response.status_code == 500
    assert set(response.json()) == {"error", "request_id"}
    assert MARKER not in response.text
    lines = [JsonFormatter().format(record) for record in caplog.records]
    assert any('"exception": "RuntimeError"' in line for line in lines)
    assert all(MARKER not in line for line in lines)
