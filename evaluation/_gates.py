"""Release gates such as ``threat_to_life.recall>=0.95``, checked against the figures.

A gate is ``SCOPE.METRIC OP VALUE``: SCOPE is a label, ``rcrp`` or ``fairness``; OP is
one of ``>= <= > < ==``. A label metric may carry ``_ci_low`` or ``_ci_high`` to gate on an
end of its 95% interval (``threat_to_life.recall_ci_low>=0.9``). Gates are parsed
before anything is measured, so a typo fails fast instead of after a long run.
"""

from __future__ import annotations

import math
import operator
import re
from dataclasses import dataclass

from model import LABELS

from ._compare import label_value
from ._evaluate import AT_THRESHOLD, PREVALENCE_METRICS, THRESHOLD_FREE_METRICS

OPERATORS = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "==": lambda a, b: math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12),
}
ALIASES = {"ppv": "precision", "sensitivity": "recall", "auc": "roc_auc"}
INTERVAL_SUFFIXES = ("_ci_low", "_ci_high")
RCRP_SCOPE = "rcrp"
RCRP_METRICS = ("threat_to_life_missed", "threat_to_life_missed_rate", "route_agreement")
FAIRNESS_SCOPE = "fairness"
FAIRNESS_METRICS = ("max_delta", "flag_flips", "over_tolerance")
LABEL_METRICS = (*AT_THRESHOLD, *THRESHOLD_FREE_METRICS, *PREVALENCE_METRICS)
_PATTERN = re.compile(
    r"^\s*([A-Za-z_]+)\.([A-Za-z0-9_]+)\s*(>=|<=|==|>|<)\s*"
    r"([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*$"
)


class GateError(ValueError):
    """A gate that cannot be understood; the message says what would be valid."""


@dataclass(frozen=True)
class Gate:
    expression: str
    scope: str
    metric: str
    interval_end: str | None
    op: str
    value: float

    @property
    def needs_prevalence(self) -> bool:
        return self.metric in PREVALENCE_METRICS


def parse_gate(expression: str) -> Gate:
    match = _PATTERN.match(expression)
    if not match:
        raise GateError(
            f"cannot read gate {expression!r}: expected SCOPE.METRIC OP VALUE, e.g. "
            "'threat_to_life.recall>=0.95' (OP one of >=, <=, >, <, ==)"
        )
    scope, metric, op, value = match.groups()
    scopes = (*LABELS, RCRP_SCOPE, FAIRNESS_SCOPE)
    if scope not in scopes:
        raise GateError(
            f"gate {expression!r}: unknown label {scope!r}; use one of {', '.join(scopes)}"
        )
    end = None
    if scope == RCRP_SCOPE:
        known = RCRP_METRICS
    elif scope == FAIRNESS_SCOPE:
        known = FAIRNESS_METRICS
    else:
        known = LABEL_METRICS
        for suffix in INTERVAL_SUFFIXES:
            if metric.endswith(suffix):
                metric, end = metric[: -len(suffix)], suffix[1:]
        metric = ALIASES.get(metric, metric)
    if metric not in known:
        raise GateError(
            f"gate {expression!r}: unknown metric {metric!r} for {scope}; use one of "
            f"{', '.join(known)}"
        )
    return Gate(expression.strip(), scope, metric, end, op, float(value))


def measured(gate: Gate, figures: dict) -> float | None:
    if gate.scope == RCRP_SCOPE:
        return figures["rcrp"][gate.metric]
    if gate.scope == FAIRNESS_SCOPE:
        return (figures.get("fairness") or {}).get(gate.metric)
    if gate.interval_end is None:
        return label_value(figures, gate.scope, gate.metric)
    section = figures["labels"][gate.scope]
    for part in ("at_threshold", "threshold_free"):
        if gate.metric in section[part]:
            return section[part][gate.metric][gate.interval_end]
    return ((section.get("prevalence") or {}).get(gate.metric) or {}).get(gate.interval_end)


def check_gates(gates: list[Gate], figures: dict) -> list[dict]:
    """One result per gate; a metric that could not be measured fails its gate."""
    results = []
    for gate in gates:
        value = measured(gate, figures)
        passed = value is not None and bool(OPERATORS[gate.op](value, gate.value))
        if value is None:
            message = f"gate failed: {gate.expression} (not measurable on these notes)"
        else:
            verdict = "passed" if passed else "failed"
            message = f"gate {verdict}: {gate.expression} (measured {value:.4g})"
        results.append(
            {"gate": gate.expression, "measured": value, "passed": passed, "message": message}
        )
    return results
