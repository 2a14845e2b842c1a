"""Fitting is reproducible: the dual solver's random sample order is seeded."""

from __future__ import annotations

import json

import numpy as np

from model import LABELS, NoteAnalyser
from training import fit, load_config

from ..conftest import CORPUS


def test_two_fits_give_identical_weights_and_dual_matches_primal():
    rows = [
        json.loads(line)
        for line in (CORPUS / "train.jsonl").read_text(encoding="utf-8").splitlines()[:900]
    ]
    texts = [r["text"] for r in rows]
    labels = np.array([[int(r[label]) for label in LABELS] for r in rows])
    groups = [r["group"] for r in rows]
    analyser = NoteAnalyser()
    base = load_config()
    weights = []
    for dual in (True, True, False):
        config = base.model_copy(update={"model": base.model.model_copy(update={"dual": dual})})
        _, estimators = fit(config, analyser, texts, labels, groups=groups)
        weights.append(
            [estimators[label].calibrated_classifiers_[0].estimator.coef_ for label in LABELS]
        )
    for first, second, primal in zip(*weights, strict=True):
        np.testing.assert_array_equal(first, second)
        # The solvers reach the same optimum, within the solver tolerance.
        assert np.abs(first - primal).max() < 0.01 * np.abs(primal).max()
