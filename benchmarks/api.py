"""Benchmark: the HTTP API under load, against the no-op floor of the same server.

Starts ``rightcall serve`` (a real uvicorn process, local mode, 127.0.0.1, a free port,
a temporary SQLite file) with each ``--workers`` count, and drives it with ``wrk`` if
installed (``apt-get install -y wrk``), else an async httpx client, at each
``--concurrency`` for ``--duration`` seconds per endpoint:

* ``POST /v1/classify`` with note bodies taken in turn from the bundled test split;
* ``GET /healthz`` through the same middleware (request id, metrics, log line): the
  HTTP floor, so the ratio shows what the model costs on top of it.

Reports p50/p95/p99 latency and requests/s as the client saw them, the server's own
latency from its log lines, and CPU seconds used by the server and by the load
generator (both share this machine's cores, which limits every figure here).

    .venv/bin/python benchmarks/api.py [--workers 1 2] [--concurrency 1 32] [--duration 20]
    .venv/bin/python benchmarks/api.py --quick        # 3 s per measurement

Prints tables and writes ``benchmarks/results/api.json`` (``api.quick.json`` with
``--quick``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from _common import (
    REPO,
    Server,
    default_out,
    fmt,
    model_description,
    model_folder,
    new_document,
    run_and_report,
    run_bounded,
    sample_texts,
    summarise_ms,
    tree_cpu_seconds,
)
from rich.console import Console
from rich.table import Table

ENDPOINTS = {"classify": ("POST", "/v1/classify"), "healthz": ("GET", "/healthz")}
BODIES = 2000  # notes sampled from the test split (cycled), sent in turn
WARM_UP_CONCURRENCY = 4
REQUEST_TIMEOUT = 10  # seconds, for wrk and httpx alike

WRK_SCRIPT = """-- Written by benchmarks/api.py: test-split note bodies, sent in turn.
local bodies = {
%(bodies)s
}
local requests = {}
local i = 0

function init(args)
  local mode = args[1] or "classify"
  if mode == "healthz" then
    requests[1] = wrk.format("GET", "/healthz")
  else
    local headers = {["Content-Type"] = "application/json"}
    for k, body in ipairs(bodies) do
      requests[k] = wrk.format("POST", "/v1/classify", headers, body)
    end
  end
  i = math.random(#requests) - 1
end

function request()
  i = i %% #requests + 1
  return requests[i]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %%d, "duration_us": %%d, "bytes": %%d, ' ..
    '"errors": {"connect": %%d, "read": %%d, "write": %%d, "status": %%d, "timeout": %%d}, ' ..
    '"latency_us": {"min": %%d, "max": %%d, "mean": %%.3f, ' ..
    '"p50": %%d, "p95": %%d, "p99": %%d}}\\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.max, latency.mean,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def note_bodies(n: int = BODIES) -> list[str]:
    return [json.dumps({"text": text}) for text in sample_texts(n)]


def write_wrk_script(path: Path, bodies: list[str]) -> None:
    safe = [b for b in bodies if "]==]" not in b]
    path.write_text(
        WRK_SCRIPT % {"bodies": ",\n".join(f"[==[{b}]==]" for b in safe)}, encoding="utf-8"
    )


# ---------------------------------------------------------------- load generators


def run_wrk(
    base: str, endpoint: str, concurrency: int, seconds: int, threads: int, script: Path
) -> dict:
    """One wrk run; latency as wrk measured it (µs resolution), CPU of wrk itself."""
    threads = max(1, min(threads, concurrency))
    command = [
        "wrk",
        "-t",
        str(threads),
        "-c",
        str(concurrency),
        "-d",
        f"{seconds}s",
        "--timeout",
        f"{REQUEST_TIMEOUT}s",
        "-s",
        str(script),
        base,
        "--",
        endpoint,
    ]
    with tempfile.TemporaryFile() as out:
        code, _, usage = run_bounded(command, seconds + 60, stdout=out, stderr=subprocess.STDOUT)
        out.seek(0)
        text = out.read().decode("utf-8", errors="replace")
    line = next((x for x in text.splitlines() if x.startswith("WRK_JSON ")), None)
    if code != 0 or line is None:
        raise RuntimeError(f"wrk failed ({code}):\n{text[-2000:]}")
    raw = json.loads(line.removeprefix("WRK_JSON "))
    seconds_run = raw["duration_us"] / 1e6
    lat = raw["latency_us"]
    return {
        "requests": raw["requests"],
        "seconds": seconds_run,
        "requests_per_second": raw["requests"] / seconds_run,
        "latency_ms": {
            "n": raw["requests"],
            "p50": lat["p50"] / 1000,
            "p95": lat["p95"] / 1000,
            "p99": lat["p99"] / 1000,
            "mean": lat["mean"] / 1000,
            "max": lat["max"] / 1000,
        },
        "errors": raw["errors"],
        "loadgen_cpu_seconds": usage.ru_utime + usage.ru_stime,
    }


async def _httpx_load(
    base: str, endpoint: str, concurrency: int, seconds: float, bodies: list[bytes]
) -> dict:
    import httpx

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    latencies: list[float] = []
    errors = {"status": 0, "transport": 0}
    headers = {"content-type": "application/json"}
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=REQUEST_TIMEOUT) as client:
        deadline = time.perf_counter() + seconds

        async def user(offset: int) -> None:
            i = offset
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    if endpoint == "classify":
                        response = await client.post(
                            "/v1/classify", content=bodies[i % len(bodies)], headers=headers
                        )
                    else:
                        response = await client.get("/healthz")
                    latencies.append((time.perf_counter() - started) * 1000)
                    if response.status_code != 200:
                        errors["status"] += 1
                except httpx.HTTPError:
                    errors["transport"] += 1
                i += concurrency

        started = time.perf_counter()
        await asyncio.gather(*(user(k) for k in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "requests_per_second": len(latencies) / elapsed,
        "latency_ms": summarise_ms(latencies),
        "errors": errors,
    }


def run_httpx(
    base: str, endpoint: str, concurrency: int, seconds: float, bodies: list[bytes]
) -> dict:
    """The fallback generator: one Python process, so at high rates it is the bottleneck."""
    cpu = time.process_time()
    result = asyncio.run(_httpx_load(base, endpoint, concurrency, seconds, bodies))
    result["loadgen_cpu_seconds"] = time.process_time() - cpu
    return result


# ---------------------------------------------------------------- one server


def server_latencies(server: Server, offset: int, path: str) -> tuple[dict, int]:
    """The server's own latency for ``path`` from its log lines written after ``offset``."""
    with server.log.open("rb") as handle:
        handle.seek(offset)
        data = handle.read()
    values, statuses = [], {}
    for line in data.decode("utf-8", errors="replace").splitlines():
        if not line.startswith("{"):
            continue
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue  # the last line may be half-written
        if event.get("event") == "request" and event.get("path") == path:
            values.append(event["latency_ms"])
            statuses[str(event["status"])] = statuses.get(str(event["status"]), 0) + 1
    return {**summarise_ms(values), "statuses": statuses}, offset + len(data)


def measure_server(
    models: Path,
    workers: int,
    args: argparse.Namespace,
    loadgen: str,
    script: Path | None,
    bodies: list[bytes],
    console: Console,
) -> list[dict]:
    def load(endpoint: str, concurrency: int, seconds: float) -> dict:
        if loadgen == "wrk":
            return run_wrk(
                server.base, endpoint, concurrency, max(1, round(seconds)), args.wrk_threads, script
            )
        return run_httpx(server.base, endpoint, concurrency, seconds, bodies)

    runs = []
    with Server(models, workers=workers) as server:
        pids = server.worker_pids()
        console.log(f"{workers} worker(s) ready (pids {pids}); warming up {args.warmup} s")
        load("classify", max(WARM_UP_CONCURRENCY, workers), args.warmup)
        offset = server.log.stat().st_size
        for concurrency in args.concurrency:
            for endpoint in ("healthz", "classify"):
                console.log(
                    f"{workers} worker(s), concurrency {concurrency}, {endpoint}, "
                    f"{args.duration} s ({loadgen})"
                )
                cpu = tree_cpu_seconds(server.process.pid)
                result = load(endpoint, concurrency, args.duration)
                server_cpu = tree_cpu_seconds(server.process.pid) - cpu
                time.sleep(0.2)  # let the last log lines land
                server_side, offset = server_latencies(server, offset, ENDPOINTS[endpoint][1])
                result.update(
                    {
                        "workers": workers,
                        "concurrency": concurrency,
                        "endpoint": endpoint,
                        "method_path": " ".join(ENDPOINTS[endpoint]),
                        "loadgen": loadgen,
                        "server_latency_ms": server_side,
                        "server_cpu_seconds": server_cpu,
                        "server_cpu_ms_per_request": (
                            server_cpu / result["requests"] * 1000 if result["requests"] else None
                        ),
                    }
                )
                runs.append(result)
    return runs


def summary(runs: list[dict]) -> list[dict]:
    """classify against healthz for each (workers, concurrency)."""
    out = []
    keyed = {(r["workers"], r["concurrency"], r["endpoint"]): r for r in runs}
    for (workers, concurrency, endpoint), run in keyed.items():
        if endpoint != "classify":
            continue
        floor = keyed.get((workers, concurrency, "healthz"))
        row = {
            "workers": workers,
            "concurrency": concurrency,
            "classify_rps": run["requests_per_second"],
            "classify_p50_ms": run["latency_ms"]["p50"],
            "classify_p95_ms": run["latency_ms"]["p95"],
            "classify_p99_ms": run["latency_ms"]["p99"],
        }
        if floor:
            row.update(
                {
                    "healthz_rps": floor["requests_per_second"],
                    "healthz_p50_ms": floor["latency_ms"]["p50"],
                    "healthz_p99_ms": floor["latency_ms"]["p99"],
                    "rps_ratio": run["requests_per_second"] / floor["requests_per_second"],
                }
            )
        out.append(row)
    return out


def run(args: argparse.Namespace, console: Console) -> dict:
    loadgen = args.loadgen
    if loadgen == "auto":
        loadgen = "wrk" if shutil.which("wrk") else "httpx"
    settings = {
        "quick": args.quick,
        "workers": args.workers,
        "concurrency": args.concurrency,
        "duration_seconds": args.duration,
        "warmup_seconds": args.warmup,
        "loadgen": loadgen,
        "wrk_threads": args.wrk_threads if loadgen == "wrk" else None,
        "bodies": BODIES,
        "request_timeout_seconds": REQUEST_TIMEOUT,
        "mode": "local mode (no API keys), 127.0.0.1, SQLite in a temp folder, "
        "log level info to a file",
    }
    document = new_document("api", settings)
    texts = note_bodies()
    bodies = [b.encode("utf-8") for b in texts]
    runs: list[dict] = []
    with (
        tempfile.TemporaryDirectory(prefix="rightcall-bench-api-") as work,
        model_folder(args.models) as models,
    ):
        document["model"] = model_description(models / "latest")
        script = None
        if loadgen == "wrk":
            script = Path(work) / "notes.lua"
            write_wrk_script(script, texts)
        for workers in args.workers:
            runs += measure_server(models, workers, args, loadgen, script, bodies, console)
    document["runs"] = runs
    document["summary"] = summary(runs)
    return document


def print_tables(document: dict, console: Console) -> None:
    table = Table(
        "workers",
        "conc.",
        "endpoint",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "errors",
        "server p50 ms",
        "server CPU ms/req",
        "loadgen CPU s",
        title=f"API under load ({document['settings']['loadgen']}, "
        f"{document['settings']['duration_seconds']} s each)",
    )
    for r in document["runs"]:
        errors = sum(r["errors"].values())
        table.add_row(
            str(r["workers"]),
            str(r["concurrency"]),
            r["method_path"],
            fmt(r["requests_per_second"], 0),
            fmt(r["latency_ms"]["p50"], 2),
            fmt(r["latency_ms"]["p95"], 2),
            fmt(r["latency_ms"]["p99"], 2),
            str(errors),
            fmt(r["server_latency_ms"]["p50"], 2),
            fmt(r["server_cpu_ms_per_request"], 2),
            fmt(r["loadgen_cpu_seconds"], 1),
        )
    console.print(table)
    table = Table(
        "workers",
        "conc.",
        "classify req/s",
        "healthz req/s",
        "classify / healthz",
        "classify p50 ms",
        "classify p99 ms",
        title="What the model costs on top of the HTTP floor",
    )
    for row in document["summary"]:
        table.add_row(
            str(row["workers"]),
            str(row["concurrency"]),
            fmt(row["classify_rps"], 0),
            fmt(row.get("healthz_rps"), 0),
            fmt(row.get("rps_ratio"), 3),
            fmt(row["classify_p50_ms"], 2),
            fmt(row["classify_p99_ms"], 2),
        )
    console.print(table)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--models",
        type=Path,
        default=REPO / "models",
        help="models folder holding latest/ (trained if missing)",
    )
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 32])
    parser.add_argument(
        "--duration",
        type=float,
        default=None,
        help="seconds per measurement (default 20; 3 with --quick)",
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=None,
        help="seconds of classify load before measuring (default 3; 1 quick)",
    )
    parser.add_argument("--loadgen", choices=["auto", "wrk", "httpx"], default="auto")
    parser.add_argument(
        "--wrk-threads",
        type=int,
        default=1,
        help="wrk threads (one leaves the most CPU to the server)",
    )
    parser.add_argument("--quick", action="store_true", help="3 s per measurement")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.duration is None:
        args.duration = 3.0 if args.quick else 20.0
    if args.warmup is None:
        args.warmup = 1.0 if args.quick else 3.0
    if args.loadgen == "wrk" and not shutil.which("wrk"):
        parser.error("wrk is not installed (apt-get install -y wrk), use --loadgen httpx")
    args.out = args.out or default_out("api", args.quick)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    return run_and_report(parse_args(argv), run, print_tables)


if __name__ == "__main__":
    sys.exit(main())
