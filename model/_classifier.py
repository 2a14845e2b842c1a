"""The fitted classifier: calibrated per-label linear models over shared features."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from ._context import NoteAnalyser
from ._engine import (
    evidence_assembler_class,
    evidence_mapper_class,
    feature_words_function,
    note_inputs_function,
    row_scorer_class,
    windows_function,
)
from ._features import FeatureSpace, char_wb_grams
from ._inputs import NoteInputs, note_inputs
from ._labels import LABELS
from ._layout import BlockKind
from ._results import ClassifyResult, Evidence, LabelScore
from ._route import suggest_route
from ._windows import long_note_windows

if TYPE_CHECKING:
    from sklearn.calibration import CalibratedClassifierCV


class LinearForm(NamedTuple):
    """Every label's calibrated linear model as arrays, columns in ``LABELS`` order:
    p = 1 / (1 + exp(slope * (x @ weights + intercept) + offset))."""

    weights: np.ndarray  # (n_features, n_labels)
    intercepts: np.ndarray
    slopes: np.ndarray
    offsets: np.ndarray


class Classifier:
    """Scores notes for every label in ``LABELS``.

    The scikit-learn estimators are the source of truth; for speed the same
    arithmetic is done once per note as one sparse product (a sigmoid-calibrated
    logistic regression is a linear score passed through two sigmoids). A model
    loaded for scoring only has ``linear`` and no ``estimators``.
    """

    def __init__(
        self,
        analyser: NoteAnalyser,
        space: FeatureSpace,
        estimators: dict[str, CalibratedClassifierCV] | None,
        thresholds: dict[str, float],
        name: str = "rightcall",
        version: str = "unversioned",
        manifest: dict | None = None,
        linear: LinearForm | None = None,
    ) -> None:
        self.analyser = analyser
        self.space = space
        self.estimators = estimators
        if linear is None:
            if estimators is None:
                raise ValueError("a classifier needs its estimators or their linear form")
            linear = linear_form(estimators)
        self.linear = linear
        self.thresholds = {label: float(thresholds[label]) for label in LABELS}
        self.name = name
        self.version = version
        self.manifest = manifest or {}
        self._weights, self._intercepts, self._slopes, self._offsets = linear
        self._evidence = evidence_mapper_class()(space)
        self._rows = _row_scorer(space, linear)
        self._note_inputs = note_inputs_function()
        self._long_note_windows = windows_function()
        self._assembler = _evidence_assembler(self._evidence) if self._rows is not None else None

    @property
    def scoring_engine(self) -> str:
        """ "compiled" (rows and scores in ``model/_row_scorer.pyx``, inputs and evidence
        compiled) or "python" (rows and scores with numpy): what scores an analysed note. Both
        give the same probabilities to within 1e-12 and the same evidence (tested)."""
        return "python" if self._rows is None else "compiled"

    def with_reference_scoring(self) -> Classifier:
        """This classifier scoring with numpy and the pure-Python inputs and evidence mapper:
        the reference the compiled scoring is tested against."""
        from ._evidence import EvidenceMapper  # the reference: not imported to score

        twin = copy.copy(self)
        twin._rows = None
        twin._assembler = None
        twin._evidence = EvidenceMapper(self.space)
        twin._note_inputs = note_inputs
        twin._long_note_windows = long_note_windows
        return twin

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """(n_notes, n_labels) calibrated probabilities, columns in ``LABELS`` order."""
        texts = list(texts)
        analyses = self.analyser.analyse_many(texts)
        return self._with_windows(texts, analyses, self._scores(texts, analyses))

    def _inputs(self, texts: list[str], analyses) -> list[NoteInputs]:
        chars, columns, inputs = self.space.has_chars, self.space.cue_column, self._note_inputs
        return [inputs(t, a, chars, columns) for t, a in zip(texts, analyses, strict=True)]

    def _scores(self, texts: list[str], analyses) -> np.ndarray:
        """Probabilities of whole notes (or windows), without windows of their own."""
        if self._rows is not None:
            return self._rows.probabilities(self._inputs(texts, analyses))
        return self._probabilities(self._parts(texts, analyses))

    def _with_windows(self, texts: list[str], analyses, probs: np.ndarray) -> np.ndarray:
        """Each long note's probabilities raised to its highest-scoring sentence window."""
        owners, pieces, windows = self._long_note_windows(
            texts, analyses, self.analyser.sentence_starts
        )
        if not pieces:
            return probs
        window_probs = self._scores(pieces, windows)
        probs = probs.copy()
        np.maximum.at(probs, np.array(owners), window_probs)
        return probs

    def _parts(self, texts: list[str], analyses) -> list:
        return self.space.transform_parts(self._inputs(texts, analyses))

    def _probabilities(self, parts) -> np.ndarray:
        scores = self._intercepts
        for block, first, _ in parts:
            scores = scores + block @ self._weights[first : first + block.shape[1]]
        return 1.0 / (1.0 + np.exp(self._slopes * scores + self._offsets))

    def classify(self, text: str) -> ClassifyResult:
        return self.classify_many([text])[0]

    def classify_many(
        self, texts: Sequence[str], with_evidence: bool = True
    ) -> list[ClassifyResult]:
        texts = list(texts)
        analyses = self.analyser.analyse_many(texts)
        probs, evidence_of = self._scores_and_evidence(texts, analyses, with_evidence)
        probs = self._with_windows(texts, analyses, probs)
        results = []
        thresholds = self.thresholds
        for row, (text, analysis) in enumerate(zip(texts, analyses, strict=True)):
            labels = {
                label: LabelScore(p, p >= thresholds[label], thresholds[label])
                for label, p in zip(LABELS, probs[row].tolist(), strict=True)
            }
            evidence = [] if evidence_of is None else evidence_of(text, analysis, row)
            results.append(
                ClassifyResult(
                    labels=labels,
                    evidence=evidence,
                    route=suggest_route(labels, evidence),
                    model_name=self.name,
                    model_version=self.version,
                )
            )
        return results

    def feature_weights(self) -> dict[str, list[tuple[str, float]]]:
        """Per label, (feature name, weight) of every word n-gram and cue column.

        Word names are the word vectoriser's ``get_feature_names_out`` (context-marked
        stems such as ``neg_weapon``); cue columns are ``cue:NAME`` when present and
        ``cue:NAME:CONTEXT`` otherwise. Weights are the linear models' own coefficients
        (positive pushes towards the label). Character n-grams are left out: they cannot be
        read as terms, as in the evidence.
        """
        names = self.space.word_names()
        columns = list(range(len(names)))
        for (cue, context), column in sorted(self.space.cue_column.items(), key=lambda i: i[1]):
            names.append(f"cue:{cue}" if context == "present" else f"cue:{cue}:{context}")
            columns.append(self.space.layout[BlockKind.CUES].start + column)
        return {
            label: list(zip(names, self._weights[columns, j].tolist(), strict=True))
            for j, label in enumerate(LABELS)
        }

    def _scores_and_evidence(self, texts: list[str], analyses, with_evidence: bool):
        """Whole-note probabilities, and (with evidence, else None) a function giving the
        evidence of note ``row``: from the row scorer's selection by the typed assembler,
        or by ``EvidenceMapper`` from the numpy rows (its reference)."""
        if self._rows is not None:
            inputs = self._inputs(texts, analyses)
            if not with_evidence:
                return self._rows.probabilities(inputs), None
            probs, selected, occurs = self._rows.probabilities_and_selected(
                inputs, self._evidence.can_show_bytes, self._evidence.min_share
            )
            evidence = self._assembler.evidence
            return probs, lambda text, analysis, row: evidence(
                text, analysis, LABELS, selected[row], occurs[row]
            )
        parts = self._parts(texts, analyses)
        # Character n-grams cannot be shown as phrases; only words and cues are.
        shown_parts = [part for part in parts if part.kind is None or part.kind.shown]

        def evidence(text: str, analysis, row: int) -> list[Evidence]:
            columns, values = self._shown_columns(shown_parts, row)
            # Each label's log-odds contribution per column, all labels in one product.
            each = (values[:, None] * self._weights[columns]) * -self._slopes
            contributions = {label: each[:, j] for j, label in enumerate(LABELS)}
            return self._evidence.evidence(
                text, analysis, self._evidence.select(columns, contributions)
            )

        return self._probabilities(parts), evidence

    def _shown_columns(self, parts, row: int) -> tuple[np.ndarray, np.ndarray]:
        """One note's columns that evidence can show (global indices), with their values;
        ``parts`` are the shown blocks, or one part holding every block."""
        layout = self.space.layout
        columns, values = [], []
        for block, first, kind in parts:
            start, end = block.indptr[row], block.indptr[row + 1]
            block_columns = block.indices[start:end].astype(np.int64) + first
            block_values = block.data[start:end].astype(np.float64)
            if kind is None:
                keep = layout.shown(block_columns)
                block_columns, block_values = block_columns[keep], block_values[keep]
            columns.append(block_columns)
            values.append(block_values)
        return np.concatenate(columns), np.concatenate(values)


def _row_scorer(space: FeatureSpace, linear: LinearForm):
    """The typed row scorer for this model, or None where only the numpy path runs."""
    scorer = row_scorer_class()
    if scorer is None:
        return None
    words, chars = space.blocks()
    return scorer(
        words, chars, space.layout[BlockKind.CUES].start, space.cue_weight, linear, char_wb_grams
    )


def _evidence_assembler(mapper):
    """The typed evidence of the model's mapper, or None where only the reference runs."""
    assembler = evidence_assembler_class()
    if assembler is None:
        return None
    return assembler(mapper, feature_words_function(), Evidence)


def linear_form(estimators: dict[str, CalibratedClassifierCV]) -> LinearForm:
    """Weights, intercepts and sigmoid parameters of each label's calibrated model."""
    weights, intercepts, slopes, offsets = [], [], [], []
    for label in LABELS:
        calibrated = estimators[label].calibrated_classifiers_
        if len(calibrated) != 1:
            raise ValueError("expected CalibratedClassifierCV(ensemble=False)")
        linear = calibrated[0].estimator
        sigmoid = calibrated[0].calibrators[0]
        weights.append(np.asarray(linear.coef_, dtype=np.float64).ravel())
        intercepts.append(float(linear.intercept_[0]))
        slopes.append(float(sigmoid.a_))
        offsets.append(float(sigmoid.b_))
    return LinearForm(
        np.column_stack(weights), np.array(intercepts), np.array(slopes), np.array(offsets)
    )
