"""Serving fixtures: apps built by the real factory over the session's trained model.

Apps that may change which model is served get their own models/ folder; the rest
share the session's read-only one.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from model import MANIFEST_FILE, MODEL_FILE, point_latest
from serving import Settings, create_app

KEYS = {
    "handler": "handler-key-0123456789abcdef",
    "analyst": "analyst-key-0123456789abcdef",
    "admin": "admin-key-0123456789abcdef01",
}
API_KEYS = ",".join(f"{role}:{key}" for role, key in KEYS.items())
MARKER = "QZXMARKERNOTE"  # a string that must never appear in a log or an error
NOTE = f"{MARKER} caller says partner threatened to stab her, she is locked in the bathroom"


def headers(role: str | None) -> dict[str, str]:
    return {"X-API-Key": KEYS[role]} if role else {}


def make_settings(tmp: Path, models_dir: Path, **overrides) -> Settings:
    values = {"models_dir": models_dir, "database_url": f"sqlite:///{tmp / 'feedback.db'}"}
    values.update(overrides)
    return Settings(**values)


def copy_models(source_version_dir: Path, target: Path) -> Path:
    """A private models/ folder holding one version and a ``latest`` link to it."""
    version = source_version_dir.resolve().name
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source_version_dir.resolve(), target / version)
    point_latest(target, version)
    return target


def add_version(models_dir: Path, name: str, tamper: bool = False) -> Path:
    """Copy the latest version as ``name`` (a real, verifiable artefact) and point latest
    at it; with ``tamper``, flip one byte of its model file afterwards."""
    source = (models_dir / "latest").resolve()
    target = models_dir / name
    shutil.copytree(source, target)
    manifest = json.loads((target / MANIFEST_FILE).read_text("utf-8"))
    manifest["version"] = name
    (target / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2), "utf-8")
    if tamper:
        model_file = target / MODEL_FILE
        data = bytearray(model_file.read_bytes())
        data[len(data) // 2] ^= 0x01
        model_file.write_bytes(bytes(data))
    point_latest(models_dir, name)
    return target


@pytest.fixture(scope="session")
def shared_models(model_path) -> Path:
    """The session's models/ folder, read-only for serving tests."""
    return model_path.parent


@pytest.fixture()
def private_models(model_path, tmp_path) -> Path:
    return copy_models(model_path, tmp_path / "models")


@pytest.fixture(scope="module")
def local_client(shared_models, tmp_path_factory) -> Iterator[TestClient]:
    """Local mode (no keys), SQLite file in a temporary folder."""
    tmp = tmp_path_factory.mktemp("local")
    with TestClient(create_app(make_settings(tmp, shared_models))) as client:
        yield client


@pytest.fixture(scope="module")
def keyed_client(shared_models, tmp_path_factory) -> Iterator[TestClient]:
    """One key per role configured."""
    tmp = tmp_path_factory.mktemp("keyed")
    settings = make_settings(tmp, shared_models, api_keys=API_KEYS)
    with TestClient(create_app(settings)) as client:
        yield client


def assert_error(response, status: int | tuple[int, ...], *, secret: str | None = MARKER) -> dict:
    """The response is the API's error shape with the expected status and no echo."""
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, (response.status_code, response.text[:300])
    body = response.json()
    assert set(body) == {"error", "request_id"}, body
    assert body["error"] and isinstance(body["error"], str)
    assert len(body["request_id"]) == 32
    assert response.headers["x-request-id"] == body["request_id"]
    if secret:
        assert secret not in response.text
    return body
