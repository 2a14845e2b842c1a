"""The whole behaviour suite with its default gates (the issues' targets) on the bundled model.

This is the release check of issues 13 and 14; it fails until the model meets the targets.
"""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cli.main import app


def test_bundled_model_passes_the_behaviour_suite_with_default_gates(model_path, tmp_path):
    out = tmp_path / "behave.json"
    result = CliRunner().invoke(app, ["behave", "--model", str(model_path), "--json", str(out)])
    figures = json.loads(out.read_text(encoding="utf-8"))
    failed = [g["message"] for g in figures["gates"] if not g["passed"]]
    assert len(figures["gates"]) >= 10
    assert result.exit_code == 0, "\n".join(failed)
