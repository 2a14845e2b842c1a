"""Fitting: one sigmoid-calibrated logistic regression per label over shared features."""

from __future__ import annotations

import contextlib
import ctypes
import gc
from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold

from model import LABELS, FeatureSpace, NoteAnalyser, char_vectoriser, word_vectoriser

from ._config import TrainConfig

Progress = Callable[[str], None]
CHUNK = 5_000  # notes turned into feature rows at a time


def release_memory() -> None:
    """Hand freed memory back to the system before the solver makes its own copy of the
    matrix (the feature step leaves many small freed blocks behind)."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


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
        (features.word_norm_floor, features.char_norm_floor),
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
        dual=settings.dual,
        random_state=settings.seed,  # the dual solver visits samples in a random order
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
    space = build_space(config, analyser)
    # Only each note's feature inputs are kept, not its analysis: a fraction of the memory.
    inputs = []
    for i in range(0, len(texts), CHUNK):
        chunk = texts[i : i + CHUNK]
        analyses = analyser.analyse_many(chunk)
        inputs += [space.inputs(t, a) for t, a in zip(chunk, analyses, strict=True)]
    progress("fitting features")
    space.fit_inputs(inputs)
    matrix = sp.vstack(
        [space.transform_inputs(inputs[i : i + CHUNK]) for i in range(0, len(inputs), CHUNK)],
        format="csr",
    )
    del inputs
    release_memory()
    estimators = {}
    for j, label in enumerate(LABELS):
        progress(f"fitting {label}")
        estimators[label] = fit_label(matrix, labels[:, j], config, groups)
    return space, estimators
