"""Keyword-rule baselines: the cue lexicon alone, scored like a trained model.

A note is flagged for a label when a cue of that label is found in it. ``rules``
counts only cues in present context (negated, historical and hypothetical cues are
ignored); ``rules-nonegation`` counts every cue, which shows what context handling
is worth. The score ``k / (k + 1)`` for ``k`` matching cues is not a calibrated
probability; it only ranks notes so threshold-free metrics can be computed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from model import LABELS, ClassifyResult, Evidence, LabelScore, NoteAnalyser, suggest_route

BASELINES = ("rules", "rules-nonegation")
THRESHOLD = 0.5


class RulesBaseline:
    """Offers the part of ``Classifier``'s interface that evaluation uses."""

    def __init__(self, name: str = "rules", analyser: NoteAnalyser | None = None) -> None:
        if name not in BASELINES:
            raise ValueError(f"unknown baseline {name!r}; use one of {', '.join(BASELINES)}")
        self.name = name
        self.use_context = name == "rules"
        self.analyser = analyser or NoteAnalyser()
        self.version = f"lexicon-{self.analyser.version}"
        self.thresholds = dict.fromkeys(LABELS, THRESHOLD)
        self.manifest: dict = {}

    def _cues(self, text: str) -> list:
        cues = [c for c in self.analyser.analyse(text).cues if c.label in LABELS]
        if self.use_context:
            cues = [c for c in cues if c.context == "present"]
        return cues

    @staticmethod
    def _scores(cues: list) -> np.ndarray:
        counts = np.array([sum(c.label == label for c in cues) for label in LABELS], float)
        return counts / (counts + 1.0)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """(n_notes, n_labels) rule scores in ``LABELS`` order."""
        rows = [self._scores(self._cues(t)) for t in texts]
        return np.array(rows, dtype=np.float64).reshape(-1, len(LABELS))

    def classify_many(
        self, texts: Sequence[str], with_evidence: bool = True
    ) -> list[ClassifyResult]:
        results = []
        for text in texts:
            cues = self._cues(text)
            scores = self._scores(cues)
            labels = {
                label: LabelScore(float(scores[j]), bool(scores[j] >= THRESHOLD), THRESHOLD)
                for j, label in enumerate(LABELS)
            }
            evidence = []
            if with_evidence:
                # The cues kept are the ones that counted: evidence in present context.
                evidence = [
                    Evidence(c.label, c.start, c.end, text[c.start : c.end], 1.0, False, "present")
                    for c in cues
                ]
            results.append(
                ClassifyResult(
                    labels, evidence, suggest_route(labels, evidence), self.name, self.version
                )
            )
        return results
