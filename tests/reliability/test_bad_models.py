"""Artefacts that must never be served: refused at start (the server stays up, not ready) and
at reload (the old model keeps serving), each with an error that says what is wrong.

A tampered ``model.joblib`` at start and at reload, and a missing manifest at reload, are in
tests/serving/test_model_and_reload.py; this covers every other way an artefact goes bad.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from model import MANIFEST_FILE, SCORER_FILE, point_latest, sha256_file
from serving import create_app
from serving.logs import JsonFormatter

from ..serving.conftest import assert_error, make_settings

PROBE = "Caller's son is threatening him with a kitchen knife."


def edit_manifest(version: Path, change: Callable[[dict], None]) -> None:
    path = version / MANIFEST_FILE
    manifest = json.loads(path.read_text("utf-8"))
    change(manifest)
    path.write_text(json.dumps(manifest, indent=2), "utf-8")


def other_labels(version: Path) -> None:
    """As a model trained for another label set would record it (labels and thresholds)."""

    def change(manifest: dict) -> None:
        manifest["labels"] = ["mental_health", "crime", "fire_risk"]
        manifest["thresholds"] = {"mental_health": 0.5, "crime": 0.5, "fire_risk": 0.5}

    edit_manifest(version, change)


def reordered_labels(version: Path) -> None:
    """The same labels in another order: every score would land on the wrong label."""
    edit_manifest(version, lambda m: m.update(labels=["crime", "mental_health", "threat_to_life"]))


def no_manifest(version: Path) -> None:
    (version / MANIFEST_FILE).unlink()


def manifest_not_json(version: Path) -> None:
    (version / MANIFEST_FILE).write_text('{"version": "half-written', "utf-8")


def truncated_scorer_rehashed(version: Path) -> None:
    """The file serving reads (``scorer.npz``) cut short, as by a copy that failed halfway,
    with its manifest hash updated to match: the hashes agree, the file cannot be read."""
    scorer = version / SCORER_FILE
    scorer.write_bytes(scorer.read_bytes()[: scorer.stat().st_size // 2])
    edit_manifest(version, lambda m: m["files"].update({SCORER_FILE: sha256_file(scorer)}))


def lexicon_file_missing(version: Path) -> None:
    (version / "lexicon" / "cues.jsonl").unlink()


def lexicon_edited(version: Path) -> None:
    """An identity word quietly removed from the model's lexicon: its features change."""
    path = version / "lexicon" / "identity.json"
    identity = json.loads(path.read_text("utf-8"))
    identity["drop"].remove("black")
    path.write_text(json.dumps(identity), "utf-8")


def other_library_version(version: Path) -> None:
    edit_manifest(version, lambda m: m["versions"].update({"scikit-learn": "0.24.2"}))


# breakage, and what the error must say
BREAKAGES = {
    "trained for another label set": (other_labels, "trained for labels"),
    "labels in another order": (reordered_labels, "trained for labels"),
    "manifest missing": (no_manifest, "manifest missing"),
    "manifest not JSON": (manifest_not_json, "manifest is not valid JSON"),
    "scorer file corrupted, hash updated": (
        truncated_scorer_rehashed,
        f"{SCORER_FILE}: cannot be loaded",
    ),
    "lexicon file missing": (lexicon_file_missing, "listed in the manifest but missing"),
    "lexicon edited": (lexicon_edited, "identity.json: sha256 does not match"),
    "other scikit-learn version": (other_library_version, "trained with scikit-learn 0.24.2"),
}


def broken_copy(model_path: Path, models: Path, name: str, breakage: str) -> Path:
    target = models / name
    shutil.copytree(model_path.resolve(), target)
    BREAKAGES[breakage][0](target)
    return target


def refusals(caplog) -> list[dict]:
    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records]
    return [line for line in lines if line.get("event") == "model_load_refused"]


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_refused_at_start_the_server_stays_up_and_not_ready(breakage, model_path, tmp_path, caplog):
    models = tmp_path / "models"
    models.mkdir()
    broken_copy(model_path, models, "v-broken", breakage)
    point_latest(models, "v-broken")
    caplog.set_level(logging.INFO, logger="rightcall")
    with TestClient(create_app(make_settings(tmp_path, models))) as client:
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["status"] == "not ready" and len(ready.json()["request_id"]) == 32
        assert_error(client.post("/v1/classify", json={"text": PROBE}), 503)
        assert "rightcall_model_load_failures_total 1.0" in client.get("/metrics").text
    (refused,) = refusals(caplog)
    assert refused["trigger"] == "start" and refused["serving"] is None
    assert BREAKAGES[breakage][1] in refused["reason"], refused["reason"]


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_refused_at_reload_the_old_model_keeps_serving(
    breakage, private_models, classifier, tmp_path, caplog
):
    caplog.set_level(logging.INFO, logger="rightcall")
    with TestClient(create_app(make_settings(tmp_path, private_models))) as client:
        before = client.post("/v1/classify", json={"text": PROBE}).json()
        broken_copy(private_models / "latest", private_models, "v-broken", breakage)
        point_latest(private_models, "v-broken")
        error = assert_error(client.post("/v1/admin/reload"), 409)
        assert BREAKAGES[breakage][1] in error["error"], error["error"]
        assert f"still serving {classifier.version}" in error["error"]
        assert client.get("/readyz").json()["model_version"] == classifier.version
        after = client.post("/v1/classify", json={"text": PROBE}).json()
        assert after["model"]["version"] == classifier.version
        assert after["labels"] == before["labels"]
    (refused,) = refusals(caplog)
    assert refused["trigger"] == "api" and refused["serving"] == classifier.version
    assert BREAKAGES[breakage][1] in refused["reason"]
