"""Prometheus metrics (``GET /metrics`` renders them), in a registry owned by one app so
tests and apps never share counts.

With several worker processes each worker keeps its own counts; run one worker per
replica (as ``compose.yaml`` does) and let Prometheus scrape every replica.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from model import LABELS

# Classification takes about a millisecond; reloads and exports take longer.
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.request_duration = Histogram(
            "rightcall_request_duration_seconds",
            "Time to answer a request, by endpoint and the model version that answered.",
            ["endpoint", "model_version"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.responses = Counter(
            "rightcall_responses",
            "Responses by endpoint and HTTP status.",
            ["endpoint", "status"],
            registry=self.registry,
        )
        self.notes = Counter(
            "rightcall_notes_classified",
            "Notes classified, by model version.",
            ["model_version"],
            registry=self.registry,
        )
        self.flags = Counter(
            "rightcall_flags",
            "Notes flagged, per label and model version.",
            ["label", "model_version"],
            registry=self.registry,
        )
        self.load_failures = Counter(
            "rightcall_model_load_failures",
            "Model loads (at start or on reload) refused: missing, tampered or failing the "
            "smoke test.",
            registry=self.registry,
        )
        self.model_info = Gauge(
            "rightcall_model_info",
            "1 for the model version being served.",
            ["model_version"],
            registry=self.registry,
        )
        for label in LABELS:  # so every label shows up at 0 before its first flag
            self.flags.labels(label=label, model_version="none")

    def count_flags(self, version: str, flagged: dict[str, int], notes: int) -> None:
        self.notes.labels(model_version=version).inc(notes)
        for label, count in flagged.items():
            if count:
                self.flags.labels(label=label, model_version=version).inc(count)

    def serving(self, version: str) -> None:
        self.model_info.clear()
        self.model_info.labels(model_version=version).set(1)

    def render(self) -> bytes:
        return generate_latest(self.registry)
