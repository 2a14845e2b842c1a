"""Two models side by side on the same notes: figures, deltas and paired bootstrap intervals.

Both evaluations must be of the same notes with the same bootstrap settings; then
resample k draws the same notes for both models, and the percentile interval of
(model - other) across resamples is a paired interval: it is narrower than two
separate intervals suggest, because both models face the same hard notes. Every
delta is model minus other.
"""

from __future__ import annotations

import numpy as np

from model import LABELS

from ._bootstrap import interval
from ._evaluate import AT_THRESHOLD, PREVALENCE_METRICS, THRESHOLD_FREE_METRICS, Evaluation
from ._rcrp import threat_to_life_missed

COMPARED = (*AT_THRESHOLD, *THRESHOLD_FREE_METRICS, *PREVALENCE_METRICS)
RCRP_COMPARED = ("threat_to_life_missed", "route_agreement")


def label_value(figures: dict, label: str, name: str) -> float | None:
    """A label's metric wherever it lives in the figures (None if absent or undefined)."""
    section = figures["labels"][label]
    for part in ("at_threshold", "threshold_free"):
        if name in section[part]:
            return section[part][name]["value"]
    prevalence = section.get("prevalence") or {}
    if name in prevalence:
        return prevalence[name]["value"]
    return None


def _row(model: float | None, other: float | None, draws_model, draws_other) -> dict:
    delta = model - other if model is not None and other is not None else None
    bounds = None
    if delta is not None and draws_model is not None and draws_other is not None:
        bounds = interval(np.asarray(draws_model) - np.asarray(draws_other))
    return {
        "model": model,
        "other": other,
        "delta": delta,
        "ci_low": bounds[0] if bounds else None,
        "ci_high": bounds[1] if bounds else None,
    }


def compare(model: Evaluation, other: Evaluation) -> dict:
    """The ``comparison`` section of the figures; raises ValueError unless the notes match."""
    if model.notes.ids != other.notes.ids:
        raise ValueError("the two evaluations are not of the same notes")
    if model.figures["bootstrap"] != other.figures["bootstrap"]:
        raise ValueError("the two evaluations used different bootstrap settings")
    a, b = model.figures, other.figures
    labels = {}
    for label in LABELS:
        rows = {}
        for name in COMPARED:
            va, vb = label_value(a, label, name), label_value(b, label, name)
            if va is None and vb is None:
                continue
            key = ("labels", label, name)
            rows[name] = _row(va, vb, model.replicates.get(key), other.replicates.get(key))
        labels[label] = rows
    rcrp = {
        name: _row(
            a["rcrp"][name],
            b["rcrp"][name],
            model.replicates.get(("rcrp", name)),
            other.replicates.get(("rcrp", name)),
        )
        for name in RCRP_COMPARED
    }
    truth = model.notes.labels
    missed_model = threat_to_life_missed(truth, model.predictions.routes)
    missed_other = threat_to_life_missed(truth, other.predictions.routes)
    ids = model.notes.ids
    rcrp["threat_to_life_missed_only_by_model"] = [
        ids[i] for i in np.flatnonzero(missed_model & ~missed_other)
    ]
    rcrp["threat_to_life_missed_only_by_other"] = [
        ids[i] for i in np.flatnonzero(missed_other & ~missed_model)
    ]
    return {"model": a["model"], "other": b["model"], "labels": labels, "rcrp": rcrp}
