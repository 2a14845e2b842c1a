"""`rightcall serve` as a real uvicorn process on loopback: HTTP, keys, SIGHUP reloads, logs."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from .conftest import API_KEYS, MARKER, NOTE, add_version, copy_models, headers

START_TIMEOUT = 180  # seconds; importing spaCy and loading the model on a busy CI machine


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, process: subprocess.Popen | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            pytest.fail(f"server exited with {process.returncode} while waiting for {what}")
        try:
            if predicate():
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture()
def server(model_path, tmp_path):
    """`rightcall serve` with API keys, a private models/ folder and SQLite file."""
    models = copy_models(model_path, tmp_path / "models")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RIGHTCALL_")}
    env.update(RIGHTCALL_API_KEYS=API_KEYS, RIGHTCALL_DATABASE_URL=f"sqlite:///{tmp_path}/fb.db")
    log = tmp_path / "server.log"
    rightcall = Path(sys.executable).with_name("rightcall")
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [str(rightcall), "serve", "--port", str(port), "--models", str(models)],
            cwd=tmp_path,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            wait_for(
                lambda: client.get("/readyz").status_code == 200, START_TIMEOUT, "/readyz", process
            )
            yield process, client, models, log
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def log_events(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text("utf-8").splitlines() if line.strip()]


def test_real_server(server, classifier):
    process, client, models, log = server
    handler, analyst, admin = headers("handler"), headers("analyst"), headers("admin")

    # Classify, alone and in parallel (the model is shared by the server's threads).
    response = client.post("/v1/classify", json={"text": NOTE, "call_id": "CAD-1"}, headers=handler)
    assert response.status_code == 200
    first = response.json()
    assert first["model"]["version"] == classifier.version
    with ThreadPoolExecutor(8) as pool:
        answers = list(
            pool.map(
                lambda _: client.post("/v1/classify", json={"text": NOTE}, headers=handler),
                range(24),
            )
        )
    assert all(a.status_code == 200 for a in answers)
    assert all(a.json()["labels"] == first["labels"] for a in answers)

    # Keys and roles.
    assert client.post("/v1/classify", json={"text": NOTE}).status_code == 401
    assert client.post("/v1/classify", json={"text": NOTE}, headers=analyst).status_code == 403

    # Bad input over real HTTP: 4xx, error shape, no echo.
    bad = [
        client.post(
            "/v1/classify",
            content=b'{"text": "' + MARKER.encode(),
            headers={**handler, "content-type": "application/json"},
        ),
        client.post(
            "/v1/classify",
            content=b'{"text": "' + MARKER.encode() + b'\xff"}',
            headers={**handler, "content-type": "application/json"},
        ),
        client.post("/v1/classify", json={"text": "   "}, headers=handler),
        client.post("/v1/classify", json={"text": MARKER * 800}, headers=handler),
        client.post("/v1/classify/batch", json={"notes": [{"text": "a"}] * 257}, headers=handler),
        client.post(
            "/v1/classify",
            content=b'{"text": "' + b"x" * (1 << 20) + b'"}',
            headers={**handler, "content-type": "application/json"},
        ),
    ]
    assert [r.status_code for r in bad] == [400, 400, 422, 422, 422, 413]
    for r in bad:
        assert set(r.json()) == {"error", "request_id"} and MARKER not in r.text

    # Feedback into the SQLite file, exported for the analyst.
    feedback = client.post(
        "/v1/feedback",
        headers=handler,
        json={
            "request_id": first["request_id"],
            "labels": {"mental_health": False, "crime": True, "threat_to_life": True},
        },
    )
    assert feedback.status_code == 201
    export = client.get("/v1/feedback/export", headers=analyst)
    assert export.status_code == 200
    assert json.loads(export.text.splitlines()[0])["text"] == NOTE

    # SIGHUP reloads models/latest: a good new version is swapped in...
    add_version(models, "v2-good")
    process.send_signal(signal.SIGHUP)
    wait_for(
        lambda: client.get("/v1/model", headers=admin).json()["version"] == "v2-good",
        60,
        "the SIGHUP reload",
        process,
    )
    # ...a tampered one is refused and the good one keeps serving.
    add_version(models, "v3-tampered", tamper=True)
    process.send_signal(signal.SIGHUP)
    wait_for(
        lambda: any(e.get("event") == "model_load_refused" for e in log_events(log)),
        60,
        "the refused reload",
        process,
    )
    assert client.get("/v1/model", headers=admin).json()["version"] == "v2-good"
    refused = client.post("/v1/admin/reload", headers=admin)
    assert refused.status_code == 409 and "still serving v2-good" in refused.json()["error"]
    answer = client.post("/v1/classify", json={"text": NOTE}, headers=handler).json()
    assert answer["model"]["version"] == "v2-good"
    metrics = client.get("/metrics").text
    assert "rightcall_model_load_failures_total 2.0" in metrics

    process.send_signal(signal.SIGTERM)
    # uvicorn shuts down gracefully, then re-raises the signal it caught.
    assert process.wait(timeout=30) in (0, -signal.SIGTERM)
    assert any(e.get("message") == "Application shutdown complete." for e in log_events(log))

    # Every log line is JSON, none holds the note, and the reloads are on record.
    events = log_events(log)
    assert MARKER not in log.read_text("utf-8")
    reloads = [e for e in events if e.get("event") == "model_loaded"]
    assert [(e["trigger"], e["version"]) for e in reloads] == [
        ("start", classifier.version),
        ("SIGHUP", "v2-good"),
    ]
    # The server says which term pipeline it runs (the test process runs the same one).
    from model import engine_name

    assert {e["engine"] for e in reloads} == {engine_name()}
    refusals = [e for e in events if e.get("event") == "model_load_refused"]
    assert [e["trigger"] for e in refusals] == ["SIGHUP", "api"]
    assert all("sha256" in e["reason"] for e in refusals)
    requests = [e for e in events if e.get("event") == "request"]
    assert any(e["path"] == "/v1/classify" and e["status"] == 200 for e in requests)
    assert all({"request_id", "status", "latency_ms", "model_version"} <= set(e) for e in requests)


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs Linux /proc")
def test_the_serving_process_holds_neither_training_code_nor_pandas(server):
    process, client, _, _ = server
    # `rightcall serve` replaced itself (same pid) with the lean serving process.
    cmdline = Path(f"/proc/{process.pid}/cmdline").read_bytes().split(b"\0")
    assert b"cli.serve_process" in cmdline
    assert client.post("/v1/classify", json={"text": NOTE}, headers=headers("handler")).is_success
    mapped = Path(f"/proc/{process.pid}/maps").read_text()
    assert "/pandas/" not in mapped and "/pyarrow/" not in mapped
    # The model is read from scorer.npz: no scikit-learn, and no database library is needed
    # to get ready (it is loaded beside the running server; feedback works).
    assert "/sklearn/" not in mapped
    assert "/numpy/" in mapped  # the check itself can see extension modules
