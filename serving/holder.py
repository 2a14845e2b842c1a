"""The model being served, and hot reload that never leaves the server without one.

A reload loads the new artefact (every hash verified by ``model.load``), smoke-tests
it, and only then replaces the reference. Requests read ``holder.current`` once and
use that object to the end, so a swap never mixes two models within one answer.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from model import (
    LABELS,
    ROUTES,
    VERSION_PATTERN,
    ArtefactError,
    Classifier,
    engine_name,
    freeze_loaded,
    load,
)

from .logs import log_event
from .telemetry import Metrics

# Notes the smoke test classifies: one that should flag, one that should not.
SMOKE_NOTES = (
    "Caller says her partner is threatening to kill her and has a knife, pt crying.",
    "Car alarm going off on the street since this morning, no one around.",
)


class ReloadError(Exception):
    """A reload was refused; ``reason`` says why and ``missing`` if the version does not exist."""

    def __init__(self, reason: str, missing: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.missing = missing


@dataclass(frozen=True)
class ReloadOutcome:
    previous: str | None
    version: str
    seconds: float


def smoke_test(classifier: Classifier) -> None:
    """Classify known notes and check the answers are well formed; raise ArtefactError if not."""
    results = classifier.classify_many(list(SMOKE_NOTES))
    for text, result in zip(SMOKE_NOTES, results, strict=True):
        if tuple(result.labels) != LABELS:
            raise ArtefactError(f"smoke test: labels {list(result.labels)}, expected {LABELS}")
        for label, score in result.labels.items():
            if not (math.isfinite(score.probability) and 0.0 <= score.probability <= 1.0):
                raise ArtefactError(f"smoke test: {label} probability is not in [0, 1]")
        if result.route.suggestion not in ROUTES:
            raise ArtefactError(f"smoke test: unknown route {result.route.suggestion!r}")
        for item in result.evidence:
            if text[item.start : item.end] != item.text:
                raise ArtefactError("smoke test: evidence offsets do not match the note")
    if results[0] == results[1]:
        raise ArtefactError("smoke test: the model gives every note the same answer")


class ModelHolder:
    def __init__(self, models_dir: Path, metrics: Metrics) -> None:
        self.models_dir = Path(models_dir)
        self.metrics = metrics
        self.current: Classifier | None = None
        self._reloading = threading.Lock()

    @property
    def version(self) -> str | None:
        current = self.current
        return current.version if current else None

    def path_for(self, version: str | None) -> Path:
        name = version or "latest"
        if name != "latest" and not VERSION_PATTERN.match(name):
            raise ReloadError(f"{name!r} is not a model version name", missing=True)
        path = self.models_dir / name
        if not path.is_dir():
            raise ReloadError(f"no model {name!r} in {self.models_dir}", missing=True)
        return path

    def reload(self, version: str | None = None, trigger: str = "api") -> ReloadOutcome:
        """Load, verify, smoke-test, then swap; on any failure keep the current model."""
        started = time.perf_counter()
        with self._reloading:
            previous = self.version
            try:
                path = self.path_for(version)
                candidate = load(path)
                smoke_test(candidate)
            except Exception as error:  # any failure at all must leave the old model serving
                self.metrics.load_failures.inc()
                reason = _reason(error)
                log_event(
                    "model_load_refused",
                    logging.ERROR,
                    trigger=trigger,
                    requested=version or "latest",
                    reason=reason,
                    serving=previous,
                )
                raise ReloadError(reason, missing=getattr(error, "missing", False)) from None
            self.current = candidate
            self.metrics.serving(candidate.version)
            freeze_loaded()  # the old model collected, the new one out of the collector's way
        seconds = time.perf_counter() - started
        log_event(
            "model_loaded",
            trigger=trigger,
            version=candidate.version,
            previous=previous,
            seconds=round(seconds, 3),
            engine=engine_name(),  # compiled or python term pipeline
        )
        return ReloadOutcome(previous, candidate.version, seconds)


def _reason(error: Exception) -> str:
    if isinstance(error, ReloadError):
        return error.reason
    if isinstance(error, ArtefactError):
        return str(error)
    return f"the model could not be loaded ({type(error).__name__}: {error})"
