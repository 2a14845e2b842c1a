"""The feedback store opens beside the running server, not before it is ready."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest
from fastapi.testclient import TestClient

from serving.app import create_app
from serving.feedback_access import StoreSlot, StoreUnavailable

from ..conftest import REPO
from .conftest import NOTE, assert_error, make_settings


def test_serving_imports_no_database_library_before_it_is_ready(model_path, tmp_path):
    """Built, with the model loaded as at start-up: SQLAlchemy only when the slot opens."""
    probe = (
        "import sys; sys.modules.setdefault('pandas', None)\n"
        "from serving.app import create_app, start\n"
        "from serving.settings import Settings\n"
        f"settings = Settings(models_dir={str(model_path.parent)!r}, "
        f"database_url='sqlite:///{tmp_path / 'f.db'}')\n"
        "app = create_app(settings)\n"
        "start(settings, app.state.holder)\n"
        "assert app.state.holder.version is not None\n"
        "before = 'sqlalchemy' in sys.modules\n"
        "app.state.store.open()\n"
        "print(before, 'sqlalchemy' in sys.modules, app.state.store.get().count())"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert done.stdout.strip().splitlines()[-1] == "False True 0"


def test_feedback_waits_for_a_store_that_is_still_opening(tmp_path):
    slot = StoreSlot(f"sqlite:///{tmp_path / 'feedback.db'}", wait=10)
    opener = threading.Timer(0.3, slot.open)
    opener.start()
    started = time.perf_counter()
    store = slot.get()
    assert time.perf_counter() - started >= 0.25
    assert store.count() == 0
    opener.join()
    slot.close()


def test_a_store_that_never_opens_is_unavailable_not_a_hang(tmp_path):
    slot = StoreSlot(f"sqlite:///{tmp_path / 'feedback.db'}", wait=0.05)
    with pytest.raises(StoreUnavailable, match="still being opened"):
        slot.get()


@pytest.mark.parametrize(
    ("url", "problem"),
    [("not a url at all", "not a database URL"), ("postgresq://h/db", "NoSuchModuleError")],
)
def test_a_bad_database_url_leaves_the_server_classifying(
    shared_models, tmp_path, caplog, url, problem
):
    """Logged at start, 503 naming the problem for feedback; classification carries on."""
    settings = make_settings(tmp_path, shared_models, database_url=url)
    judged = {"mental_health": True, "crime": False, "threat_to_life": True}
    with TestClient(create_app(settings)) as client:
        assert client.get("/readyz").status_code == 200
        assert client.post("/v1/classify", json={"text": NOTE}).status_code == 200
        error = assert_error(
            client.post("/v1/feedback", json={"call_id": "C1", "text": NOTE, "labels": judged}),
            503,
        )
        assert problem in error["error"] and "not stored" in error["error"]
    assert any(r.getMessage() == "store_unavailable" for r in caplog.records)
