"""Typed results of classifying one note; shared by the CLI, batch scoring and the API."""

from __future__ import annotations

from dataclasses import asdict, dataclass


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
        return {
            "model": {"name": self.model_name, "version": self.model_version},
            "labels": {name: asdict(score) for name, score in self.labels.items()},
            "route": asdict(self.route),
            "evidence": [asdict(e) for e in self.evidence],
        }
