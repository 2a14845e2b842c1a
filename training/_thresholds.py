"""Per-label decision thresholds, tuned on the dev split by the policy in the config."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import precision_recall_curve

from ._config import ThresholdPolicy


def tune_threshold(y_true: np.ndarray, probability: np.ndarray, policy: ThresholdPolicy) -> float:
    if policy.policy == "fixed":
        return float(policy.value)
    if y_true.sum() == 0:
        raise ValueError("the dev split has no positive notes for this label")
    precision, recall, thresholds = precision_recall_curve(y_true, probability)
    # precision/recall have one more entry than thresholds (the point at recall 0).
    precision, recall = precision[:-1], recall[:-1]
    if policy.policy == "best_f1":
        f1 = np.divide(
            2 * precision * recall,
            precision + recall,
            out=np.zeros_like(precision),
            where=(precision + recall) > 0,
        )
        if not policy.tolerance:
            return float(thresholds[int(np.argmax(f1))])
        # Dev F1 is flat near its peak: of the thresholds within the tolerance of the best,
        # take the one nearest 0.5, where a calibrated score means even odds.
        near = np.flatnonzero(f1 >= f1.max() - policy.tolerance)
        return float(thresholds[near[np.argmin(np.abs(thresholds[near] - 0.5))]])
    # min_recall: the highest threshold whose recall still meets the target.
    meets = np.flatnonzero(recall >= policy.target)
    return float(thresholds[meets.max()]) if meets.size else float(thresholds.min())
