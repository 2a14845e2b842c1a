"""Without a terminal (logs, CI, a pipe) long commands still say how far they have got."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from cli.main import app


def test_score_prints_progress_lines_when_there_is_no_terminal(model_path, tmp_path):
    notes = tmp_path / "notes.jsonl"
    rows = [{"id": f"n{i}", "text": f"note {i}: male shouting in the street"} for i in range(50)]
    notes.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "scored.jsonl"
    args = ["score", str(notes), "--output", str(out), "--model", str(model_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    lines = re.findall(
        r"^\[\d\d:\d\d:\d\d\] score \(single\): scoring (\d+)/50$", result.output, re.M
    )
    assert lines and lines[-1] == "50"  # timestamped lines, the last one complete
    assert "note 7" not in result.output  # counts only, never note text
