"""Failure rates per capability, test type, label and template: what the table and JSON show."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from model import LABELS

from ._score import DIR_TOLERANCE, INV_TOLERANCE, Outcome

EXAMPLE_CHARS = 120
SCHEMA_VERSION = 1
WORST_SHOWN = 10


def clip(text: str, limit: int = EXAMPLE_CHARS) -> str:
    """At most ``limit`` characters of a note: the most the report ever shows of one."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _rate(failures: int, cases: int) -> float | None:
    return failures / cases if cases else None


def _stats(outcomes: Sequence[Outcome]) -> dict:
    cases = len(outcomes)
    failures = sum(not o.passed for o in outcomes)
    groups: dict[str, bool] = {}
    for o in outcomes:
        groups[o.case.group] = groups.get(o.case.group, True) and o.passed
    deltas = [o.delta for o in outcomes if o.delta is not None]
    rate = _rate(failures, cases)
    return {
        "cases": cases,
        "failures": failures,
        "failure_rate": rate,
        "pass_rate": None if rate is None else 1.0 - rate,
        "groups": len(groups),
        "group_pass_rate": _rate(sum(groups.values()), len(groups)),
        "max_delta": max(deltas) if deltas else None,
    }


def _tested_labels(outcome: Outcome) -> list[str]:
    case = outcome.case
    if case.test == "mft":
        return list(case.expect)
    if case.test == "inv":
        return list(LABELS)
    return list(dict.fromkeys([*case.direction, *(case.expect_changed or {})]))


def _shown(outcome: Outcome) -> dict:
    case = outcome.case
    shown = case.changed if case.changed is not None else case.text
    return {
        "case": case.id,
        "test": case.test,
        "detail": case.detail,
        "summary": outcome.summary,
        "text": clip(shown),
    }


def _worst(outcomes: Sequence[Outcome], count: int) -> list[dict]:
    failed = [o for o in outcomes if not o.passed]
    # sorted is stable: among equals, the first generated comes first
    return [_shown(o) for o in sorted(failed, key=lambda o: -o.severity)[:count]]


def _example(outcomes: Sequence[Outcome]) -> dict | None:
    worst = _worst(outcomes, 1)
    return worst[0] if worst else None


def _by_kind(outs: Sequence[Outcome]) -> dict:
    """INV cases by what was changed: the perturbation, or the identity attribute swapped."""
    kinds: dict[str, list[Outcome]] = defaultdict(list)
    for o in outs:
        if o.case.detail:
            kinds[o.case.detail.split(":", 1)[0]].append(o)
    return {kind: _stats(group) for kind, group in kinds.items()}


def figures(outcomes: Sequence[Outcome], order: Sequence[str]) -> dict:
    """Capabilities in ``order``, each with its tests, labels and templates."""
    by_capability: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_capability[o.case.capability].append(o)
    capabilities = {}
    for capability in order:
        outs = by_capability.get(capability, [])
        if not outs:
            continue
        entry = _stats(outs)
        entry["example"] = _example(outs)
        tests: dict[str, list[Outcome]] = defaultdict(list)
        labels: dict[str, list[bool]] = defaultdict(list)
        templates: dict[str, list[Outcome]] = defaultdict(list)
        for o in outs:
            tests[o.case.test].append(o)
            templates[o.case.template].append(o)
            for label in _tested_labels(o):
                labels[label].append(label not in o.failed_labels)
        entry["tests"] = {
            test: {**_stats(tests[test]), "example": _example(tests[test])}
            for test in ("mft", "inv", "dir")
            if test in tests
        }
        entry["labels"] = {
            label: {
                "cases": len(labels[label]),
                "failures": labels[label].count(False),
                "failure_rate": _rate(labels[label].count(False), len(labels[label])),
            }
            for label in LABELS
            if label in labels
        }
        entry["by_change"] = _by_kind(outs)
        entry["worst"] = _worst(outs, WORST_SHOWN)
        entry["templates"] = {
            tid: {
                "test": outs_t[0].case.test,
                "cases": len(outs_t),
                "failures": sum(not o.passed for o in outs_t),
            }
            for tid, outs_t in templates.items()
        }
        capabilities[capability] = entry
    overall = _stats(outcomes)
    return {
        "schema": SCHEMA_VERSION,
        "tolerances": {"inv": INV_TOLERANCE, "dir": DIR_TOLERANCE},
        "overall": overall,
        "capabilities": capabilities,
    }
