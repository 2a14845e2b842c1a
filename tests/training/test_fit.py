"""Fitting labels in parallel threads gives exactly the sequential models."""

from __future__ import annotations

import json

import numpy as np

from model import LABELS
from model._context import NoteAnalyser
from training import load_config
from training._fit import fit

from ..conftest import CORPUS


def test_parallel_label_fits_equal_sequential_ones():
    rows = [
        json.loads(line)
        for line in (CORPUS / "train.jsonl").read_text(encoding="utf-8").splitlines()[:900]
    ]
    texts = [r["text"] for r in rows]
    labels = np.array([[int(r[label]) for label in LABELS] for r in rows])
    groups = [r["group"] for r in rows]
    analyser = NoteAnalyser()
    coefficients = []
    for jobs in (1, 3):
        config = load_config()
        config = config.model_copy(
            update={"model": config.model.model_copy(update={"parallel_labels": jobs})}
        )
        _, estimators = fit(config, analyser, texts, labels, groups=groups)
        coefficients.append(
            [estimators[label].calibrated_classifiers_[0].estimator.coef_ for label in LABELS]
        )
    for sequential, parallel in zip(*coefficients, strict=True):
        np.testing.assert_array_equal(sequential, parallel)
