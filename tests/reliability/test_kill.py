"""The server killed (SIGKILL, no chance to clean up) in the middle of a stream of feedback
writes: after a restart the database opens cleanly and every feedback the server
acknowledged (HTTP 201) is there, with its note and labels.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import threading
import time

import httpx
import pytest

from ..serving.conftest import MARKER, NOTE, copy_models
from .conftest import rightcall_serve, wait_for

WRITERS = 6
MAX_PER_WRITER = 2000  # a bound on the loop whatever happens
ACKED_BEFORE_KILL = 150
WRITE_WINDOW = 60.0  # seconds the writers may run before the kill, at most


def labels_for(n: int) -> dict[str, bool]:
    return {"mental_health": n % 2 == 0, "crime": n % 3 == 0, "threat_to_life": n % 5 == 0}


@pytest.mark.slow
def test_every_acknowledged_feedback_survives_a_kill(model_path, tmp_path):
    models = copy_models(model_path, tmp_path / "models")
    db = tmp_path / "feedback.db"
    acked: dict[str, dict] = {}  # call_id -> what the server acknowledged storing
    lock = threading.Lock()
    stop = threading.Event()
    errors_after_kill: list[str] = []

    with rightcall_serve(models, tmp_path, db) as server:

        def write(writer: int) -> None:
            with httpx.Client(base_url=server.base_url, timeout=30) as client:
                for n in range(MAX_PER_WRITER):
                    if stop.is_set():
                        return
                    call_id = f"K{writer}-{n}"
                    body = {
                        "call_id": call_id,
                        "text": f"{NOTE} #{call_id}",
                        "labels": labels_for(n),
                    }
                    try:
                        response = client.post("/v1/feedback", json=body)
                    except httpx.TransportError as error:  # the kill cut this one off
                        errors_after_kill.append(type(error).__name__)
                        return
                    assert response.status_code == 201, response.text
                    with lock:
                        acked[call_id] = {**body, "feedback_id": response.json()["feedback_id"]}

        threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + WRITE_WINDOW
        while len(acked) < ACKED_BEFORE_KILL and time.monotonic() < deadline:
            time.sleep(0.05)
        server.process.send_signal(signal.SIGKILL)  # mid-stream: writers are in flight
        server.process.wait(timeout=30)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in threads)
    assert server.process.returncode == -signal.SIGKILL
    assert len(acked) >= ACKED_BEFORE_KILL, f"only {len(acked)} writes acknowledged"
    assert errors_after_kill, "the kill did not interrupt any write"
    with sqlite3.connect(db) as connection:  # the file as the kill left it (with its WAL)
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        on_disk = {row[0] for row in connection.execute("SELECT call_id FROM feedback")}
    assert set(acked) <= on_disk

    # Restart on the same file: it opens, the server is ready, and every acknowledged
    # feedback is exported exactly as it was sent.
    with rightcall_serve(models, tmp_path, db, log_name="restarted.log") as again:
        with httpx.Client(base_url=again.base_url, timeout=30) as client:
            wait_for(lambda: client.get("/readyz").status_code == 200, 60, "/readyz")
            export = client.get("/v1/feedback/export")
            assert export.status_code == 200
            records = {r["call_id"]: r for r in map(json.loads, export.text.splitlines())}
            missing = sorted(set(acked) - set(records))
            assert not missing, f"{len(missing)} acknowledged feedback rows lost: {missing[:10]}"
            for call_id, sent in acked.items():
                record = records[call_id]
                assert record["text"] == sent["text"]
                assert record["id"] == f"feedback-{sent['feedback_id']}"
                assert {k: record[k] for k in sent["labels"]} == {
                    k: int(v) for k, v in sent["labels"].items()
                }
            assert (
                client.post(
                    "/v1/feedback",
                    json={"call_id": "after-restart", "text": NOTE, "labels": labels_for(0)},
                ).status_code
                == 201
            )
        print(
            f"\nkill test: {len(acked)} acknowledged before SIGKILL, "
            f"{len(records) - len(acked)} more stored but unacknowledged, "
            f"{len(errors_after_kill)} writes cut off; all acknowledged rows present"
        )

    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        count = connection.execute("SELECT count(*) FROM feedback").fetchone()[0]
    assert count == len(records) + 1
    for log in (server.log_text(), again.log_text()):
        assert MARKER not in log
