"""Feedback: stored in the real database, exported as training data, purged when old."""

from __future__ import annotations

import json
import os
import sqlite3
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import tomli_w
from fastapi.testclient import TestClient
from sqlalchemy import text as sql
from typer.testing import CliRunner

from cli.main import app as cli
from model import load
from notefiles import load_notes
from serving import create_app
from serving.store import FeedbackStore
from training import DEFAULT_CONFIG

from .conftest import NOTE, assert_error, make_settings


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"
JUDGED = {"mental_health": True, "crime": False, "threat_to_life": True}


@pytest.fixture()
def sqlite_app(shared_models, tmp_path):
    """A local-mode app whose feedback lives in ``tmp_path / 'feedback.db'``, read directly
    by the tests once the server has opened it (it does so beside the running server)."""
    with TestClient(create_app(make_settings(tmp_path, shared_models))) as client:
        client.app.state.store.get()
        yield client, tmp_path / "feedback.db"


def rows(db: Path) -> list[sqlite3.Row]:
    with sqlite3.connect(db) as connection:
        connection.row_factory = sqlite3.Row
        return connection.execute("SELECT * FROM feedback ORDER BY id").fetchall()


def export_lines(client) -> list[dict]:
    response = client.get("/v1/feedback/export")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in response.text.splitlines()]


def test_feedback_by_request_id_stores_the_classified_note(sqlite_app, classifier):
    client, db = sqlite_app
    classified = client.post("/v1/classify", json={"text": NOTE, "call_id": "CAD-7"}).json()
    response = client.post(
        "/v1/feedback",
        json={
            "request_id": classified["request_id"],
            "labels": JUDGED,
            "route_taken": "health-led",
            "comment": "sent mental health nurse",
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["text_from"] == "recent"
    assert body["request_id"] == response.headers["x-request-id"]
    (row,) = rows(db)
    assert row["id"] == body["feedback_id"]
    assert row["text"] == NOTE
    assert json.loads(row["labels"]) == JUDGED
    assert row["request_id"] == classified["request_id"]
    assert row["call_id"] == "CAD-7"
    assert row["route_taken"] == "health-led"
    assert row["comment"] == "sent mental health nurse"
    assert row["model_version"] == classifier.version
    assert abs(datetime.fromisoformat(row["created"]) - utcnow()) < timedelta(minutes=1)
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_feedback_by_call_id_and_for_one_note_of_a_batch(sqlite_app):
    client, db = sqlite_app
    batch = client.post(
        "/v1/classify/batch",
        json={
            "notes": [
                {"text": "first note: noise complaint", "call_id": "CAD-A"},
                {"text": "second note: " + NOTE, "call_id": "CAD-B"},
            ]
        },
    ).json()
    by_call = client.post("/v1/feedback", json={"call_id": "CAD-A", "labels": JUDGED})
    assert by_call.status_code == 201 and by_call.json()["text_from"] == "recent"
    second = batch["results"][1]["request_id"]
    by_id = client.post("/v1/feedback", json={"request_id": second, "labels": JUDGED})
    assert by_id.status_code == 201
    stored = rows(db)
    assert [r["text"] for r in stored] == ["first note: noise complaint", "second note: " + NOTE]
    assert [r["call_id"] for r in stored] == ["CAD-A", "CAD-B"]


def test_feedback_with_its_own_text_needs_no_recent_request(sqlite_app):
    client, db = sqlite_app
    response = client.post(
        "/v1/feedback", json={"call_id": "CAD-elsewhere", "text": NOTE, "labels": JUDGED}
    )
    assert response.status_code == 201 and response.json()["text_from"] == "request"
    assert rows(db)[0]["text"] == NOTE


def test_feedback_for_an_unknown_request_without_text_is_404(sqlite_app):
    client, db = sqlite_app
    error = assert_error(
        client.post("/v1/feedback", json={"request_id": "0" * 32, "labels": JUDGED}), 404
    )
    assert "text" in error["error"]
    assert rows(db) == []


def test_export_is_training_data_and_feeds_rightcall_train(sqlite_app, tmp_path):
    client, _ = sqlite_app
    notes = [
        ("Pt threatening to jump from the bridge, says life not worth living", JUDGED),
        (
            "Two men fighting outside pub, one bleeding from head",
            {"mental_health": False, "crime": True, "threat_to_life": True},
        ),
        (
            "Lost dog found wandering on the high street",
            {"mental_health": False, "crime": False, "threat_to_life": False},
        ),
    ]
    for i, (text, labels) in enumerate(notes):
        request_id = client.post("/v1/classify", json={"text": text}).json()["request_id"]
        response = client.post(
            "/v1/feedback", json={"request_id": request_id, "call_id": f"CAD-{i}", "labels": labels}
        )
        assert response.status_code == 201
    records = export_lines(client)
    assert [r["text"] for r in records] == [text for text, _ in notes]
    for record, (_, labels) in zip(records, notes, strict=True):
        assert {k: record[k] for k in labels} == {k: int(v) for k, v in labels.items()}
        assert record["source"] == "feedback"
    export = tmp_path / "feedback.jsonl"
    export.write_text(client.get("/v1/feedback/export").text, encoding="utf-8")
    assert len(load_notes(export)) == 3  # the training loader accepts it as it is

    # Train on the export plus a slice of the bundled corpus (every 15th note keeps every
    # label's positives) with a lighter config: the full run would only make this slower.
    sample = tmp_path / "corpus-sample.jsonl"
    lines = [
        line
        for split in ("train", "dev")
        for line in (CORPUS / f"{split}.jsonl").read_text("utf-8").splitlines()[::15]
    ]
    sample.write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = tomllib.loads(DEFAULT_CONFIG.read_text("utf-8"))
    config["data"] = {"train": [str(sample)]}
    config["features"]["char_ngrams"] = False
    config["model"]["calibration_folds"] = 2
    light = tmp_path / "light.toml"
    light.write_text(tomli_w.dumps(config), encoding="utf-8")
    out = tmp_path / "retrained"
    result = CliRunner().invoke(
        cli,
        [
            "train",
            "--config",
            str(light),
            "--out",
            str(out),
            "--data",
            str(export),
            "--data",
            str(sample),
        ],
    )
    assert result.exit_code == 0, result.output[-2000:]
    retrained = load(out / "latest")
    assert str(export) in retrained.manifest["data_files"]
    assert sum(retrained.manifest["data_counts"].values()) == len(lines) + 3


def test_cli_export_matches_the_http_export(sqlite_app, tmp_path):
    client, db = sqlite_app
    client.post("/v1/feedback", json={"call_id": "C1", "text": NOTE, "labels": JUDGED})
    output = tmp_path / "cli-export.jsonl"
    result = CliRunner().invoke(
        cli, ["feedback", "export", "-o", str(output), "--database-url", f"sqlite:///{db}"]
    )
    assert result.exit_code == 0, result.output
    assert output.read_text("utf-8") == client.get("/v1/feedback/export").text


def test_purge_deletes_rows_older_than_the_given_age(sqlite_app):
    client, db = sqlite_app
    for call_id in ("old", "recent"):
        client.post("/v1/feedback", json={"call_id": call_id, "text": NOTE, "labels": JUDGED})
    old = (utcnow() - timedelta(days=100)).isoformat(sep=" ")
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE feedback SET created = ? WHERE call_id = 'old'", (old,))
    result = CliRunner().invoke(
        cli, ["feedback", "purge", "--older-than", "90d", "--database-url", f"sqlite:///{db}"]
    )
    assert result.exit_code == 0, result.output
    assert "Deleted 1 feedback row(s)" in result.output
    assert [r["call_id"] for r in rows(db)] == ["recent"]
    assert [r["call_id"] for r in export_lines(client)] == ["recent"]


@pytest.mark.parametrize("age", ["90", "ninety days", "-5d", "3y"])
def test_purge_refuses_an_unclear_age(tmp_path, age):
    result = CliRunner().invoke(
        cli,
        [
            "feedback",
            "purge",
            "--older-than",
            age,
            "--database-url",
            f"sqlite:///{tmp_path / 'f.db'}",
        ],
    )
    assert result.exit_code == 2
    assert "90d" in result.output


def test_default_database_is_a_file_under_var_in_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RIGHTCALL_DATABASE_URL", raising=False)
    result = CliRunner().invoke(cli, ["feedback", "purge", "--older-than", "90d"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "var" / "rightcall.db").is_file()


@pytest.mark.parametrize(
    "url", ["sqlite:///{tmp}/a-file/feedback.db", "postgresql://rightcall@127.0.0.1:1/rightcall"]
)
def test_database_down_gives_503_and_classification_carries_on(shared_models, tmp_path, url):
    (tmp_path / "a-file").write_text("not a folder")
    settings = make_settings(tmp_path, shared_models, database_url=url.format(tmp=tmp_path))
    with TestClient(create_app(settings)) as client:
        error = assert_error(
            client.post("/v1/feedback", json={"call_id": "C1", "text": NOTE, "labels": JUDGED}), 503
        )
        assert "unavailable" in error["error"] and "not stored" in error["error"]
        assert_error(client.get("/v1/feedback/export"), 503)
        assert client.post("/v1/classify", json={"text": NOTE}).status_code == 200
        assert client.get("/readyz").status_code == 200


def test_feedback_in_a_real_postgresql(shared_models, tmp_path):
    url = os.environ.get("RIGHTCALL_TEST_POSTGRES_URL")
    if not url:
        pytest.skip(
            "RIGHTCALL_TEST_POSTGRES_URL is not set: no PostgreSQL server to test "
            "against (./dev test starts one via scripts/test-services.sh when it can)"
        )
    store = FeedbackStore(url)
    store.ensure_schema()
    with store.engine.begin() as connection:
        connection.execute(sql("DELETE FROM feedback"))
    store.close()
    with TestClient(create_app(make_settings(tmp_path, shared_models, database_url=url))) as c:
        request_id = c.post("/v1/classify", json={"text": NOTE}).json()["request_id"]
        assert (
            c.post(
                "/v1/feedback", json={"request_id": request_id, "call_id": "PG-1", "labels": JUDGED}
            ).status_code
            == 201
        )
        assert (
            c.post(
                "/v1/feedback",
                json={"call_id": "PG-2", "text": "naïve café ☕ 🔪", "labels": JUDGED},
            ).status_code
            == 201
        )
        records = export_lines(c)
        assert [r["text"] for r in records] == [NOTE, "naïve café ☕ 🔪"]
        store = FeedbackStore(url)
        with store.engine.begin() as connection:
            connection.execute(
                sql(
                    "UPDATE feedback SET created = created - interval '100 days' "
                    "WHERE call_id = 'PG-1'"
                )
            )
        store.close()
        result = CliRunner().invoke(
            cli, ["feedback", "purge", "--older-than", "90d", "--database-url", url]
        )
        assert result.exit_code == 0 and "Deleted 1" in result.output
        assert [r["call_id"] for r in export_lines(c)] == ["PG-2"]
