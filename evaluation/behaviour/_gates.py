"""Gates on the suite: ``behaviour.CAPABILITY[.TEST|.LABEL].METRIC OP VALUE``.

The operators and the error type are evaluation's, so a gate reads and compares the same way
in ``rightcall evaluate`` and ``rightcall behave``. Defaults (the issue's targets) are in
``gates.toml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from model import LABELS

from .. import GATE_OPERATORS, GateError
from ._lexicon import HERE, SuiteError, read_toml
from ._templates import TESTS

SCOPE = "behaviour"
OVERALL = "overall"
METRICS = ("failure_rate", "pass_rate", "cases", "failures", "group_pass_rate", "max_delta")
LABEL_METRICS = ("failure_rate", "cases", "failures")
DEFAULT_GATES = HERE / "gates.toml"
_PATTERN = re.compile(
    r"^\s*behaviour\.([a-z_]+)(?:\.([a-z_]+))?\.([a-z_]+)\s*(>=|<=|==|>|<)\s*"
    r"([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*$"
)


@dataclass(frozen=True)
class BehaviourGate:
    expression: str
    capability: str
    part: str | None  # a test type or a label
    metric: str
    op: str
    value: float


def parse_gate(expression: str, capabilities: list[str]) -> BehaviourGate:
    match = _PATTERN.match(expression)
    if not match:
        raise GateError(
            f"cannot read gate {expression!r}: expected behaviour.CAPABILITY[.TEST|.LABEL]."
            "METRIC OP VALUE, e.g. 'behaviour.negation.failure_rate<=0.05' or "
            "'behaviour.robustness.inv.pass_rate>=0.98'"
        )
    capability, part, metric, op, value = match.groups()
    known = [*capabilities, OVERALL]
    if capability not in known:
        raise GateError(
            f"gate {expression!r}: unknown capability {capability!r}; use one of {', '.join(known)}"
        )
    if part is not None and part not in (*TESTS, *LABELS):
        raise GateError(
            f"gate {expression!r}: {part!r} is neither a test ({', '.join(TESTS)}) nor a "
            f"label ({', '.join(LABELS)})"
        )
    allowed = LABEL_METRICS if part in LABELS else METRICS
    if metric not in allowed:
        raise GateError(
            f"gate {expression!r}: unknown metric {metric!r}; use one of {', '.join(allowed)}"
        )
    return BehaviourGate(expression.strip(), capability, part, metric, op, float(value))


def default_gates(path: Path = DEFAULT_GATES) -> list[str]:
    data = read_toml(path)
    gates = data.get("gates")
    if not isinstance(gates, list) or not all(isinstance(g, str) for g in gates):
        raise SuiteError(f'{path}: needs gates = ["behaviour....", ...]')
    return gates


def measured(gate: BehaviourGate, figures: dict) -> float | None:
    if gate.capability == OVERALL:
        section = figures["overall"] if gate.part is None else None
    else:
        section = figures["capabilities"].get(gate.capability)
        if section is not None and gate.part is not None:
            group = "labels" if gate.part in LABELS else "tests"
            section = section[group].get(gate.part)
    return None if section is None else section.get(gate.metric)


def check_gates(gates: list[BehaviourGate], figures: dict) -> list[dict]:
    """One result per gate; a gate with nothing measured (no such cases) fails."""
    results = []
    for gate in gates:
        value = measured(gate, figures)
        passed = value is not None and bool(GATE_OPERATORS[gate.op](value, gate.value))
        if value is None:
            message = f"gate failed: {gate.expression} (no cases measure it)"
        else:
            verdict = "passed" if passed else "failed"
            message = f"gate {verdict}: {gate.expression} (measured {value:.4g})"
        results.append(
            {"gate": gate.expression, "measured": value, "passed": passed, "message": message}
        )
    return results
