"""GET /v1/model, the probes, and hot reload through POST /v1/admin/reload."""

from __future__ import annotations

import shutil

import pytest
from fastapi.testclient import TestClient

from model import LABELS, MODEL_FILE, point_latest
from serving import create_app

from .conftest import add_version, assert_error, make_settings

PROBE = "Caller's son is threatening him with a kitchen knife."


@pytest.fixture()
def client(private_models, tmp_path):
    with TestClient(create_app(make_settings(tmp_path, private_models))) as client:
        yield client


def served_version(client) -> str:
    return client.get("/v1/model").json()["version"]


def test_model_returns_the_verified_manifest(local_client, classifier):
    body = local_client.get("/v1/model").json()
    manifest = classifier.manifest
    assert body["version"] == classifier.version
    assert body["labels"] == list(LABELS)
    assert body["thresholds"] == manifest["thresholds"]
    assert body["calibration"] == manifest["calibration"]
    assert body["metrics"] == manifest["metrics"]
    assert body["created"] == manifest["created"]
    assert body["sha256"] == manifest["files"][MODEL_FILE]
    assert body["files"] == manifest["files"]


def test_probes(local_client, classifier):
    assert local_client.get("/healthz").json() == {"status": "alive"}
    ready = local_client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "model_version": classifier.version}


def test_not_ready_without_a_model_until_one_is_reloaded(tmp_path, model_path):
    models = tmp_path / "models"
    models.mkdir()
    with TestClient(create_app(make_settings(tmp_path, models))) as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 503
        assert_error(client.get("/v1/model"), 503)
        assert "rightcall_model_load_failures_total 1.0" in client.get("/metrics").text
        shutil.copytree(model_path.resolve(), models / "v1")
        point_latest(models, "v1")
        assert client.post("/v1/admin/reload").status_code == 200
        assert client.get("/readyz").status_code == 200
        assert client.post("/v1/classify", json={"text": PROBE}).status_code == 200


def test_reload_to_a_good_new_version_swaps(client, private_models, classifier):
    before = client.post("/v1/classify", json={"text": PROBE}).json()
    add_version(private_models, "v2-good")
    response = client.post("/v1/admin/reload")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "reloaded"
    assert body["previous"] == classifier.version and body["version"] == "v2-good"
    assert served_version(client) == "v2-good"
    after = client.post("/v1/classify", json={"text": PROBE}).json()
    assert after["model"]["version"] == "v2-good"
    assert after["labels"] == before["labels"]  # same weights, new name
    assert 'rightcall_model_info{model_version="v2-good"} 1.0' in client.get("/metrics").text


def test_reload_of_a_named_version(client, private_models, classifier):
    add_version(private_models, "v2")
    point_latest(private_models, classifier.version)  # latest stays on the original
    assert client.post("/v1/admin/reload", json={"version": "v2"}).json()["version"] == "v2"
    assert served_version(client) == "v2"
    assert client.post("/v1/admin/reload").json()["version"] == classifier.version


def test_reload_of_a_tampered_artefact_is_refused_and_the_old_model_keeps_serving(
    client, private_models, classifier
):
    before = client.post("/v1/classify", json={"text": PROBE}).json()
    add_version(private_models, "v3-tampered", tamper=True)  # one byte of model.joblib flipped
    error = assert_error(client.post("/v1/admin/reload"), 409)
    assert "model.joblib" in error["error"] and "sha256" in error["error"]
    assert f"still serving {classifier.version}" in error["error"]
    assert served_version(client) == classifier.version
    assert client.get("/readyz").json()["model_version"] == classifier.version
    after = client.post("/v1/classify", json={"text": PROBE}).json()
    assert after["model"]["version"] == classifier.version
    assert after["labels"] == before["labels"]
    assert "rightcall_model_load_failures_total 1.0" in client.get("/metrics").text


def test_reload_refuses_a_version_missing_its_manifest(client, private_models, classifier):
    add_version(private_models, "v4-broken")
    (private_models / "v4-broken" / "manifest.json").unlink()
    error = assert_error(client.post("/v1/admin/reload"), 409)
    assert "manifest" in error["error"]
    assert served_version(client) == classifier.version


@pytest.mark.parametrize(
    ("version", "status"),
    [("does-not-exist", 404), ("../models", 404), ("a/b", 404), ("", 422), (7, 422)],
)
def test_reload_of_an_unknown_version_is_refused(client, classifier, version, status):
    assert_error(client.post("/v1/admin/reload", json={"version": version}), status)
    assert served_version(client) == classifier.version


def test_a_tampered_model_is_never_loaded_at_start(tmp_path, model_copy):
    models = model_copy.parent
    point_latest(models, model_copy.name)
    target = model_copy / MODEL_FILE
    data = bytearray(target.read_bytes())
    data[100] ^= 0xFF
    target.write_bytes(bytes(data))
    with TestClient(create_app(make_settings(tmp_path, models))) as client:
        assert client.get("/readyz").status_code == 503
        assert_error(client.post("/v1/classify", json={"text": PROBE}), 503)
