"""Measuring a model on labelled notes: every figure an evaluator signs off on, in one dict.

``evaluate`` returns an ``Evaluation`` whose ``figures`` is the JSON document described
in ``docs/evaluation.md``. Anything that scores notes like ``model.Classifier`` can be
measured (a trained model, the rule baselines, a benchmark's wrapper), always by
this same code. ``replicates`` keeps every bootstrapped statistic per resample so that
two evaluations of the same notes can be compared pairwise (see ``_compare``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Protocol

import numpy as np
from sklearn.metrics import log_loss

from model import LABELS, LabelScore, sha256_file, suggest_route
from notefiles import ColumnMapping, NoteSet, Problem, iter_rows, load_notes

from ._bootstrap import (
    CALIBRATION_BINS,
    CONFIDENCE,
    THRESHOLD_FREE,
    Bootstrap,
    expected_calibration_error,
    interval,
    threshold_metrics,
)
from ._curves import at_prevalence, recall_at_precision, reliability_bins, threshold_sweep
from ._metrics import label_metrics
from ._rcrp import route_view, threat_to_life_missed, true_routes
from ._slices import categorical_columns, slice_members

SCHEMA_VERSION = 1
AT_THRESHOLD = ("precision", "recall", "specificity", "f1", "tp", "fp", "fn", "tn")
THRESHOLD_FREE_METRICS = tuple(THRESHOLD_FREE)
PREVALENCE_METRICS = (
    "expected_ppv",
    "expected_npv",
    "flags_per_1000",
    "true_alerts_per_1000",
    "false_alarms_per_1000",
    "missed_per_1000",
)
SLICE_METRICS = ("precision", "recall")
DEFAULT_WORST = 10


class Scorer(Protocol):
    """What evaluation needs of a model; ``classify_many`` (for routes and evidence) is optional."""

    name: str
    version: str
    thresholds: dict[str, float]

    def probabilities(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass
class Predictions:
    probabilities: np.ndarray  # (n, len(LABELS))
    flagged: np.ndarray  # (n, len(LABELS)) bool
    routes: list[str]


@dataclass
class Evaluation:
    figures: dict
    replicates: dict[tuple, np.ndarray]
    predictions: Predictions
    notes: NoteSet


def _label_scores(probabilities: np.ndarray, thresholds: dict[str, float]) -> dict:
    return {
        label: LabelScore(
            float(probabilities[j]),
            bool(probabilities[j] >= thresholds[label]),
            float(thresholds[label]),
        )
        for j, label in enumerate(LABELS)
    }


def predict(scorer: Scorer, texts: Sequence[str]) -> Predictions:
    """Probabilities, flags and suggested routes, exactly as the model would give them."""
    texts = list(texts)
    limits = np.array([scorer.thresholds[label] for label in LABELS], dtype=np.float64)
    if hasattr(scorer, "classify_many"):
        results = scorer.classify_many(texts, with_evidence=False)
        probabilities = np.array(
            [[r.labels[label].probability for label in LABELS] for r in results], np.float64
        ).reshape(-1, len(LABELS))
        routes = [r.route.suggestion for r in results]
    else:
        probabilities = np.asarray(scorer.probabilities(texts), np.float64)
        routes = [
            suggest_route(_label_scores(row, scorer.thresholds), []).suggestion
            for row in probabilities
        ]
    return Predictions(probabilities, probabilities >= limits, routes)


def extra_columns(paths: Iterable[Path], mapping: ColumnMapping) -> list[str]:
    """Every column present in the files beyond id, text and labels (candidates for slices)."""
    mapped = {mapping.text, mapping.id, *mapping.labels.values()}
    seen: dict[str, None] = {}
    for path in paths:
        for _, row in iter_rows(Path(path)):
            if isinstance(row, Problem):
                break  # load_notes reports it with file and line
            seen.update((key, None) for key in row if key not in mapped)
    return list(seen)


def load_for_evaluation(paths: Sequence[Path], mapping: ColumnMapping) -> NoteSet:
    """Labelled notes with every extra column kept; raises DataError naming file and line."""
    return load_notes(paths, mapping, keep=extra_columns(paths, mapping))


def _estimate(value: float | None, replicates: np.ndarray | None) -> dict:
    bounds = interval(replicates) if value is not None and replicates is not None else None
    return {
        "value": value if value is None or isinstance(value, int) else float(value),
        "ci_low": bounds[0] if bounds else None,
        "ci_high": bounds[1] if bounds else None,
    }


def _block_statistics(
    weights: np.ndarray,
    labels: np.ndarray,
    predictions: Predictions,
    slices: dict,
    missed: np.ndarray,
    agree: np.ndarray,
) -> dict[tuple, np.ndarray]:
    """Every bootstrapped statistic for one block of resamples."""
    out: dict[tuple, np.ndarray] = {}
    for j, label in enumerate(LABELS):
        y, flagged = labels[:, j], predictions.flagged[:, j]
        for name, values in threshold_metrics(weights, y, flagged).items():
            out[("labels", label, name)] = values
        for name, statistic in THRESHOLD_FREE.items():
            out[("labels", label, name)] = statistic(weights, y, predictions.probabilities[:, j])
        for column, groups in slices.items():
            for value, rows in groups.items():
                metrics = threshold_metrics(weights[:, rows], y[rows], flagged[rows])
                for name in SLICE_METRICS:
                    out[("slices", column, value, label, name)] = metrics[name]
    total = weights.sum(axis=1)
    out[("rcrp", "threat_to_life_missed")] = weights @ missed
    out[("rcrp", "route_agreement")] = (weights @ agree) / total
    return out


def bootstrap_replicates(
    labels: np.ndarray, predictions: Predictions, slices: dict, resamples: int, seed: int
) -> dict[tuple, np.ndarray]:
    missed = threat_to_life_missed(labels, predictions.routes).astype(np.float64)
    agree = np.array(
        [a == b for a, b in zip(true_routes(labels), predictions.routes, strict=True)],
        dtype=np.float64,
    )
    blocks = [
        _block_statistics(w, labels, predictions, slices, missed, agree)
        for w in Bootstrap(len(labels), resamples, seed).blocks()
    ]
    return {key: np.concatenate([b[key] for b in blocks]) for key in blocks[0]} if blocks else {}


def _prevalence_figures(point: dict, replicates: dict, label: str, rate: float) -> tuple:
    """Expected PPV and calls per 1,000 at a force's base rate, from sensitivity and specificity."""
    figures: dict = {
        "rate": rate,
        "sensitivity": point["recall"],
        "specificity": point["specificity"],
    }
    extra: dict[tuple, np.ndarray] = {}
    recall = replicates.get(("labels", label, "recall"))
    specificity = replicates.get(("labels", label, "specificity"))
    values = at_prevalence(
        np.nan if point["recall"] is None else point["recall"], point["specificity"], rate
    )
    draws = at_prevalence(recall, specificity, rate) if recall is not None else {}
    for name in PREVALENCE_METRICS:
        value = float(values[name])
        figures[name] = _estimate(None if np.isnan(value) else value, draws.get(name))
        if name in draws:
            extra[("labels", label, name)] = draws[name]
    return figures, extra


def label_figures(
    label: str,
    y: np.ndarray,
    probability: np.ndarray,
    threshold: float,
    replicates: dict,
    prevalence: float | None,
) -> dict:
    point = label_metrics(y, probability, threshold)
    both = len(np.unique(y)) == 2
    point["log_loss"] = float(log_loss(y, probability, labels=[0, 1]))
    point["ece"] = float(expected_calibration_error(np.ones((1, len(y))), y, probability)[0])
    if point["positives"] == 0:
        point["recall"] = None
    if point["tp"] + point["fp"] == 0:
        point["precision"] = None

    def estimate(name: str, defined: bool = True) -> dict:
        return _estimate(point[name] if defined else None, replicates.get(("labels", label, name)))

    figures = {
        "n": point["n"],
        "positives": point["positives"],
        "threshold": float(threshold),
        "at_threshold": {name: estimate(name) for name in AT_THRESHOLD},
        "threshold_free": {
            name: estimate(name, both or name in ("brier", "log_loss", "ece"))
            for name in THRESHOLD_FREE_METRICS
        },
        "calibration": {"bins": reliability_bins(y, probability), "n_bins": CALIBRATION_BINS},
        "sweep": threshold_sweep(y, probability, threshold),
        "recall_at_precision": recall_at_precision(y, probability),
        "prevalence": None,
    }
    if prevalence is not None:
        figures["prevalence"], extra = _prevalence_figures(point, replicates, label, prevalence)
        replicates.update(extra)
    return figures


def slice_figures(
    slices: dict, labels: np.ndarray, predictions: Predictions, thresholds: dict, replicates: dict
) -> dict:
    out: dict = {}
    for column, groups in slices.items():
        out[column] = {}
        for value, rows in groups.items():
            per_label = {}
            for j, label in enumerate(LABELS):
                y = labels[rows, j]
                m = label_metrics(y, predictions.probabilities[rows, j], thresholds[label])
                defined = {"precision": m["tp"] + m["fp"] > 0, "recall": m["positives"] > 0}
                per_label[label] = {
                    "positives": m["positives"],
                    **{k: m[k] for k in ("tp", "fp", "fn", "tn")},
                    **{
                        name: _estimate(
                            m[name] if defined[name] else None,
                            replicates.get(("slices", column, value, label, name)),
                        )
                        for name in SLICE_METRICS
                    },
                    "f1": m["f1"] if defined["precision"] and defined["recall"] else None,
                    "roc_auc": m["roc_auc"],
                }
            out[column][value] = {"n": int(len(rows)), "labels": per_label}
    return out


def error_figures(scorer: Scorer, notes: NoteSet, predictions: Predictions, worst: int) -> dict:
    """The most confident misses and false alarms per label, with their text and evidence."""
    chosen: dict[str, dict[str, list[int]]] = {}
    for j, label in enumerate(LABELS):
        y, p = notes.labels[:, j], predictions.probabilities[:, j]
        flagged = predictions.flagged[:, j]
        misses = np.flatnonzero((y == 1) & ~flagged)
        alarms = np.flatnonzero((y == 0) & flagged)
        chosen[label] = {
            "false_negatives": misses[np.argsort(p[misses], kind="stable")][:worst].tolist(),
            "false_positives": alarms[np.argsort(-p[alarms], kind="stable")][:worst].tolist(),
        }
    rows = sorted({i for kinds in chosen.values() for idx in kinds.values() for i in idx})
    evidence: dict[int, list] = {i: [] for i in rows}
    if rows and hasattr(scorer, "classify_many"):
        results = scorer.classify_many([notes.texts[i] for i in rows])
        evidence = {i: r.evidence for i, r in zip(rows, results, strict=True)}
    out: dict = {}
    for j, label in enumerate(LABELS):
        out[label] = {
            kind: [
                {
                    "id": notes.ids[i],
                    "source": notes.sources[i],
                    "text": notes.texts[i],
                    "probability": float(predictions.probabilities[i, j]),
                    "suggested_route": predictions.routes[i],
                    "true_labels": {k: int(notes.labels[i, m]) for m, k in enumerate(LABELS)},
                    "evidence": [asdict(e) for e in evidence[i] if e.label == label],
                }
                for i in idx
            ]
            for kind, idx in chosen[label].items()
        }
    return out


def _data_figures(notes: NoteSet, paths: Sequence[Path] | None) -> dict:
    per_file = Counter(source.rsplit(":", 1)[0] for source in notes.sources)
    files = [
        {"path": str(p), "sha256": sha256_file(Path(p)), "notes": per_file.get(str(Path(p)), 0)}
        for p in (paths or [])
    ]
    return {
        "files": files,
        "notes": len(notes),
        "positives": {label: int(notes.labels[:, j].sum()) for j, label in enumerate(LABELS)},
    }


def _model_figures(scorer: Scorer, model_path: str | Path | None) -> dict:
    manifest = getattr(scorer, "manifest", None) or {}
    return {
        "name": scorer.name,
        "version": scorer.version,
        "path": str(model_path) if model_path is not None else None,
        "created": manifest.get("created"),
        "thresholds": {label: float(scorer.thresholds[label]) for label in LABELS},
    }


def _rightcall_version() -> str | None:
    try:
        return metadata.version("rightcall")
    except metadata.PackageNotFoundError:
        return None


def evaluate(
    scorer: Scorer,
    notes: NoteSet,
    *,
    prevalence: dict[str, float] | None = None,
    resamples: int = 1000,
    seed: int = 13,
    worst: int = DEFAULT_WORST,
    slice_columns: Sequence[str] | None = None,
    model_path: str | Path | None = None,
    data_paths: Sequence[Path] | None = None,
) -> Evaluation:
    """Measure ``scorer`` on labelled ``notes``; see docs/evaluation.md for the figures."""
    if notes.labels is None:
        raise ValueError("evaluation needs labelled notes")
    if len(notes) == 0:
        raise ValueError("no notes to evaluate")
    prevalence = prevalence or {}
    predictions = predict(scorer, notes.texts)
    columns = categorical_columns(notes.extra) if slice_columns is None else list(slice_columns)
    slices = slice_members(notes.extra, notes.texts, columns)
    replicates = bootstrap_replicates(notes.labels, predictions, slices, resamples, seed)
    thresholds = {label: float(scorer.thresholds[label]) for label in LABELS}
    label_section = {
        label: label_figures(
            label,
            notes.labels[:, j],
            predictions.probabilities[:, j],
            thresholds[label],
            replicates,
            prevalence.get(label),
        )
        for j, label in enumerate(LABELS)
    }
    rcrp = route_view(
        notes.ids,
        notes.sources,
        notes.labels,
        predictions.probabilities,
        predictions.routes,
        thresholds["threat_to_life"],
    )
    for name in ("threat_to_life_missed", "route_agreement"):
        bounds = interval(replicates[("rcrp", name)]) if replicates else None
        rcrp[f"{name}_ci"] = list(bounds) if bounds else None
    figures = {
        "schema_version": SCHEMA_VERSION,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "rightcall_version": _rightcall_version(),
        "model": _model_figures(scorer, model_path),
        "data": _data_figures(notes, data_paths),
        "bootstrap": {"resamples": resamples, "seed": seed, "confidence": CONFIDENCE},
        "labels": label_section,
        "rcrp": rcrp,
        "slices": slice_figures(slices, notes.labels, predictions, thresholds, replicates),
        "errors": error_figures(scorer, notes, predictions, worst),
        "comparison": None,
        "fairness": None,
        "gates": [],
    }
    return Evaluation(figures, replicates, predictions, notes)


def _plain(value):
    """JSON-ready copy: numpy scalars to Python, NaN and infinities to None."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def figures_json(figures: dict) -> str:
    """The figures as strict JSON (no NaN), as written by ``rightcall evaluate --json``."""
    return json.dumps(_plain(figures), indent=2, allow_nan=False) + "\n"
