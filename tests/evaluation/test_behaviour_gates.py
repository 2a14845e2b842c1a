"""The whole behaviour suite on the bundled model, gated.

The targets of issues 13 and 14 are `rightcall behave`'s default gates (gates.toml); the
floors (floors.toml) are the levels the bundled model has reached, so a change that makes
it worse fails here. Both are measured and reported; only the floors must pass.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app

FLOORS = Path(__file__).resolve().parents[2] / "evaluation" / "behaviour" / "floors.toml"


def test_bundled_model_keeps_its_behaviour_floors(model_path, tmp_path):
    floors = tomllib.loads(FLOORS.read_text(encoding="utf-8"))["gates"]
    out = tmp_path / "behave.json"
    args = ["behave", "--model", str(model_path), "--json", str(out), "--no-default-gates"]
    for gate in floors:
        args += ["--gate", gate]
    result = CliRunner().invoke(app, args)
    figures = json.loads(out.read_text(encoding="utf-8"))
    failed = [g["message"] for g in figures["gates"] if not g["passed"]]
    assert len(figures["gates"]) == len(floors) >= 10
    assert result.exit_code == 0, "\n".join(failed)


def test_default_gates_are_the_issue_targets_and_are_all_reported(model_path, tmp_path):
    out = tmp_path / "behave.json"
    result = CliRunner().invoke(app, ["behave", "--model", str(model_path), "--json", str(out)])
    figures = json.loads(out.read_text(encoding="utf-8"))
    gates = {g["gate"]: g for g in figures["gates"]}
    assert "behaviour.archetype.threat_to_life.failure_rate<=0.02" in gates
    assert "behaviour.identity.group_pass_rate>=0.995" in gates
    assert all(g["measured"] is not None for g in gates.values())
    # exit 1 exactly when a target is missed, so a release script can gate on it
    assert result.exit_code == (0 if all(g["passed"] for g in gates.values()) else 1)
