"""Figures that describe a label's scores across thresholds and base rates.

The threshold sweep and recall-at-precision show what another threshold would
buy; the reliability bins show whether a stated 30% means 30%; the prevalence
figures restate PPV for a force whose base rate differs from the test file's.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import precision_recall_curve

from ._bootstrap import CALIBRATION_BINS, calibration_bin

SWEEP_GRID = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.02,
    0.03,
    0.05,
    0.1,
    0.15,
    0.2,
    0.25,
    0.3,
    0.35,
    0.4,
    0.45,
    0.5,
    0.55,
    0.6,
    0.65,
    0.7,
    0.75,
    0.8,
    0.85,
    0.9,
    0.95,
    0.99,
)
PRECISION_TARGETS = (0.5, 0.7, 0.9)


def _safe(numerator: float, denominator: float) -> float | None:
    return float(numerator / denominator) if denominator else None


def threshold_sweep(y: np.ndarray, probability: np.ndarray, model_threshold: float) -> list[dict]:
    """One row per threshold of a fixed grid plus the model's own threshold."""
    n = len(y)
    rows = []
    for threshold in sorted({*SWEEP_GRID, float(model_threshold)}):
        flagged = probability >= threshold
        tp = int((flagged & (y == 1)).sum())
        fp = int((flagged & (y == 0)).sum())
        fn = int((~flagged & (y == 1)).sum())
        tn = n - tp - fp - fn
        precision, recall = _safe(tp, tp + fp), _safe(tp, tp + fn)
        rows.append(
            {
                "threshold": float(threshold),
                "is_model_threshold": threshold == float(model_threshold),
                "recall": recall,
                "precision": precision,
                "specificity": _safe(tn, tn + fp),
                "f1": _safe(2 * tp, 2 * tp + fp + fn),
                "flags_per_1000": 1000.0 * (tp + fp) / n if n else None,
                "tp": tp,
                "fp": fp,
                "fn": fn,
                "tn": tn,
            }
        )
    return rows


def recall_at_precision(y: np.ndarray, probability: np.ndarray) -> list[dict]:
    """The best recall whose precision reaches each target, and the threshold that gives it."""
    if y.sum() == 0:
        return [
            {"precision_target": t, "recall": None, "precision": None, "threshold": None}
            for t in PRECISION_TARGETS
        ]
    precision, recall, thresholds = precision_recall_curve(y, probability)
    precision, recall = precision[:-1], recall[:-1]  # drop the recall-0 end point
    rows = []
    for target in PRECISION_TARGETS:
        meets = np.flatnonzero(precision >= target)
        if meets.size == 0:
            rows.append(
                {"precision_target": target, "recall": None, "precision": None, "threshold": None}
            )
            continue
        best = meets[np.argmax(recall[meets])]
        rows.append(
            {
                "precision_target": target,
                "recall": float(recall[best]),
                "precision": float(precision[best]),
                "threshold": float(thresholds[best]),
            }
        )
    return rows


def reliability_bins(y: np.ndarray, probability: np.ndarray) -> list[dict]:
    """Equal-width bins: how many notes, their mean probability and observed positive rate."""
    bins = calibration_bin(probability)
    rows = []
    for b in range(CALIBRATION_BINS):
        inside = bins == b
        count = int(inside.sum())
        rows.append(
            {
                "lower": b / CALIBRATION_BINS,
                "upper": (b + 1) / CALIBRATION_BINS,
                "count": count,
                "mean_probability": float(probability[inside].mean()) if count else None,
                "observed_rate": float(y[inside].mean()) if count else None,
            }
        )
    return rows


def at_prevalence(sensitivity, specificity, rate: float) -> dict:
    """Expected PPV, NPV and calls per 1,000 at base rate ``rate`` (arrays or floats).

    PPV = sens * rate / (sens * rate + (1 - spec) * (1 - rate)); NaN where nothing is flagged.
    """
    sensitivity = np.asarray(sensitivity, dtype=np.float64)
    specificity = np.asarray(specificity, dtype=np.float64)
    true_alerts = sensitivity * rate
    false_alarms = (1 - specificity) * (1 - rate)
    missed = (1 - sensitivity) * rate
    true_clear = specificity * (1 - rate)
    with np.errstate(invalid="ignore", divide="ignore"):
        ppv = np.where(
            true_alerts + false_alarms > 0, true_alerts / (true_alerts + false_alarms), np.nan
        )
        npv = np.where(true_clear + missed > 0, true_clear / (true_clear + missed), np.nan)
    return {
        "expected_ppv": ppv,
        "expected_npv": npv,
        "flags_per_1000": 1000 * (true_alerts + false_alarms),
        "true_alerts_per_1000": 1000 * true_alerts,
        "false_alarms_per_1000": 1000 * false_alarms,
        "missed_per_1000": 1000 * missed,
    }
