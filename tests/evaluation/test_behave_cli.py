"""`rightcall behave` through the command line: table, JSON, gates that bite, bad input."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()


def behave(*args: str):
    return runner.invoke(app, ["behave", *args])


@pytest.fixture(scope="module")
def negation_run(model_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("behave") / "behave.json"
    result = behave(
        "--model", str(model_path), "--capability", "negation", "--capability", "robustness",
        "--json", str(out), "--no-default-gates",
    )  # fmt: skip
    return result, json.loads(out.read_text(encoding="utf-8"))


def test_prints_the_table_and_writes_json(negation_run):
    result, figures = negation_run
    assert result.exit_code == 0, result.output
    assert "Behaviour suite" in result.output and "negation" in result.output
    assert set(figures["capabilities"]) == {"negation", "robustness"}
    negation = figures["capabilities"]["negation"]
    assert set(negation["tests"]) == {"mft", "dir"}
    assert negation["cases"] == sum(t["cases"] for t in negation["tests"].values())
    assert 0.0 <= negation["failure_rate"] <= 1.0
    assert figures["suite"]["seed"] == 13 and figures["gates"] == []
    for entry in figures["capabilities"].values():
        for test in entry["tests"].values():
            if test["example"]:
                assert len(test["example"]["text"]) <= 120


def test_a_negation_gate_fails_for_a_model_that_ignores_negation(tmp_path):
    gate = "behaviour.negation.mft.failure_rate<=0.05"
    out = tmp_path / "nonegation.json"
    ignoring = behave(
        "--model", "rules-nonegation", "--capability", "negation", "--gate", gate,
        "--no-default-gates", "--json", str(out),
    )  # fmt: skip
    assert ignoring.exit_code == 1, ignoring.output
    assert f"gate failed: {gate}" in ignoring.output
    with_context = behave("--model", "rules", "--capability", "negation", "--no-default-gates")
    assert with_context.exit_code == 0
    ignored = json.loads(out.read_text(encoding="utf-8"))["capabilities"]["negation"]
    assert ignored["tests"]["mft"]["failure_rate"] > 0.3


def test_default_gates_apply_only_to_the_capabilities_run(tmp_path):
    out = tmp_path / "b.json"
    result = behave("--model", "rules", "--capability", "figurative", "--json", str(out))
    gates = json.loads(out.read_text(encoding="utf-8"))["gates"]
    assert [g["gate"] for g in gates] == ["behaviour.figurative.failure_rate<=0.05"]
    assert result.exit_code == (0 if gates[0]["passed"] else 1)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--gate", "behaviour.negation.failure_rate<=oops"], "cannot read gate"),
        (["--gate", "behaviour.nonsense.failure_rate<=0.1"], "unknown capability"),
        (["--gate", "behaviour.negation.recall>=0.1"], "unknown metric"),
        (["--capability", "nonsense"], "unknown capability"),
        (
            ["--capability", "length", "--gate", "behaviour.negation.failure_rate<=0.1"],
            "not being run",
        ),
        (["--lexicon", "/nonexistent/force.toml"], "no such file"),
        (["--model", "/nonexistent/model"], "error"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_a_message(args, message):
    result = behave("--model", "rules", "--no-default-gates", *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_list_needs_no_model_and_cases_are_reproducible(tmp_path):
    listed = behave("--list")
    assert listed.exit_code == 0 and "identity" in listed.output
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    for path in (first, second):
        behave(
            "--model", "rules", "--capability", "length", "--no-default-gates", "--cases", str(path)
        )
    assert first.read_bytes() == second.read_bytes() and first.stat().st_size > 0
