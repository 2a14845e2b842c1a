"""API keys and roles on every endpoint, and local mode's loopback-only rule."""

from __future__ import annotations

import hashlib

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli.main import app as cli
from serving import Settings, create_app
from serving.bind import LocalModeError

from .conftest import KEYS, NOTE, assert_error, headers, make_settings

ROLES = tuple(KEYS)
FEEDBACK = {
    "call_id": "C-auth",
    "text": NOTE,
    "labels": {"mental_health": False, "crime": True, "threat_to_life": True},
}
# method, path, JSON body, roles allowed (admin is allowed everywhere)
PROTECTED = [
    ("POST", "/v1/classify", {"text": NOTE}, {"handler"}),
    ("POST", "/v1/classify/batch", {"notes": [{"text": NOTE}]}, {"handler"}),
    ("GET", "/v1/model", None, {"handler", "analyst"}),
    ("POST", "/v1/feedback", FEEDBACK, {"handler"}),
    ("GET", "/v1/feedback/export", None, {"analyst"}),
    ("POST", "/v1/admin/reload", None, set()),
]
PUBLIC = ["/healthz", "/readyz", "/metrics", "/", "/openapi.json", "/docs"]
IDS = [f"{method} {path}" for method, path, _, _ in PROTECTED]


def call(client, method: str, path: str, body, key_headers):
    return client.request(method, path, json=body, headers=key_headers)


@pytest.mark.parametrize(("method", "path", "body", "allowed"), PROTECTED, ids=IDS)
def test_missing_key_is_401(keyed_client, method, path, body, allowed):
    response = call(keyed_client, method, path, body, {})
    assert_error(response, 401)
    assert response.headers["www-authenticate"] == "X-API-Key"


@pytest.mark.parametrize(("method", "path", "body", "allowed"), PROTECTED, ids=IDS)
def test_wrong_key_is_401(keyed_client, method, path, body, allowed):
    wrong = {"X-API-Key": KEYS["admin"][:-1] + "X"}
    assert_error(call(keyed_client, method, path, body, wrong), 401)
    # A configured key's hash is not itself a key.
    as_hash = {"X-API-Key": hashlib.sha256(KEYS["admin"].encode()).hexdigest()}
    assert_error(call(keyed_client, method, path, body, as_hash), 401)


@pytest.mark.parametrize(("method", "path", "body", "allowed"), PROTECTED, ids=IDS)
def test_each_role_gets_403_or_through(keyed_client, method, path, body, allowed):
    for role in ROLES:
        response = call(keyed_client, method, path, body, headers(role))
        if role == "admin" or role in allowed:
            assert response.status_code in (200, 201), (role, response.text[:200])
        else:
            assert_error(response, 403)
            assert role in response.json()["error"]


@pytest.mark.parametrize("path", PUBLIC)
def test_probes_metrics_page_and_docs_need_no_key(keyed_client, path):
    assert keyed_client.get(path).status_code == 200


def test_keys_can_be_configured_by_hash_only(shared_models, tmp_path):
    digest = hashlib.sha256(KEYS["analyst"].encode()).hexdigest()
    settings = make_settings(tmp_path, shared_models, api_keys=f"analyst:sha256:{digest}")
    assert KEYS["analyst"] not in settings.model_dump_json()
    with TestClient(create_app(settings)) as client:
        assert client.get("/v1/feedback/export", headers=headers("analyst")).status_code == 200
        assert_error(
            client.post("/v1/classify", json={"text": NOTE}, headers=headers("analyst")), 403
        )


def test_settings_hold_only_hashes_of_keys(keyed_client):
    settings = keyed_client.app.state.settings
    dumped = settings.model_dump_json()
    for key in KEYS.values():
        assert key not in dumped
        assert hashlib.sha256(key.encode()).hexdigest() in dumped


def test_local_mode_needs_no_key(local_client):
    assert local_client.post("/v1/classify", json={"text": NOTE}).status_code == 200
    assert local_client.post("/v1/admin/reload").status_code == 200


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "rightcall.example"])
def test_local_mode_refuses_to_serve_beyond_loopback(shared_models, tmp_path, host):
    with pytest.raises(LocalModeError, match="local mode"):
        create_app(make_settings(tmp_path, shared_models, host=host))


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_local_mode_allows_loopback(shared_models, tmp_path, host):
    create_app(make_settings(tmp_path, shared_models, host=host))


def test_keys_allow_any_host(shared_models, tmp_path):
    create_app(
        make_settings(
            tmp_path, shared_models, host="0.0.0.0", api_keys=f"handler:{KEYS['handler']}"
        )
    )


def test_serve_command_refuses_a_public_host_without_keys(monkeypatch, shared_models):
    monkeypatch.delenv("RIGHTCALL_API_KEYS", raising=False)
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--models", str(shared_models)])
    assert result.exit_code == 2
    assert "local mode" in result.output and "0.0.0.0" in result.output


@pytest.mark.parametrize("value", ["handler:short", "boss:" + "k" * 20, "no-role-here"])
def test_bad_key_settings_are_refused_without_echoing_the_key(monkeypatch, value):
    monkeypatch.setenv("RIGHTCALL_API_KEYS", value)
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 2
    assert "RIGHTCALL_API_KEYS" in result.output
    secret = value.partition(":")[2] or value
    assert secret not in result.output


def test_keys_from_the_environment(monkeypatch):
    monkeypatch.setenv("RIGHTCALL_API_KEYS", f"handler:{KEYS['handler']}, admin:{KEYS['admin']}")
    settings = Settings()
    assert [k.role for k in settings.api_keys] == ["handler", "admin"]
    assert not settings.local_mode
