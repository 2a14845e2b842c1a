"""An optional extra that is not installed: one line saying how to install it, exit 2, no
traceback (issue 15). The extra is hidden from a real `rightcall` process by a
``sitecustomize`` that makes its modules unimportable."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

HIDE = """
import sys
for name in {modules!r}:
    sys.modules[name] = None  # "import name" now raises ImportError
"""


def run_without(modules: list[str], args: list[str], tmp_path: Path, **env: str):
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(HIDE.format(modules=modules), encoding="utf-8")
    environ = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(site), str(REPO)]),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        capture_output=True,
        text=True,
        env=environ,
        cwd=tmp_path,
        timeout=120,
    )


@pytest.mark.parametrize("hidden", [["dask"], ["distributed"]])
def test_score_with_dask_but_no_dask_extra(model_path, tmp_path, hidden):
    notes = tmp_path / "notes.jsonl"
    notes.write_text('{"id": "1", "text": "man on the bridge"}\n', encoding="utf-8")
    done = run_without(
        hidden,
        [
            "score",
            str(notes),
            "--model",
            str(model_path),
            "--output",
            str(tmp_path / "out.jsonl"),
            "--engine",
            "dask",
        ],
        tmp_path,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert "pip install 'rightcall[dask]'" in lines[0] and "--engine dask" in lines[0]
    assert not (tmp_path / "out.jsonl").exists()


def test_serve_on_postgresql_but_no_postgres_extra(model_path, tmp_path):
    with socket.socket() as probe:  # a free port, in case the server did start
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = run_without(
        ["psycopg"],
        ["serve", "--models", str(model_path.parent), "--port", str(port)],
        tmp_path,
        RIGHTCALL_DATABASE_URL="postgresql://rightcall@127.0.0.1:1/rightcall",
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "pip install 'rightcall[postgres]'" in done.stderr


def test_the_store_names_the_missing_driver(monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)
    from serving.store import make_engine

    with pytest.raises(ValueError, match=r"rightcall\[postgres\]"):
        make_engine("postgresql://rightcall@127.0.0.1:1/rightcall")
