"""Threshold policies pick what they say on a dev split."""

from __future__ import annotations

import numpy as np
import pytest

from training import ThresholdPolicy, tune_threshold

# Scores where F1 peaks at 0.8 (0.94) and is within 0.05 of it at 0.5 (0.90).
Y = np.array([1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0])
P = np.array(
    [
        0.9,
        0.9,
        0.85,
        0.85,
        0.8,
        0.8,
        0.8,
        0.8,
        0.1,
        0.1,
        0.2,
        0.2,
        0.3,
        0.3,
        0.2,
        0.1,
        0.5,
        0.5,
        0.5,
    ]
)


def f1_at(threshold: float) -> float:
    predicted = threshold <= P
    tp = int((predicted & (Y == 1)).sum())
    return 2 * tp / (predicted.sum() + Y.sum())


def test_best_f1_is_the_argmax():
    threshold = tune_threshold(Y, P, ThresholdPolicy(policy="best_f1"))
    assert threshold == pytest.approx(0.8)
    assert f1_at(0.8) > f1_at(0.5)


def test_a_tolerance_takes_the_threshold_nearest_even_odds_among_the_near_best():
    near = tune_threshold(Y, P, ThresholdPolicy(policy="best_f1", tolerance=0.05))
    assert near == pytest.approx(0.5)
    assert f1_at(0.8) - f1_at(0.5) <= 0.05
    # A tolerance too small to reach 0.5 keeps the argmax.
    assert tune_threshold(Y, P, ThresholdPolicy(policy="best_f1", tolerance=0.001)) == 0.8


def test_min_recall_keeps_the_recall_it_is_asked_for():
    threshold = tune_threshold(Y, P, ThresholdPolicy(policy="min_recall", target=1.0))
    assert ((threshold <= P) & (Y == 1)).sum() == Y.sum()
    assert threshold == pytest.approx(0.5)


def test_fixed_is_fixed():
    assert tune_threshold(Y, P, ThresholdPolicy(policy="fixed", value=0.37)) == 0.37
