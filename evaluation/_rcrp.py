"""The RCRP view: suggested route against the route the true labels imply.

The true route comes from ``model._route.suggest_route`` applied to the true labels,
so the rule cannot drift from the one the handler sees. The figure a force cares
about most is the true threat-to-life calls that would have been routed away from
the police (``health-led`` or ``no-signal``); they are listed one by one.
"""

from __future__ import annotations

import numpy as np

from model import LABELS, ROUTES, LabelScore, suggest_route

AWAY_FROM_POLICE = ("health-led", "no-signal")
TTL = LABELS.index("threat_to_life")


def true_routes(labels: np.ndarray) -> list[str]:
    """The route the same rule suggests when the flags are the true labels."""
    routes = []
    for row in labels:
        scores = {
            label: LabelScore(float(row[j]), bool(row[j]), 0.5) for j, label in enumerate(LABELS)
        }
        routes.append(suggest_route(scores, []).suggestion)
    return routes


def threat_to_life_missed(labels: np.ndarray, suggested: list[str]) -> np.ndarray:
    """Boolean per note: a true threat to life routed health-led or no-signal."""
    away = np.array([route in AWAY_FROM_POLICE for route in suggested], dtype=bool)
    return (labels[:, TTL] == 1) & away


def route_view(
    ids: list[str],
    sources: list[str],
    labels: np.ndarray,
    probabilities: np.ndarray,
    suggested: list[str],
    threshold: float,
) -> dict:
    truth = true_routes(labels)
    confusion = {t: dict.fromkeys(ROUTES, 0) for t in ROUTES}
    for true_route, route in zip(truth, suggested, strict=True):
        confusion[true_route][route] += 1
    missed = threat_to_life_missed(labels, suggested)
    true_ttl = int(labels[:, TTL].sum())
    agree = sum(a == b for a, b in zip(truth, suggested, strict=True))
    return {
        "routes": list(ROUTES),
        "confusion": confusion,
        "route_agreement": agree / len(truth) if truth else None,
        "threat_to_life_true": true_ttl,
        "threat_to_life_missed": int(missed.sum()),
        "threat_to_life_missed_rate": float(missed.sum() / true_ttl) if true_ttl else None,
        "threat_to_life_missed_notes": [
            {
                "id": ids[i],
                "source": sources[i],
                "threat_to_life_probability": float(probabilities[i, TTL]),
                "threshold": float(threshold),
                "suggested_route": suggested[i],
                "true_route": truth[i],
            }
            for i in sorted(np.flatnonzero(missed), key=lambda i: probabilities[i, TTL])
        ],
    }
