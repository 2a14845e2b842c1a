"""Benchmark: footprint of a model and of one serving worker.

* model size on disk (every file of ``models/latest``, the pickle apart);
* cold start: from starting ``rightcall serve`` to the first ``/readyz`` 200, split by the
  server's own log lines into start-up (imports, settings) and model load (app, verified
  load, smoke test), over ``--runs`` starts;
* resident memory of the one worker (psutil on the uvicorn process): after start, after
  ``--requests`` classify requests (200 by default, the warm-up), and after ten times as
  many (the recent-notes memory grows with requests, up to its bound).

    .venv/bin/python benchmarks/footprint.py [--runs 3] [--requests 200] [--quick]

Prints a table and writes ``benchmarks/results/footprint.json`` (``footprint.quick.json``
with ``--quick``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import httpx
import psutil
from _common import (
    REPO,
    Server,
    default_out,
    fmt,
    model_description,
    model_folder,
    new_document,
    run_and_report,
    sample_texts,
)
from rich.console import Console
from rich.table import Table

MIB = 1024 * 1024


def disk_size(latest: Path) -> dict:
    folder = latest.resolve()
    files = {
        str(p.relative_to(folder)): p.stat().st_size
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
    return {
        "folder": str(folder),
        "total_bytes": sum(files.values()),
        "total_mib": sum(files.values()) / MIB,
        "files": files,
    }


def memory(pid: int) -> dict:
    """RSS, and USS/PSS (memory only this process holds / its fair share of shared pages)."""
    process = psutil.Process(pid)
    full = process.memory_full_info()
    return {
        "rss_mib": full.rss / MIB,
        "rss_mb": full.rss / 1e6,
        "uss_mib": full.uss / MIB,
        "pss_mib": getattr(full, "pss", 0) / MIB or None,
    }


def _seconds_since(start: float, stamp: str | None) -> float | None:
    if not stamp:
        return None
    return datetime.fromisoformat(stamp).timestamp() - start


def cold_start(models: Path) -> dict:
    """One start of a one-worker server; the log's timestamps split the time to ready."""
    with Server(models, workers=1) as server:
        events = server.events()
        first = {}
        for event in events:
            first.setdefault(event.get("event"), event.get("time"))
        return {
            "ready_seconds": server.ready_seconds,
            "starting_logged_seconds": _seconds_since(server.started_at, first.get("starting")),
            "model_loaded_seconds": _seconds_since(server.started_at, first.get("model_loaded")),
            "rss_at_ready": memory(server.process.pid),
        }


def worker_memory(models: Path, requests: int) -> dict:
    """RSS of the one worker after start, after ``requests`` and after 10x ``requests``."""
    bodies = [{"text": text} for text in sample_texts(requests * 10)]
    with Server(models, workers=1) as server:
        pid = server.worker_pids()[0]
        out = {"pid_is_uvicorn_worker": True, "after_start": memory(pid)}
        with httpx.Client(base_url=server.base, timeout=30) as client:
            for stage, count in (("after_warm_up", requests), ("after_10x", requests * 9)):
                start = 0 if stage == "after_warm_up" else requests
                for body in bodies[start : start + count]:
                    response = client.post("/v1/classify", json=body)
                    if response.status_code != 200:
                        raise RuntimeError(f"/v1/classify answered {response.status_code}")
                out[stage] = memory(pid)
                out[stage]["requests"] = start + count
        return out


def run(args: argparse.Namespace, console: Console) -> dict:
    settings = {"quick": args.quick, "runs": args.runs, "requests": args.requests}
    document = new_document("footprint", settings)
    with model_folder(args.models) as models:
        latest = models / "latest"
        document["model"] = model_description(latest)
        document["disk"] = disk_size(latest)
        starts = []
        for n in range(args.runs):
            console.log(f"cold start {n + 1} of {args.runs}")
            starts.append(cold_start(models))
        ready = [s["ready_seconds"] for s in starts]
        document["cold_start"] = {
            "runs": starts,
            "median_seconds": statistics.median(ready),
            "min_seconds": min(ready),
            "max_seconds": max(ready),
        }
        console.log(f"worker memory over {args.requests} and {args.requests * 10} requests")
        document["worker_memory"] = worker_memory(models, args.requests)
    return document


def print_tables(document: dict, console: Console) -> None:
    table = Table("what", "figure", title="Footprint")
    disk = document["disk"]
    pickle = disk["files"].get("model.joblib", 0) / MIB
    table.add_row("model on disk", f"{disk['total_mib']:.2f} MiB (model.joblib {pickle:.2f})")
    cold = document["cold_start"]
    median_run = sorted(cold["runs"], key=lambda r: r["ready_seconds"])[len(cold["runs"]) // 2]
    table.add_row(
        "cold start to /readyz 200 (median)",
        f"{cold['median_seconds']:.2f} s (min {cold['min_seconds']:.2f}, "
        f"max {cold['max_seconds']:.2f}, {len(cold['runs'])} runs)",
    )
    table.add_row(
        "  of which: to first log line (imports, settings)",
        f"{fmt(median_run['starting_logged_seconds'])} s",
    )
    table.add_row(
        "  of which: to model loaded (app, verified load, smoke test)",
        f"{fmt(median_run['model_loaded_seconds'])} s",
    )
    mem = document["worker_memory"]
    for stage in ("after_start", "after_warm_up", "after_10x"):
        m = mem[stage]
        label = stage.replace("_", " ")
        if "requests" in m:
            label += f" ({m['requests']} requests)"
        table.add_row(
            f"worker memory {label}", f"RSS {m['rss_mib']:.0f} MiB, USS {m['uss_mib']:.0f} MiB"
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
    parser.add_argument("--runs", type=int, default=None, help="cold starts (default 3; 1 quick)")
    parser.add_argument("--requests", type=int, default=200, help="warm-up requests")
    parser.add_argument("--quick", action="store_true", help="one cold start")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.runs is None:
        args.runs = 1 if args.quick else 3
    args.out = args.out or default_out("footprint", args.quick)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    return run_and_report(parse_args(argv), run, print_tables)


if __name__ == "__main__":
    sys.exit(main())
