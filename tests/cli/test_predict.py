"""`rightcall predict` through the command line: several notes, stdin, JSON, default model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from model import LABELS

runner = CliRunner()
NOTES = [
    "Man on the railway line says he wants to end his life",
    "bike stolen from outside the library overnight",
]


def predict(*args: str, stdin: str | None = None, env: dict[str, str] | None = None):
    return runner.invoke(app, ["predict", *args], input=stdin, env=env)


def json_lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_json_gives_one_result_per_note_in_order(model_path, classifier):
    result = predict("--model", str(model_path), "--json", *NOTES)
    assert result.exit_code == 0, result.output
    lines = json_lines(result.output)
    assert [line["note"] for line in lines] == [1, 2]
    assert [line["source"] for line in lines] == ["argument 1", "argument 2"]
    for line, note in zip(lines, NOTES, strict=True):
        expected = classifier.classify(note).to_dict()
        assert set(line["labels"]) == set(LABELS)
        for label in LABELS:
            assert (
                abs(line["labels"][label]["probability"] - expected["labels"][label]["probability"])
                < 1e-9
            )
        assert line["route"] == expected["route"]
        assert line["model"]["version"] == classifier.version


def test_dash_reads_one_note_per_stdin_line_skipping_blank_lines(model_path):
    result = predict("--model", str(model_path), "--json", "-", stdin=f"{NOTES[0]}\n\n{NOTES[1]}\n")
    assert result.exit_code == 0, result.output
    lines = json_lines(result.output)
    assert [line["source"] for line in lines] == ["stdin line 1", "stdin line 3"]
    by_argument = json_lines(predict("--model", str(model_path), "--json", *NOTES).output)
    assert [line["labels"] for line in lines] == [line["labels"] for line in by_argument]


def test_table_uses_the_pages_wording_for_probabilities(model_path, classifier):
    result = predict("--model", str(model_path), *NOTES)
    assert result.exit_code == 0, result.output
    assert "argument 1" in result.output and "argument 2" in result.output
    assert result.output.count("Suggested route") == 2
    # The route reasons are worded by the model ("Threat to life (>99%)"); each probability
    # the table shows for a flagged label must be the same string.
    for note in NOTES:
        scored = classifier.classify(note)
        for reason in scored.route.reasons:
            shown = reason.split("(", 1)[1].split(")", 1)[0]
            assert shown in result.output


def test_empty_note_and_no_notes_are_refused_naming_which(model_path):
    result = predict("--model", str(model_path), NOTES[0], "  ")
    assert result.exit_code == 2
    assert "note 2 (argument 2) is empty" in result.output
    result = predict("--model", str(model_path), "-", stdin="\n  \n")
    assert result.exit_code == 2
    assert "no notes" in result.output


def test_default_model_comes_from_rightcall_models_dir(model_path, tmp_path):
    result = predict("--json", NOTES[0], env={"RIGHTCALL_MODELS_DIR": str(model_path.parent)})
    assert result.exit_code == 0, result.output
    result = predict("--json", NOTES[0], env={"RIGHTCALL_MODELS_DIR": str(tmp_path)})
    assert result.exit_code == 1
    assert str(tmp_path) in result.output


def test_default_model_is_the_projects_not_the_working_directorys(tmp_path):
    """Run from an unrelated folder: the model looked for is <project>/models/latest."""
    env = {k: v for k, v in os.environ.items() if k != "RIGHTCALL_MODELS_DIR"}
    project_models = Path(__file__).resolve().parents[2] / "models" / "latest"
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "predict", "--json", NOTES[0]],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(project_models.parent.parent)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    if project_models.exists():
        assert result.returncode == 0, result.stderr
        assert json_lines(result.stdout)[0]["note"] == 1
    else:
        assert result.returncode == 1
        assert str(project_models) in result.stderr
    assert str(tmp_path / "models") not in result.stdout + result.stderr
