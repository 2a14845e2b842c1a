"""``./dev test`` stops the PostgreSQL server it started, keeps pytest's exit status, and
``./dev stop`` stops a server left running (scripts/test-services.sh)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PG_BINS = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
needs_postgres = pytest.mark.skipif(
    not PG_BINS or (os.geteuid() == 0 and shutil.which("runuser") is None),
    reason="PostgreSQL server binaries are not installed",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def dev(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(REPO / "dev"), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def running(data_dir: Path) -> bool:
    command = [f"{PG_BINS[-1]}/pg_ctl", "-D", str(data_dir), "status"]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, capture_output=True).returncode == 0


@pytest.fixture()
def pg_env() -> Iterator[dict[str, str]]:
    """A private cluster folder and port, so a PostgreSQL another run uses is never touched.

    Under /tmp itself (not pytest's private tmp_path) so the 'postgres' user can reach it.
    """
    data_dir = Path("/tmp") / f"rightcall-test-pg-{uuid.uuid4().hex[:12]}"
    env = {"RIGHTCALL_TEST_PG_DIR": str(data_dir), "RIGHTCALL_TEST_PG_PORT": str(free_port())}
    yield env
    dev("stop", env=env)
    shutil.rmtree(data_dir, ignore_errors=True)


def test_stop_with_nothing_running_says_so(pg_env):
    result = dev("stop", env=pg_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no test PostgreSQL server running" in result.stdout


@needs_postgres
def test_dev_test_stops_the_server_it_started_and_keeps_pytest_status(pg_env):
    data_dir = Path(pg_env["RIGHTCALL_TEST_PG_DIR"])
    collected = dev("test", "--collect-only", "-q", "tests/dev", env=pg_env)
    assert collected.returncode == 0, collected.stdout + collected.stderr
    assert "PostgreSQL for tests on 127.0.0.1" in collected.stdout
    assert "stopped the test PostgreSQL server" in collected.stdout
    assert not running(data_dir)

    failed = dev("test", "-q", "tests/dev/no_such_test_file.py", env=pg_env)
    assert failed.returncode == 4, failed.stdout + failed.stderr  # pytest: no tests found
    assert not running(data_dir)


@needs_postgres
def test_dev_test_leaves_a_server_it_did_not_start_and_dev_stop_stops_it(pg_env):
    data_dir = Path(pg_env["RIGHTCALL_TEST_PG_DIR"])
    started = subprocess.run(
        ["bash", "-c", "source scripts/test-services.sh && rightcall_services_start"],
        cwd=REPO,
        env={**os.environ, **pg_env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert running(data_dir), started.stdout + started.stderr

    collected = dev("test", "--collect-only", "-q", "tests/dev", env=pg_env)
    assert collected.returncode == 0, collected.stdout + collected.stderr
    assert running(data_dir)  # another run's server stays up

    stopped = dev("stop", env=pg_env)
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert "stopped the test PostgreSQL server" in stopped.stdout
    assert not running(data_dir)
