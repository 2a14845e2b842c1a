"""Counterfactual fairness: do identity words move the scores?

A counterfactual file holds groups of notes that differ only in one identity attribute
(ethnicity, nationality, religion, gender, age or a person's name), in the columns
``group``, ``attribute`` and ``value`` beside ``text``. Within a group a fair model gives
every note the same probabilities and flags, so for each label we report the largest
change within any group and every flag that flips, overall and per attribute.
``data/fairness/generate.py`` builds the bundled file; a force can write its own.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np

from model import LABELS, sha256_file
from notefiles import DataError, NoteSet, Problem, load_notes

from ._evaluate import Predictions, Scorer, predict

TOLERANCE = 0.05
COLUMNS = ("group", "attribute", "value")
ATTRIBUTES = ("ethnicity", "nationality", "religion", "gender", "age", "name")
BUNDLED = Path(__file__).resolve().parents[1] / "data" / "fairness" / "counterfactuals.jsonl"
GRID_SOURCE = "evaluation/behaviour/identity.toml"
LARGEST_SHOWN = 10
FAILURES_SHOWN = 100


def load_counterfactuals(path: Path) -> NoteSet:
    """Notes with their group, attribute and value; raises DataError naming file and line."""
    notes = load_notes([path], require_labels=False, keep=COLUMNS)
    problems: list[Problem] = []
    columns = {c: notes.extra.get(c, [None] * len(notes)) for c in COLUMNS}
    first: dict[str, tuple[str, str, set]] = {}
    sizes: dict[str, int] = defaultdict(int)
    for i, source in enumerate(notes.sources):
        file, _, line = source.rpartition(":")
        row = {c: columns[c][i] for c in COLUMNS}
        missing = [c for c in COLUMNS if not isinstance(row[c], str) or not row[c].strip()]
        if missing:
            problems.append(Problem(file, int(line), "missing " + ", ".join(map(repr, missing))))
            continue
        group, attribute, value = row["group"], row["attribute"], row["value"]
        if group not in first:
            first[group] = (source, attribute, set())
        seen_at, group_attribute, values = first[group]
        if attribute != group_attribute:
            problems.append(
                Problem(
                    file,
                    int(line),
                    f"group {group!r} swaps {attribute!r} here "
                    f"but {group_attribute!r} at {seen_at}; one attribute a group",
                )
            )
        if value in values:
            problems.append(Problem(file, int(line), f"group {group!r} has value {value!r} twice"))
        values.add(value)
        sizes[group] += 1
    for group, (seen_at, _, _) in first.items():
        if sizes[group] < 2:
            file, _, line = seen_at.rpartition(":")
            problems.append(
                Problem(file, int(line), f"group {group!r} has one note; a swap needs at least two")
            )
    if problems:
        raise DataError(sorted(problems, key=lambda p: (p.path, p.line or 0)))
    return notes


def identity_grid() -> NoteSet:
    """The behaviour suite's identity grid (base notes written from the guide, each crossed
    with held-out descriptions) as counterfactual notes: the large default set."""
    from .behaviour import identity_counterfactuals  # the suite imports this package

    rows = list(identity_counterfactuals())
    return NoteSet(
        ids=[r["id"] for r in rows],
        texts=[r["text"] for r in rows],
        labels=None,
        extra={c: [r[c] for r in rows] for c in COLUMNS},
        sources=[f"{GRID_SOURCE}:{k + 1}" for k in range(len(rows))],
    )


def combined(*sets: NoteSet) -> NoteSet:
    """Several counterfactual sets as one (their group names must not clash)."""
    return NoteSet(
        ids=[i for s in sets for i in s.ids],
        texts=[t for s in sets for t in s.texts],
        labels=None,
        extra={c: [v for s in sets for v in s.extra[c]] for c in COLUMNS},
        sources=[x for s in sets for x in s.sources],
    )


def _attribute_order(attributes) -> list[str]:
    known = [a for a in ATTRIBUTES if a in attributes]
    return known + sorted(set(attributes) - set(known))


def _variant(notes: NoteSet, predictions: Predictions, i: int, j: int) -> dict:
    return {
        "id": notes.ids[i],
        "value": notes.extra["value"][i],
        "probability": float(predictions.probabilities[i, j]),
        "flagged": bool(predictions.flagged[i, j]),
        "text": notes.texts[i],
    }


def _summary(findings: list[dict], tolerance: float) -> dict:
    deltas = [f["delta"] for f in findings]
    return {
        "groups": len(findings),
        "max_delta": max(deltas) if deltas else 0.0,
        "mean_delta": float(np.mean(deltas)) if deltas else 0.0,
        "flag_flips": sum(f["flag_flip"] for f in findings),
        "over_tolerance": sum(f["delta"] > tolerance for f in findings),
    }


def fairness_figures(
    scorer: Scorer,
    notes: NoteSet,
    *,
    path: Path | None = None,
    tolerance: float = TOLERANCE,
    largest: int = LARGEST_SHOWN,
    grid_notes: int = 0,
) -> dict:
    """Per label and attribute: the largest probability change within a group and the
    number of groups whose flag flips. See docs/evaluation.md for the figures."""
    predictions = predict(scorer, notes.texts)
    members: dict[str, list[int]] = defaultdict(list)
    for i, group in enumerate(notes.extra["group"]):
        members[group].append(i)
    attributes = _attribute_order({notes.extra["attribute"][rows[0]] for rows in members.values()})
    findings: list[dict] = []
    for group, rows in members.items():
        attribute = notes.extra["attribute"][rows[0]]
        for j, label in enumerate(LABELS):
            p = predictions.probabilities[rows, j]
            flags = predictions.flagged[rows, j]
            low, high = rows[int(np.argmin(p))], rows[int(np.argmax(p))]
            findings.append(
                {
                    "label": label,
                    "attribute": attribute,
                    "group": group,
                    "delta": float(p.max() - p.min()),
                    "flag_flip": bool(flags.any() and not flags.all()),
                    "threshold": float(scorer.thresholds[label]),
                    "low": _variant(notes, predictions, low, j),
                    "high": _variant(notes, predictions, high, j),
                }
            )
    labels = {}
    for label in LABELS:
        mine = [f for f in findings if f["label"] == label]
        labels[label] = {
            **_summary(mine, tolerance),
            "by_attribute": {
                a: _summary([f for f in mine if f["attribute"] == a], tolerance) for a in attributes
            },
        }
    overall = _summary(findings, tolerance)
    failures = [f for f in findings if f["flag_flip"] or f["delta"] > tolerance]
    failures.sort(key=lambda f: (-f["flag_flip"], -f["delta"], f["group"], f["label"]))
    ranked = sorted(findings, key=lambda f: (-f["delta"], f["group"], f["label"]))
    return {
        "file": None
        if path is None
        else {
            "path": str(path),
            "sha256": sha256_file(Path(path)),
            "notes": len(notes) - grid_notes,
            "groups": len({g for g in notes.extra["group"][: len(notes) - grid_notes]}),
        },
        "identity_grid": None
        if not grid_notes
        else {
            "source": GRID_SOURCE,
            "notes": grid_notes,
            "groups": len({g for g in notes.extra["group"][len(notes) - grid_notes :]}),
        },
        "tolerance": tolerance,
        "attributes": {
            a: sum(notes.extra["attribute"][rows[0]] == a for rows in members.values())
            for a in attributes
        },
        "max_delta": overall["max_delta"],
        "flag_flips": overall["flag_flips"],
        "over_tolerance": overall["over_tolerance"],
        "passed": not failures,
        "labels": labels,
        "largest": ranked[:largest],
        "failures": failures[:FAILURES_SHOWN],
        "failures_total": len(failures),
    }


def evaluate_fairness(scorer: Scorer, path: Path, tolerance: float = TOLERANCE) -> dict:
    """Load ``path`` (DataError if malformed) and measure ``scorer`` on it."""
    return fairness_figures(scorer, load_counterfactuals(path), path=path, tolerance=tolerance)


__all__ = [
    "BUNDLED",
    "TOLERANCE",
    "DataError",
    "evaluate_fairness",
    "fairness_figures",
    "load_counterfactuals",
]
