"""Typed results of classifying one note; shared by the CLI, batch scoring and the API."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LabelScore:
    probability: float
    flagged: bool
    threshold: float


@dataclass(frozen=True, slots=True)
class Evidence:
    """A phrase of the original note that moved a label's score.

    ``start``/``end`` index the note exactly as submitted. ``weight`` is the phrase's
    contribution to the label's log-odds; ``context`` says whether the cue was
    present, negated, historical or hypothetical (``negated`` is true for all but present).
    """

    label: str
    start: int
    end: int
    text: str
    weight: float
    negated: bool
    context: str


@dataclass(frozen=True, slots=True)
class Route:
    """Suggested RCRP route: advice with its reasons, never a decision."""

    suggestion: str
    reasons: list[str]


@dataclass(frozen=True, slots=True)
class ClassifyResult:
    labels: dict[str, LabelScore]
    evidence: list[Evidence]
    route: Route
    model_name: str
    model_version: str

    def to_dict(self) -> dict:
        # Built by hand: dataclasses.asdict deep-copies recursively and was a measurable
        # share of a classify request.
        return {
            "model": {"name": self.model_name, "version": self.model_version},
            "labels": {
                name: {
                    "probability": score.probability,
                    "flagged": score.flagged,
                    "threshold": score.threshold,
                }
                for name, score in self.labels.items()
            },
            "route": {"suggestion": self.route.suggestion, "reasons": list(self.route.reasons)},
            "evidence": [
                {
                    "label": e.label,
                    "start": e.start,
                    "end": e.end,
                    "text": e.text,
                    "weight": e.weight,
                    "negated": e.negated,
                    "context": e.context,
                }
                for e in self.evidence
            ],
        }
