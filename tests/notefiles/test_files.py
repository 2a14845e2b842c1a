"""Loading and validating a force's own labelled files: formats, mappings, every problem."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli.main import app
from notefiles import ColumnMapping, DataError, load_notes, parse_label

runner = CliRunner()


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


GOOD = [
    {
        "id": "a",
        "text": "RP states brother on the bridge rail",
        "mental_health": 1,
        "crime": 0,
        "threat_to_life": 1,
        "style": "uk-log",
    },
    {
        "id": "b",
        "text": "Bike stolen from outside the library",
        "mental_health": 0,
        "crime": 1,
        "threat_to_life": 0,
        "style": "summary",
    },
]


def test_jsonl_csv_and_parquet_load_the_same_notes(tmp_path):
    jsonl = write_jsonl(tmp_path / "notes.jsonl", GOOD)
    frame = pd.DataFrame(GOOD)
    frame.to_csv(tmp_path / "notes.csv", index=False)
    frame.to_parquet(tmp_path / "notes.parquet")
    loaded = [load_notes(p) for p in (jsonl, tmp_path / "notes.csv", tmp_path / "notes.parquet")]
    for notes in loaded:
        assert notes.ids == ["a", "b"]
        assert notes.texts == [r["text"] for r in GOOD]
        assert notes.labels.tolist() == [[1, 0, 1], [0, 1, 0]]
        assert notes.extra["style"] == ["uk-log", "summary"]


def test_a_forces_own_columns_and_flag_values_are_mapped(tmp_path):
    frame = pd.DataFrame(
        {
            "call_ref": ["C1", "C2", "C3"],
            "notes": ["caller hearing voices", "shed broken into", "man not breathing"],
            "MH_FLAG": ["Y", "n", "No"],
            "CRIME": ["false", "TRUE", "0"],
            "RISK": ["yes", "no", "1"],
        }
    )
    frame.to_csv(tmp_path / "force.csv", index=False)
    mapping = ColumnMapping.from_options(
        "notes", "call_ref", ["mental_health=MH_FLAG", "crime=CRIME", "threat_to_life=RISK"]
    )
    notes = load_notes(tmp_path / "force.csv", mapping)
    assert notes.ids == ["C1", "C2", "C3"]
    assert notes.labels.tolist() == [[1, 0, 1], [0, 1, 0], [0, 0, 1]]


def test_every_problem_is_reported_with_file_and_line_in_one_pass(tmp_path):
    path = tmp_path / "bad.jsonl"
    lines = [
        json.dumps(GOOD[0]),
        json.dumps({**GOOD[1], "text": "   "}),  # 2: empty text
        json.dumps({k: v for k, v in GOOD[1].items() if k != "text"} | {"id": "c"}),  # 3: missing
        json.dumps({**GOOD[1], "id": "d", "crime": "maybe"}),  # 4: unknown label value
        json.dumps({**GOOD[1], "id": "a"}),  # 5: duplicate id
        "{not json",  # 6: invalid JSON
    ]
    data = ("\n".join(lines) + "\n").encode() + b'{"id": "e", "text": "caf\xe9"}\n'  # 7: not UTF-8
    path.write_bytes(data)
    with pytest.raises(DataError) as caught:
        load_notes(path)
    found = {(p.line, p.message.split(" (")[0]) for p in caught.value.problems}
    assert (2, "empty text") in found
    assert (3, "missing text") in found
    assert any(line == 4 and "unknown value 'maybe'" in msg for line, msg in found)
    assert any(line == 5 and "duplicate id 'a'" in msg for line, msg in found)
    assert (6, "invalid JSON") in found
    assert (7, "not valid UTF-8") in found
    assert all(p.path == str(path) for p in caught.value.problems)


def test_missing_label_column_is_one_clear_problem(tmp_path):
    path = write_jsonl(tmp_path / "x.jsonl", [{"id": "1", "text": "a note"}])
    with pytest.raises(DataError, match="missing column"):
        load_notes(path)


def test_cli_validate_exits_1_listing_problems_and_0_when_clean(tmp_path):
    good = write_jsonl(tmp_path / "good.jsonl", GOOD)
    result = runner.invoke(app, ["data", "validate", str(good)])
    assert result.exit_code == 0, result.output
    assert "2 valid notes" in result.output
    bad = write_jsonl(tmp_path / "bad.jsonl", [GOOD[0], {**GOOD[1], "text": ""}, GOOD[0]])
    result = runner.invoke(app, ["data", "validate", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:2: empty text" in result.output
    assert f"{bad}:3: duplicate id 'a'" in result.output


def test_cli_stats_prints_counts_mix_and_lengths(tmp_path):
    path = write_jsonl(tmp_path / "notes.jsonl", GOOD)
    result = runner.invoke(app, ["data", "stats", str(path)])
    assert result.exit_code == 0, result.output
    for heading in ("Labels", "Label combinations", "Co-occurrence", "Style mix", "Note length"):
        assert heading in result.output
    assert "mental_health+threat_to_life" in result.output


@given(st.one_of(st.text(max_size=8), st.integers(), st.floats(allow_nan=True), st.none()))
def test_parse_label_accepts_only_recognised_flags(value):
    parsed = parse_label(value)
    if isinstance(value, str) and value.strip().lower() in {"1", "y", "yes", "true", "t", "1.0"}:
        assert parsed == 1
    elif isinstance(value, str) and value.strip().lower() in {"0", "n", "no", "false", "f", "0.0"}:
        assert parsed == 0
    elif not isinstance(value, str) and value in (0, 1):
        assert parsed == int(value)
    else:
        assert parsed is None


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.text(min_size=1, max_size=200).filter(str.strip), min_size=1, max_size=8, unique=True
    )
)
def test_any_unicode_note_round_trips_through_jsonl_and_csv(tmp_path_factory, texts):
    folder = tmp_path_factory.mktemp("rt")
    rows = [
        {"id": str(i), "text": t, "mental_health": 0, "crime": 1, "threat_to_life": 0}
        for i, t in enumerate(texts)
    ]
    write_jsonl(folder / "n.jsonl", rows)
    assert load_notes(folder / "n.jsonl").texts == texts
    # A bare carriage return is a line break to every CSV reader; pandas leaves it unquoted.
    rows = [r for r in rows if "\r" not in r["text"]]
    if rows:
        pd.DataFrame(rows).to_csv(folder / "n.csv", index=False)
        assert load_notes(folder / "n.csv").texts == [r["text"] for r in rows]
