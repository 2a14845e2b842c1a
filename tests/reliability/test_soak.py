"""A bounded soak: a real `rightcall serve` on loopback under 32 concurrent clients for about
a minute. Every request must succeed, and the worker's resident memory may grow by less
than 10% from the end of the warm-up to the end of the run.

The run stops itself at ``DURATION`` seconds or ``MAX_REQUESTS`` requests, whichever comes
first. It prints its figures (requests, failures, memory, latency percentiles) for
docs/reliability.md; speed itself is measured in benchmarks/, not asserted here.
"""

from __future__ import annotations

import asyncio
import json
import os
import time

import httpx
import numpy as np
import psutil
import pytest

from tests.conftest import CORPUS

from ..serving.conftest import MARKER, copy_models
from .conftest import rightcall_serve

CONCURRENCY = 32
DURATION = float(os.environ.get("RIGHTCALL_SOAK_SECONDS", "60"))
WARM_UP = min(10.0, DURATION / 6)
MAX_REQUESTS = 200_000
MAX_RSS_GROWTH = 0.10
SAMPLE_EVERY = 1.0  # seconds between memory samples
LABELS = {"mental_health": True, "crime": False, "threat_to_life": True}


def notes() -> list[str]:
    lines = (CORPUS / "test.jsonl").read_text("utf-8").splitlines()[:400]
    texts = [json.loads(line)["text"] for line in lines]
    # Some notes carry the marker, so the log check below means something.
    return [f"{MARKER} {t}" if i % 10 == 0 else t for i, t in enumerate(texts)]


def request_for(n: int, texts: list[str]) -> tuple[str, str, dict | None]:
    """The n-th request of the mix: mostly single notes, as the page sends them."""
    text = f"{texts[n % len(texts)]} ref {n}"
    kind = n % 50
    if kind < 40:
        return "POST", "/v1/classify", {"text": text, "call_id": f"S-{n % 997}"}
    if kind < 44:
        return (
            "POST",
            "/v1/classify/batch",
            {"notes": [{"text": f"{t} ref {n}"} for t in texts[n % 300 : n % 300 + 8]]},
        )
    if kind < 47:
        return "POST", "/v1/feedback", {"call_id": f"S-{n}", "text": text, "labels": LABELS}
    if kind == 47:
        return "GET", "/v1/model", None
    if kind == 48:
        return "GET", "/readyz", None
    return "GET", "/metrics", None


async def soak(base_url: str, pid: int) -> dict:
    texts = notes()
    worker = psutil.Process(pid)
    started = time.monotonic()
    deadline = started + DURATION
    counter = iter(range(MAX_REQUESTS))
    failures: list[str] = []
    latencies: list[float] = []
    samples: list[tuple[float, int]] = []

    async def client_loop(client: httpx.AsyncClient) -> None:
        for n in counter:
            if time.monotonic() >= deadline:
                return
            method, path, body = request_for(n, texts)
            sent = time.perf_counter()
            try:
                response = await client.request(method, path, json=body)
                if response.status_code >= 300:
                    failures.append(
                        f"{method} {path}: {response.status_code} {response.text[:200]}"
                    )
            except httpx.HTTPError as error:
                failures.append(
                    f"{method} {path}: {type(error).__name__} at "
                    f"{time.monotonic() - started:.1f}s: {error!r}"
                )
            latencies.append(time.perf_counter() - sent)

    async def sample_memory() -> None:
        while time.monotonic() < deadline:
            samples.append((time.monotonic() - started, worker.memory_info().rss))
            await asyncio.sleep(SAMPLE_EVERY)

    # uvicorn closes a keep-alive connection after 5 s idle; a client that reuses one near
    # that moment races the close (seen once in ~10,000 requests with httpx's default 5 s
    # expiry). Well-behaved clients expire idle connections sooner, as this one does.
    limits = httpx.Limits(
        max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY, keepalive_expiry=2.0
    )
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:
        sampler = asyncio.create_task(sample_memory())
        await asyncio.gather(*(client_loop(client) for _ in range(CONCURRENCY)))
        await sampler
    elapsed = time.monotonic() - started
    samples.append((elapsed, worker.memory_info().rss))
    after_warm_up = [rss for at, rss in samples if at >= WARM_UP]
    ms = np.array(latencies) * 1000
    return {
        "requests": len(latencies),
        "failures": failures,
        "seconds": round(elapsed, 1),
        "concurrency": CONCURRENCY,
        "rss_warm_mb": round(after_warm_up[0] / 2**20, 1),
        "rss_end_mb": round(samples[-1][1] / 2**20, 1),
        "rss_peak_mb": round(max(rss for _, rss in samples) / 2**20, 1),
        "rss_growth": (samples[-1][1] - after_warm_up[0]) / after_warm_up[0],
        "peak_growth": (max(after_warm_up) - after_warm_up[0]) / after_warm_up[0],
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p95_ms": round(float(np.percentile(ms, 95)), 1),
        "p99_ms": round(float(np.percentile(ms, 99)), 1),
        "requests_per_second": round(len(latencies) / elapsed, 1),
    }


@pytest.mark.slow
def test_soak_at_concurrency_32_holds_without_failures_or_memory_growth(model_path, tmp_path):
    models = copy_models(model_path, tmp_path / "models")
    with rightcall_serve(models, tmp_path, tmp_path / "feedback.db") as server:
        figures = asyncio.run(soak(server.base_url, server.process.pid))
        assert server.process.poll() is None, "the server died during the soak"
        log = server.log_text()
    summary = {k: v for k, v in figures.items() if k != "failures"}
    print(f"\nsoak: {json.dumps(summary)} failures={len(figures['failures'])}")
    assert figures["failures"] == [], figures["failures"][:10]
    assert figures["requests"] >= CONCURRENCY * 10
    assert figures["rss_growth"] < MAX_RSS_GROWTH, summary
    assert figures["peak_growth"] < MAX_RSS_GROWTH, summary
    assert MARKER not in log
    requests = [line for line in log.splitlines() if '"event": "request"' in line]
    assert len(requests) >= figures["requests"]  # every request logged (and the start probe)
