"""The feedback database locked by another writer, or unreachable: classification carries on,
feedback answers 503 saying it was not stored (never a silent drop), and the server recovers
as soon as the database does. A real SQLite file throughout.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from serving import create_app

from ..serving.conftest import NOTE, assert_error, make_settings

LABELS = {"mental_health": False, "crime": True, "threat_to_life": True}
BUSY_WAIT = 5.0  # seconds: the store's busy timeout (serving/store.py)


def feedback(call_id: str) -> dict:
    return {"call_id": call_id, "text": f"{NOTE} ({call_id})", "labels": LABELS}


def stored_calls(db: Path) -> list[str]:
    with sqlite3.connect(db) as connection:
        return [row[0] for row in connection.execute("SELECT call_id FROM feedback ORDER BY id")]


@pytest.fixture()
def app_and_db(shared_models, tmp_path):
    with TestClient(create_app(make_settings(tmp_path, shared_models))) as client:
        yield client, tmp_path / "feedback.db"


def test_a_locked_database_gives_503_while_classification_carries_on(app_and_db):
    client, db = app_and_db
    assert client.post("/v1/feedback", json=feedback("before")).status_code == 201

    # Another connection takes the write lock and holds it (as a long migration or a
    # stuck admin session would).
    holder = sqlite3.connect(db, isolation_level=None, timeout=0)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        answer: dict = {}

        def send_during_lock() -> None:
            started = time.monotonic()
            answer["response"] = client.post("/v1/feedback", json=feedback("during"))
            answer["seconds"] = time.monotonic() - started

        writer = threading.Thread(target=send_during_lock)
        writer.start()
        # While that feedback waits on the lock, notes are classified as usual and
        # stored feedback can still be read (SQLite's WAL lets readers past a writer).
        classified = 0
        while writer.is_alive() and classified < 20:
            started = time.monotonic()
            response = client.post("/v1/classify", json={"text": NOTE})
            assert response.status_code == 200
            assert time.monotonic() - started < BUSY_WAIT, "classification waited on the lock"
            classified += 1
            time.sleep(0.1)
        assert classified >= 3 and writer.is_alive()
        export = client.get("/v1/feedback/export")
        assert export.status_code == 200 and "(before)" in export.text
        writer.join(timeout=BUSY_WAIT * 4)
        assert not writer.is_alive()
    finally:
        holder.close()  # ends the transaction: the lock is released

    error = assert_error(answer["response"], 503)
    assert "SQLITE_BUSY" in error["error"] and "not stored" in error["error"]
    assert answer["seconds"] >= BUSY_WAIT * 0.8  # it waited for the lock, then gave up
    assert client.get("/readyz").status_code == 200
    # Not silently dropped: the client was told, nothing half-written; a retry now lands.
    assert stored_calls(db) == ["before"]
    assert client.post("/v1/feedback", json=feedback("during")).status_code == 201
    assert stored_calls(db) == ["before", "during"]


def test_an_unreachable_database_recovers_when_it_comes_back(shared_models, tmp_path):
    """The database's folder cannot be created (a file is in the way) at start: feedback
    is refused with 503; once the folder can exist, the next feedback is stored."""
    blocker = tmp_path / "var"
    blocker.write_text("not a folder")
    db = blocker / "feedback.db"
    settings = make_settings(tmp_path, shared_models, database_url=f"sqlite:///{db}")
    with TestClient(create_app(settings)) as client:
        error = assert_error(client.post("/v1/feedback", json=feedback("lost")), 503)
        assert "SQLITE_CANTOPEN" in error["error"] and "not stored" in error["error"]
        assert_error(client.get("/v1/feedback/export"), 503)
        assert client.post("/v1/classify", json={"text": NOTE}).status_code == 200
        assert client.get("/readyz").status_code == 200

        blocker.unlink()
        blocker.mkdir()  # the disk is back
        assert client.post("/v1/feedback", json=feedback("after")).status_code == 201
        export = client.get("/v1/feedback/export")
        assert export.status_code == 200 and "(after)" in export.text
    assert stored_calls(db) == ["after"]
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
