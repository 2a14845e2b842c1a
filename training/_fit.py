"""Fitting: one sigmoid-calibrated logistic regression per label over shared features."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold

from model import LABELS
from model._context import NoteAnalyser
from model._features import FeatureSpace, char_vectoriser, word_vectoriser

from ._config import TrainConfig

Progress = Callable[[str], None]


def build_space(config: TrainConfig, analyser: NoteAnalyser) -> FeatureSpace:
    features = config.features
    chars = None
    if features.char_ngrams:
        chars = char_vectoriser(features.char_min_df, features.char_max_features)
    return FeatureSpace(
        word_vectoriser(features.word_min_df, features.word_max_ngram),
        chars,
        [cue.name for cue in analyser.cue_types],
        features.cue_weight,
    )


def fit_label(
    matrix, y: np.ndarray, config: TrainConfig, groups: list | None = None
) -> CalibratedClassifierCV:
    """Calibrated by cross-validation, then one model refit on all data (ensemble=False).

    Folds never split a group: variants of one seed note in both the fitting and the
    calibration folds would make the calibration map far too confident.
    """
    settings = config.model
    linear = LogisticRegression(
        C=settings.C,
        class_weight=settings.class_weight,
        max_iter=5000,
        solver="liblinear",
    )
    folds = StratifiedGroupKFold(
        settings.calibration_folds, shuffle=True, random_state=settings.seed
    )
    splits = list(folds.split(matrix, y, groups if groups is not None else np.arange(len(y))))
    calibrated = CalibratedClassifierCV(
        linear, method=settings.calibration, cv=splits, ensemble=False
    )
    return calibrated.fit(matrix, y)


def fit(
    config: TrainConfig,
    analyser: NoteAnalyser,
    texts: list[str],
    labels: np.ndarray,
    progress: Progress = lambda step: None,
    groups: list | None = None,
) -> tuple[FeatureSpace, dict[str, CalibratedClassifierCV]]:
    progress("analysing notes")
    analyses = [analyser.analyse(t) for t in texts]
    progress("fitting features")
    space = build_space(config, analyser).fit(texts, analyses)
    matrix = space.transform(texts, analyses)
    estimators = {}
    for j, label in enumerate(LABELS):
        progress(f"fitting {label}")
        estimators[label] = fit_label(matrix, labels[:, j], config, groups)
    return space, estimators
