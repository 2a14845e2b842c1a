"""The evaluation library: bootstrap arithmetic, intervals, base rates, routes, slices, gates."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    log_loss,
    roc_auc_score,
)

from evaluation import (
    THRESHOLD_FREE,
    Bootstrap,
    GateError,
    RulesBaseline,
    at_prevalence,
    categorical_columns,
    check_gates,
    evaluate,
    figures_json,
    interval,
    label_metrics,
    load_for_evaluation,
    parse_gate,
    threshold_metrics,
)
from model import LABELS
from notefiles import ColumnMapping, load_notes
from tests.conftest import CORPUS

REFERENCE = {
    "roc_auc": roc_auc_score,
    "average_precision": average_precision_score,
    "brier": brier_score_loss,
    "log_loss": lambda y, p: log_loss(y, p, labels=[0, 1]),
}


@st.composite
def scored_notes(draw):
    """Labels with both classes, coarse scores (so ties happen) and resample counts."""
    n = draw(st.integers(4, 40))
    y = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    y[0], y[1] = 0, 1
    p = np.array(
        draw(
            st.lists(st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0]), min_size=n, max_size=n)
        )
    )
    counts = np.array(draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)))
    counts[0], counts[1] = max(counts[0], 1), max(counts[1], 1)
    return y, p, counts


@settings(max_examples=150, deadline=None)
@given(scored_notes())
def test_weighted_metrics_equal_scikit_learn_on_the_repeated_notes(case):
    """A resample is a vector of draw counts: its metric must be the metric of the drawn notes."""
    y, p, counts = case
    weights = counts[None, :].astype(float)
    drawn_y, drawn_p = np.repeat(y, counts), np.repeat(p, counts)
    for name, reference in REFERENCE.items():
        got = THRESHOLD_FREE[name](weights, y.astype(float), p)[0]
        assert got == pytest.approx(reference(drawn_y, drawn_p), abs=1e-9), name
    at = threshold_metrics(weights, y, p >= 0.5)
    expected = label_metrics(drawn_y, drawn_p, 0.5)
    for name in ("tp", "fp", "fn", "tn", "specificity", "f1"):
        assert at[name][0] == pytest.approx(expected[name]), name


def test_resamples_are_reproducible_and_blocked_without_changing_them():
    a = np.concatenate(list(Bootstrap(50, 300, seed=7).blocks()))
    b = np.concatenate(list(Bootstrap(50, 300, seed=7).blocks()))
    assert a.shape == (300, 50) and (a == b).all()
    assert (a.sum(axis=1) == 50).all()
    assert not (a == np.concatenate(list(Bootstrap(50, 300, seed=8).blocks()))).all()
    assert interval(np.array([np.nan, np.nan])) is None


@pytest.fixture(scope="module")
def test_split():
    return load_for_evaluation([CORPUS / "test.jsonl"], ColumnMapping())


@pytest.fixture(scope="module")
def model_evaluation(classifier, test_split):
    return evaluate(classifier, test_split, prevalence={"threat_to_life": 0.03}, resamples=400)


def test_intervals_contain_the_point_estimate(model_evaluation):
    figures = model_evaluation.figures
    checked = 0
    for label in LABELS:
        section = figures["labels"][label]
        stated = section["prevalence"] or {}
        estimates = [
            *section["at_threshold"].values(),
            *section["threshold_free"].values(),
            *(v for v in stated.values() if isinstance(v, dict)),
        ]
        for estimate in estimates:
            assert estimate["ci_low"] <= estimate["value"] <= estimate["ci_high"]
            checked += 1
    assert checked >= 3 * 13


def test_point_estimates_are_the_shared_label_metrics(classifier, test_split, model_evaluation):
    probabilities = classifier.probabilities(test_split.texts)
    for j, label in enumerate(LABELS):
        expected = label_metrics(
            test_split.labels[:, j], probabilities[:, j], classifier.thresholds[label]
        )
        section = model_evaluation.figures["labels"][label]
        for name in ("precision", "recall", "specificity", "f1", "tp", "fn"):
            assert section["at_threshold"][name]["value"] == pytest.approx(expected[name])
        assert section["threshold_free"]["roc_auc"]["value"] == pytest.approx(expected["roc_auc"])
    json.loads(figures_json(model_evaluation.figures))  # strict JSON, no NaN


def test_ppv_at_a_base_rate_by_hand():
    # sensitivity 0.9, specificity 0.8, 3 calls in 100: 0.027 true alerts, 0.194 false alarms.
    figures = at_prevalence(0.9, 0.8, 0.03)
    assert float(figures["expected_ppv"]) == pytest.approx(0.027 / (0.027 + 0.194))
    assert float(figures["false_alarms_per_1000"]) == pytest.approx(194.0)
    assert float(figures["true_alerts_per_1000"]) == pytest.approx(27.0)
    assert float(figures["missed_per_1000"]) == pytest.approx(3.0)
    assert float(figures["flags_per_1000"]) == pytest.approx(221.0)


def _note(note_id, text, mh, crime, ttl):
    return {"id": note_id, "text": text, "mental_health": mh, "crime": crime, "threat_to_life": ttl}


HAND_MADE = [
    # A threat to life with no cue at all: rules can only route it no-signal.
    _note("ttl-quiet", "Caller asked what time the recycling centre opens on Sunday.", 0, 0, 1),
    _note(
        "ttl-cue", "Man pulled from the canal and he is not breathing, CPR in progress.", 0, 0, 1
    ),
    _note("ttl-mh", "She says she is suicidal and has taken an overdose of paracetamol.", 1, 0, 1),
    _note("mh", "Son has schizophrenia and is hearing voices, calm at home with his mum.", 1, 0, 0),
    _note("crime", "Shoplifter took two bottles of whisky and ran off, nobody hurt.", 0, 1, 0),
    _note("none", "Lost wallet enquiry, caller given the lost property number.", 0, 0, 0),
]


def test_rcrp_view_lists_each_threat_to_life_call_routed_away(tmp_path):
    path = tmp_path / "hand.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in HAND_MADE), encoding="utf-8")
    notes = load_notes(path)
    rules = RulesBaseline("rules")
    rcrp = evaluate(rules, notes, resamples=100).figures["rcrp"]
    # True routes by hand: ttl-quiet, ttl-cue, crime -> police; ttl-mh -> police-and-health;
    # mh -> health-led; none -> no-signal.
    rows = {truth: sum(counts.values()) for truth, counts in rcrp["confusion"].items()}
    assert rows == {"police": 3, "police-and-health": 1, "health-led": 1, "no-signal": 1}
    routes = {r["id"]: r for r in rcrp["threat_to_life_missed_notes"]}
    suggested = {
        n["id"]: result.route.suggestion
        for n, result in zip(HAND_MADE, rules.classify_many(notes.texts), strict=True)
    }
    expected = {
        n["id"]
        for n in HAND_MADE
        if n["threat_to_life"] and suggested[n["id"]] in ("health-led", "no-signal")
    }
    assert "ttl-quiet" in expected
    assert set(routes) == expected
    assert rcrp["threat_to_life_missed"] == len(expected)
    assert routes["ttl-quiet"]["suggested_route"] == "no-signal"
    assert routes["ttl-quiet"]["true_route"] == "police"
    assert routes["ttl-quiet"]["source"] == f"{path}:1"
    assert rcrp["threat_to_life_true"] == 3


def test_rules_count_only_present_cues_unless_told_not_to():
    text = "Caller says her husband is not suicidal and has no weapons."
    with_context, without = RulesBaseline("rules"), RulesBaseline("rules-nonegation")
    assert with_context.probabilities([text]).max() == 0.0
    assert with_context.classify_many([text])[0].route.suggestion == "no-signal"
    result = without.classify_many([text])[0]
    assert result.labels["mental_health"].flagged
    assert result.evidence and all(e.text in text for e in result.evidence)


def test_categorical_columns_skip_free_text_and_ids():
    n = 40
    extra = {
        "style": ["uk-log", "summary"] * (n // 2),
        "hard": [["negation"], [], ["typos", "negation"], ["implied"]] * (n // 4),
        "rationale": [f"free text explanation number {i}" for i in range(n)],
        "group": [f"g{i // 2}" for i in range(n)],
        "split": ["test"] * n,
    }
    assert categorical_columns(extra) == ["style", "hard"]


def test_gates_parse_and_check():
    figures = {
        "labels": {
            "crime": {
                "at_threshold": {"recall": {"value": 0.8, "ci_low": 0.7, "ci_high": 0.9}},
                "threshold_free": {},
                "prevalence": None,
            }
        },
        "rcrp": {"threat_to_life_missed": 2},
    }
    gates = [
        parse_gate(g)
        for g in (
            "crime.recall>=0.8",
            "crime.sensitivity_ci_low>0.75",
            "rcrp.threat_to_life_missed<=1",
            "crime.recall == 0.8",
        )
    ]
    results = check_gates(gates, figures)
    assert [r["passed"] for r in results] == [True, False, False, True]
    assert results[1]["message"] == "gate failed: crime.sensitivity_ci_low>0.75 (measured 0.7)"
    assert results[2]["measured"] == 2
    with pytest.raises(GateError, match="unknown metric"):
        parse_gate("crime.accuracy>=0.9")
