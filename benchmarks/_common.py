"""What every benchmark script shares: machine facts, the commit, percentiles, the JSON
document, the bundled notes, a model to measure, and a ``rightcall serve`` process on
loopback that is always stopped.

Figures are only comparable with the machine they were measured on, so every result
carries the machine's description and its load before and after the run.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import psutil

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "data" / "corpus"
RESULTS = Path(__file__).resolve().parent / "results"
BIN = Path(sys.executable).parent
RIGHTCALL = BIN / "rightcall"
DEFAULT_MODELS = REPO / "models"
START_TIMEOUT = 180.0  # seconds: importing spaCy and loading a model on a busy machine


# ---------------------------------------------------------------- provenance


def git_commit(repo: Path = REPO) -> str | None:
    """HEAD's commit, read from ``.git`` directly (no git process, works in any clone)."""
    git = repo / ".git"
    try:
        if git.is_file():  # a worktree or submodule: "gitdir: PATH"
            git = (repo / git.read_text().split(":", 1)[1].strip()).resolve()
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref:"):
            return head  # detached HEAD
        ref = head.split(":", 1)[1].strip()
        common = git / "commondir"
        bases = [git, *([(git / common.read_text().strip()).resolve()] if common.is_file() else [])]
        for base in bases:
            if (base / ref).is_file():
                return (base / ref).read_text().strip()
        for base in bases:
            packed = base / "packed-refs"
            if packed.is_file():
                for line in packed.read_text().splitlines():
                    if line.endswith(" " + ref):
                        return line.split(" ", 1)[0]
    except OSError:
        return None
    return None


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def _library_versions() -> dict[str, str]:
    from importlib import metadata

    names = (
        "scikit-learn",
        "numpy",
        "scipy",
        "spacy",
        "negspacy",
        "fastapi",
        "uvicorn",
        "pydantic",
        "starlette",
        "httpx",
    )
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def load_snapshot() -> dict:
    """How busy the machine is: load averages and CPU use of everything over 0.5 s."""
    return {
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "cpu_percent": psutil.cpu_percent(interval=0.5),
    }


def machine_info() -> dict:
    memory = psutil.virtual_memory()
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpu_model": _cpu_model(),
        "cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_gib": round(memory.total / 2**30, 1),
        "openblas_env": {k: v for k, v in os.environ.items() if k.startswith("OPENBLAS_")},
        "libraries": _library_versions(),
    }


def new_document(benchmark: str, settings: dict) -> dict:
    """The common head of every result file; ``finish`` adds the load after the run."""
    return {
        "benchmark": benchmark,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "machine": machine_info(),
        "load_before": load_snapshot(),
        "settings": settings,
    }


def finish(document: dict, out: Path) -> Path:
    """Record the load after the run and write the JSON atomically."""
    document["load_after"] = load_snapshot()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    tmp.replace(out)
    return out


def default_out(name: str, quick: bool) -> Path:
    """Quick runs never overwrite the full figures: ``<name>.quick.json``."""
    return RESULTS / (f"{name}.quick.json" if quick else f"{name}.json")


# ---------------------------------------------------------------- statistics


def summarise_ms(values_ms: Sequence[float]) -> dict:
    """p50/p95/p99 (linear interpolation), mean and max of latencies in milliseconds."""
    if not values_ms:
        return {"n": 0, "p50": None, "p95": None, "p99": None, "mean": None, "max": None}
    array = np.asarray(values_ms, dtype=np.float64)
    p50, p95, p99 = np.percentile(array, [50, 95, 99])
    return {
        "n": int(array.size),
        "p50": float(p50),
        "p95": float(p95),
        "p99": float(p99),
        "mean": float(array.mean()),
        "max": float(array.max()),
    }


def make_console():
    """A rich console wide enough for the tables when output is not a terminal."""
    from rich.console import Console

    probe = Console()
    return probe if probe.is_terminal else Console(width=160)


def ratio(a: float | None, b: float | None) -> float | None:
    """a / b, or None when either is missing (or b is zero)."""
    return a / b if a is not None and b else None


def fmt(value: float | None, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:,.{digits}f}"


# ---------------------------------------------------------------- data and models


def corpus_rows(split: str) -> list[dict]:
    path = CORPUS / f"{split}.jsonl"
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def sample_texts(n: int, split: str = "test") -> list[str]:
    """``n`` notes of a split, in file order, cycling through the split when ``n`` is larger."""
    texts = [row["text"] for row in corpus_rows(split)]
    return [texts[i % len(texts)] for i in range(n)]


@contextmanager
def model_folder(models: Path | None) -> Iterator[Path]:
    """A models/ folder holding ``latest``: the given one, else one trained now (temporary)."""
    if models is not None and (models / "latest" / "manifest.json").is_file():
        yield models
        return
    from training import load_config, train

    with tempfile.TemporaryDirectory(prefix="rightcall-bench-models-") as workdir:
        print(f"no model in {models}: training the default model first", file=sys.stderr)
        train(load_config(), Path(workdir))
        yield Path(workdir)


@contextmanager
def current_model_folder(models: Path | None) -> Iterator[tuple[Path, str | None]]:
    """Like ``model_folder``, but a model trained on other corpus files than today's is
    replaced by one trained now, so that it is compared with baselines trained on the same
    split; yields the folder and why it was retrained (None if it was not)."""
    with model_folder(models) as folder:
        stale = model_description(folder / "latest")["trained_on_current_corpus"] is False
        if not stale:
            yield folder, None
            return
    from training import load_config, train

    with tempfile.TemporaryDirectory(prefix="rightcall-bench-models-") as workdir:
        print(
            f"the model in {models} was trained on other corpus files: training the default "
            "model on today's corpus first",
            file=sys.stderr,
        )
        train(load_config(), Path(workdir))
        yield Path(workdir), "the given model was trained on other corpus files"


def model_description(latest: Path) -> dict:
    """Version of the measured model and whether it was trained on today's corpus files."""
    from model import read_manifest, sha256_file

    manifest = read_manifest(latest)
    current = {}
    for name, digest in manifest.get("data_files", {}).items():
        path = Path(name)
        current[path.name] = path.is_file() and sha256_file(path) == digest
    return {
        "path": str(latest.resolve()),
        "version": manifest.get("version"),
        "trained_on_current_corpus": all(current.values()) if current else None,
        "data_files_match": current,
    }


# ---------------------------------------------------------------- processes


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_process(process: subprocess.Popen, timeout: float = 30.0) -> None:
    """SIGTERM, then SIGKILL to the process group it leads (started with a new session)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # any worker left behind by a killed parent


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its live children."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for proc in procs:
        try:
            times = proc.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return total


class Server:
    """``rightcall serve`` in local mode on 127.0.0.1: a free port, a temporary SQLite
    file and log, the given models folder. Use as a context manager; always stopped."""

    def __init__(self, models: Path, workers: int = 1, log_level: str = "info") -> None:
        self.models = models
        self.workers = workers
        self.log_level = log_level
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.started_at = 0.0  # time.time() just before the process was started
        self.ready_seconds: float | None = None
        self._workdir: tempfile.TemporaryDirectory | None = None

    @property
    def log(self) -> Path:
        assert self._workdir is not None
        return Path(self._workdir.name) / "server.log"

    def start(self) -> Server:
        self._workdir = tempfile.TemporaryDirectory(prefix="rightcall-bench-serve-")
        work = Path(self._workdir.name)
        env = {k: v for k, v in os.environ.items() if not k.startswith("RIGHTCALL_")}
        env.update(
            RIGHTCALL_DATABASE_URL=f"sqlite:///{work / 'feedback.db'}",
            RIGHTCALL_LOG_LEVEL=self.log_level,
        )
        command = [
            str(RIGHTCALL),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--models",
            str(self.models),
        ]
        with self.log.open("wb") as sink:
            self.started_at = time.time()
            started = time.perf_counter()
            self.process = subprocess.Popen(
                command,
                cwd=work,
                env=env,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_ready(started)
        return self

    def _loaded_workers(self) -> set[int]:
        pids = set()
        for event in self.events():
            if event.get("event") == "model_loaded":
                pids.add(event.get("pid"))
        return pids

    def _wait_ready(self, started: float) -> None:
        import httpx

        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"rightcall serve exited with {self.process.returncode}; "
                    f"log:\n{self.log.read_text(errors='replace')[-3000:]}"
                )
            try:
                ready = httpx.get(self.base + "/readyz", timeout=2).status_code == 200
            except httpx.TransportError:
                ready = False
            if ready and self.ready_seconds is None:
                self.ready_seconds = time.perf_counter() - started
            if ready and len(self._loaded_workers()) >= self.workers:
                return
            time.sleep(0.02)
        raise RuntimeError(f"rightcall serve not ready after {START_TIMEOUT:.0f} s")

    def events(self) -> list[dict]:
        """The server's JSON log lines (uvicorn's own plain lines are skipped)."""
        events = []
        for line in self.log.read_text("utf-8", errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    events.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
        return events

    def worker_pids(self) -> list[int]:
        """The processes that answer requests: uvicorn's workers, or the server itself."""
        root = psutil.Process(self.process.pid)
        if self.workers == 1:
            return [root.pid]
        loaded = self._loaded_workers()
        return sorted(p.pid for p in root.children(recursive=True) if p.pid in loaded)

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None

    def __enter__(self) -> Server:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()


class ChildTimeout(Exception):
    """A child outlived its time limit and was killed; its usage up to then is kept."""

    def __init__(self, message: str, seconds: float, usage) -> None:
        super().__init__(message)
        self.seconds = seconds
        self.usage = usage


def run_bounded(command: list[str], timeout: float, **kwargs) -> tuple[int, float, object]:
    """Run a child to completion within ``timeout`` seconds; return its exit code, wall
    seconds and its own resource usage (``os.wait4``: peak RSS, CPU time of that child).
    Past the limit its process group is killed and ``ChildTimeout`` raised."""
    started = time.perf_counter()
    process = subprocess.Popen(command, start_new_session=True, **kwargs)
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid == process.pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return process.returncode, time.perf_counter() - started, usage
        if time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            raise ChildTimeout(
                f"{' '.join(command[:3])}... exceeded {timeout:.0f} s",
                time.perf_counter() - started,
                usage,
            )
        time.sleep(0.05)


def run_and_report(args, run, print_tables) -> int:
    """The shared tail of every benchmark script: measure, write JSON, print the tables."""
    console = make_console()
    document = run(args, console)
    finish(document, args.out)
    print_tables(document, console)
    console.print(f"results written to {args.out}")
    return 0
