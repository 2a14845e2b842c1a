"""Per-label metrics at the model's thresholds, shared by training summaries and evaluation."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    confusion_matrix,
    roc_auc_score,
)

from model import LABELS


def label_metrics(y_true: np.ndarray, probability: np.ndarray, threshold: float) -> dict:
    predicted = (probability >= threshold).astype(int)
    tn, fp, fn, tp = confusion_matrix(y_true, predicted, labels=[0, 1]).ravel()
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    both = len(np.unique(y_true)) == 2
    return {
        "n": int(len(y_true)),
        "positives": int(y_true.sum()),
        "threshold": float(threshold),
        "precision": float(precision),
        "recall": float(recall),
        "specificity": float(tn / (tn + fp)) if tn + fp else 0.0,
        "f1": float(2 * precision * recall / (precision + recall)) if precision + recall else 0.0,
        "brier": float(brier_score_loss(y_true, probability, labels=[0, 1])),
        "roc_auc": float(roc_auc_score(y_true, probability)) if both else None,
        "average_precision": float(average_precision_score(y_true, probability)) if both else None,
        "tp": int(tp),
        "fp": int(fp),
        "fn": int(fn),
        "tn": int(tn),
    }


def all_label_metrics(
    y_true: np.ndarray, probabilities: np.ndarray, thresholds: dict[str, float]
) -> dict[str, dict]:
    return {
        label: label_metrics(y_true[:, j], probabilities[:, j], thresholds[label])
        for j, label in enumerate(LABELS)
    }
