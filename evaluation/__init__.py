"""Measuring models on labelled notes (`rightcall evaluate`): metrics with bootstrap
intervals, calibration, slices, the RCRP view, fairness, gates, comparisons and the report.

``evaluation/behaviour/`` holds the behaviour suite (`rightcall behave`).
"""

from typing import Any

from ._baselines import BASELINES, RulesBaseline
from ._bootstrap import THRESHOLD_FREE, Bootstrap, interval, threshold_metrics
from ._compare import compare
from ._curves import at_prevalence
from ._evaluate import Evaluation, Scorer, evaluate, figures_json, load_for_evaluation
from ._fairness import (
    ATTRIBUTES,
    TOLERANCE,
    combined,
    evaluate_fairness,
    fairness_figures,
    identity_grid,
    load_counterfactuals,
)
from ._fairness import BUNDLED as BUNDLED_COUNTERFACTUALS
from ._gates import FAIRNESS_SCOPE, Gate, GateError, check_gates, parse_gate
from ._gates import OPERATORS as GATE_OPERATORS
from ._metrics import all_label_metrics, label_metrics
from ._slices import LENGTH_COLUMN, MAX_CATEGORIES, categorical_columns
from ._stats import describe

__all__ = [
    "ATTRIBUTES",
    "combined",
    "identity_grid",
    "BASELINES",
    "BUNDLED_COUNTERFACTUALS",
    "FAIRNESS_SCOPE",
    "GATE_OPERATORS",
    "LENGTH_COLUMN",
    "MAX_CATEGORIES",
    "THRESHOLD_FREE",
    "TOLERANCE",
    "Bootstrap",
    "Evaluation",
    "Gate",
    "GateError",
    "RulesBaseline",
    "Scorer",
    "all_label_metrics",
    "at_prevalence",
    "categorical_columns",
    "check_gates",
    "compare",
    "describe",
    "evaluate",
    "evaluate_fairness",
    "fairness_figures",
    "figures_json",
    "interval",
    "label_metrics",
    "load_counterfactuals",
    "load_for_evaluation",
    "parse_gate",
    "threshold_metrics",
    "write_report",
]


def __getattr__(name: str) -> Any:
    # The report draws with matplotlib: import it only when a report is asked for.
    if name == "write_report":
        from ._report import write_report

        return write_report
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
