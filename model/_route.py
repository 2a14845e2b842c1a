"""The RCRP route suggested by the flags, with reasons in plain words."""

from __future__ import annotations

from ._labels import LABEL_TITLES
from ._results import Evidence, LabelScore, Route

HANDLER_DECIDES = "Advice only: the handler decides."


def suggest_route(labels: dict[str, LabelScore], evidence: list[Evidence]) -> Route:
    """Police where there is a threat to life or a crime; health-led for mental health alone."""
    suggestion = route_for(
        labels["threat_to_life"].flagged, labels["crime"].flagged, labels["mental_health"].flagged
    )
    reasons = [
        _reason(label, labels[label], evidence)
        for label in ("threat_to_life", "crime", "mental_health")
        if labels[label].flagged
    ]
    if not reasons:
        reasons = ["No label reached its threshold."]
    return Route(suggestion, reasons)


def route_for(threat_to_life: bool, crime: bool, mental_health: bool) -> str:
    if (threat_to_life or crime) and mental_health:
        return "police-and-health"
    if threat_to_life or crime:
        return "police"
    if mental_health:
        return "health-led"
    return "no-signal"


def _reason(label: str, score: LabelScore, evidence: list[Evidence]) -> str:
    phrases = [e.text for e in evidence if e.label == label and not e.negated][:3]
    quoted = ", ".join(f"'{p}'" for p in phrases)
    head = f"{LABEL_TITLES[label]} ({percent(score.probability)})"
    return f"{head}: {quoted}" if quoted else head


def percent(probability: float) -> str:
    """As the page shows it: never a flat 0% or 100%, which would claim certainty."""
    if probability >= 0.995:
        return ">99%"
    if probability < 0.005:
        return "<1%"
    return f"{probability:.0%}"
