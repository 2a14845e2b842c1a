"""Reliability fixtures: a real `rightcall serve` process on loopback, always stopped.

Apps built in-process come from the serving fixtures (tests/serving/conftest.py); this file
adds the real server for tests that need a process to load, kill or measure.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

START_TIMEOUT = 180  # seconds: importing spaCy and loading the model on a busy CI machine
STOP_TIMEOUT = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(
    predicate: Callable[[], bool],
    timeout: float,
    what: str,
    process: subprocess.Popen | None = None,
) -> None:
    """Poll ``predicate`` until it holds; fail after ``timeout`` or if ``process`` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            pytest.fail(f"server exited with {process.returncode} while waiting for {what}")
        with contextlib.suppress(httpx.TransportError):
            if predicate():
                return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


@dataclass
class Server:
    process: subprocess.Popen
    base_url: str
    log: Path

    def log_text(self) -> str:
        return self.log.read_text("utf-8", errors="replace")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def rightcall_serve(
    models: Path, workdir: Path, database: Path, log_name: str = "server.log", **env: str
) -> Iterator[Server]:
    """`rightcall serve` in local mode on a free loopback port, ready to classify; stopped
    (SIGTERM, then SIGKILL) on the way out whatever the test did to it."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("RIGHTCALL_")}
    environment.update(RIGHTCALL_DATABASE_URL=f"sqlite:///{database}", **env)
    log = workdir / log_name
    rightcall = Path(sys.executable).with_name("rightcall")
    with log.open("ab") as sink:
        process = subprocess.Popen(
            [
                str(rightcall),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--models",
                str(models),
            ],
            cwd=workdir,
            env=environment,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    try:
        with httpx.Client(base_url=server.base_url, timeout=10) as client:
            wait_for(
                lambda: client.get("/readyz").status_code == 200, START_TIMEOUT, "/readyz", process
            )
        yield server
    finally:
        stop(process)


# The serving fixtures, shared rather than copied.
from tests.serving.conftest import private_models, shared_models  # noqa: E402, F401


@pytest.fixture(scope="module")
def private_models_module(model_path, tmp_path_factory) -> Path:
    """A models/ folder of its own for a module whose tests may reload the model."""
    from tests.serving.conftest import copy_models

    return copy_models(model_path, tmp_path_factory.mktemp("models") / "models")
