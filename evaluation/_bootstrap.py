"""Bootstrap resampling, vectorised: every metric is computed for all resamples at once.

A resample is a row of multinomial counts (how often each note was drawn), so a
metric over ``B`` resamples is a handful of matrix products instead of ``B`` Python
calls. Resamples are generated in blocks from one seeded generator: the same
``(n, resamples, seed)`` always gives the same resamples, which is what makes a
paired comparison of two models on the same notes possible. Undefined values (a
resample without positives has no recall) are NaN and left out of the interval.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from scipy import sparse

CONFIDENCE = 0.95
CALIBRATION_BINS = 10
# Weight-matrix entries per block: bounds memory for large files (~32 MB of float64).
BLOCK_ENTRIES = 4_000_000
LOG_EPS = np.finfo(np.float64).eps


@dataclass(frozen=True)
class Bootstrap:
    n: int
    resamples: int = 1000
    seed: int = 13

    def blocks(self) -> Iterator[np.ndarray]:
        """(block, n) float arrays of draw counts; identical for identical settings."""
        rng = np.random.default_rng(self.seed)
        size = max(1, BLOCK_ENTRIES // max(self.n, 1))
        done = 0
        while done < self.resamples:
            b = min(size, self.resamples - done)
            yield rng.multinomial(self.n, np.full(self.n, 1.0 / self.n), size=b).astype(np.float64)
            done += b

    def replicate(self, statistic) -> np.ndarray:
        """``statistic(weights) -> (block,)`` or ``(block, k)`` evaluated over every resample."""
        return np.concatenate([statistic(w) for w in self.blocks()], axis=0)


def interval(replicates: np.ndarray, confidence: float = CONFIDENCE) -> tuple[float, float] | None:
    """Percentile interval of the defined replicates; None if none is defined."""
    values = np.asarray(replicates, dtype=np.float64)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return None
    tail = (1.0 - confidence) / 2.0 * 100.0
    low, high = np.percentile(values, [tail, 100.0 - tail])
    return float(low), float(high)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    out = np.full(np.broadcast(numerator, denominator).shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def confusion_counts(weights: np.ndarray, y: np.ndarray, flagged: np.ndarray) -> dict:
    """Weighted TP/FP/FN/TN for each row of ``weights``."""
    y = y.astype(np.float64)
    flagged = flagged.astype(np.float64)
    return {
        "tp": weights @ (y * flagged),
        "fp": weights @ ((1 - y) * flagged),
        "fn": weights @ (y * (1 - flagged)),
        "tn": weights @ ((1 - y) * (1 - flagged)),
    }


def threshold_metrics(weights: np.ndarray, y: np.ndarray, flagged: np.ndarray) -> dict:
    """Precision, recall, specificity, F1 and the four counts, per resample."""
    c = confusion_counts(weights, y, flagged)
    precision = _ratio(c["tp"], c["tp"] + c["fp"])
    recall = _ratio(c["tp"], c["tp"] + c["fn"])
    return {
        "precision": precision,
        "recall": recall,
        "specificity": _ratio(c["tn"], c["tn"] + c["fp"]),
        "f1": _ratio(2 * c["tp"], 2 * c["tp"] + c["fp"] + c["fn"]),
        **c,
    }


def _by_score(weights: np.ndarray, y: np.ndarray, probability: np.ndarray):
    """Weighted positives and negatives at each distinct score, scores ascending."""
    _, inverse = np.unique(probability, return_inverse=True)
    n = len(probability)
    groups = sparse.csr_matrix(
        (np.ones(n), (np.arange(n), inverse)), shape=(n, int(inverse.max()) + 1)
    )
    y = y.astype(np.float64)
    positives = np.asarray((groups.T @ (weights * y).T).T)
    negatives = np.asarray((groups.T @ (weights * (1 - y)).T).T)
    return positives, negatives


def roc_auc(weights: np.ndarray, y: np.ndarray, probability: np.ndarray) -> np.ndarray:
    """Mann-Whitney form of ROC-AUC (ties count one half), per resample."""
    positives, negatives = _by_score(weights, y, probability)
    below = np.cumsum(negatives, axis=1) - negatives
    wins = (positives * (below + 0.5 * negatives)).sum(axis=1)
    return _ratio(wins, positives.sum(axis=1) * negatives.sum(axis=1))


def average_precision(weights: np.ndarray, y: np.ndarray, probability: np.ndarray) -> np.ndarray:
    """Step-wise average precision as scikit-learn defines it, per resample."""
    positives, negatives = _by_score(weights, y, probability)
    positives, negatives = positives[:, ::-1], negatives[:, ::-1]  # highest score first
    tp = np.cumsum(positives, axis=1)
    fp = np.cumsum(negatives, axis=1)
    precision = np.divide(tp, tp + fp, out=np.zeros_like(tp), where=(tp + fp) > 0)
    return _ratio((positives * precision).sum(axis=1), positives.sum(axis=1))


def brier(weights: np.ndarray, y: np.ndarray, probability: np.ndarray) -> np.ndarray:
    return _ratio(weights @ (probability - y) ** 2, weights.sum(axis=1))


def log_loss(weights: np.ndarray, y: np.ndarray, probability: np.ndarray) -> np.ndarray:
    """Mean negative log-likelihood, probabilities clipped to [eps, 1 - eps] like scikit-learn."""
    p = np.clip(probability, LOG_EPS, 1 - LOG_EPS)
    losses = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    return _ratio(weights @ losses, weights.sum(axis=1))


def calibration_bin(probability: np.ndarray, bins: int = CALIBRATION_BINS) -> np.ndarray:
    """Equal-width bin of each probability; 1.0 falls in the last bin."""
    return np.minimum((probability * bins).astype(int), bins - 1)


def expected_calibration_error(
    weights: np.ndarray, y: np.ndarray, probability: np.ndarray, bins: int = CALIBRATION_BINS
) -> np.ndarray:
    """Sum over bins of (share of notes) x |mean probability - observed rate|, per resample."""
    onehot = np.eye(bins)[calibration_bin(probability, bins)]
    gap = weights @ (onehot * (probability - y)[:, None])
    return _ratio(np.abs(gap).sum(axis=1), weights.sum(axis=1))


THRESHOLD_FREE = {
    "roc_auc": roc_auc,
    "average_precision": average_precision,
    "brier": brier,
    "log_loss": log_loss,
    "ece": expected_calibration_error,
}
