"""Output lines are compact UTF-8 JSON that reads back as exactly the rows scored, whatever
the ids hold (a row pydantic-core cannot encode is written by ``json``); probabilities are
rounded exactly as ``round`` rounds them."""

from __future__ import annotations

import json

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring._score import ScoreWriter, output_columns, rounded


def rows_of(ids: list[str], probabilities: list[float]) -> list[dict]:
    rows = []
    for note_id, p in zip(ids, probabilities, strict=False):
        row = {"id": note_id}
        for name in output_columns()[1:-1]:
            row[name] = round(p, 6) if name.endswith("probability") else int(p >= 0.5)
        row["route"] = "health lead"
        rows.append(row)
    return rows


@settings(max_examples=200, deadline=None)
@given(
    ids=st.lists(st.text(), min_size=1, max_size=8),
    probabilities=st.lists(st.floats(min_value=0, max_value=1), min_size=8, max_size=8),
)
def test_jsonl_output_reads_back_as_the_rows_written(tmp_path_factory, ids, probabilities):
    rows = rows_of(ids, probabilities)
    path = tmp_path_factory.mktemp("out") / "scored.jsonl"
    writer = ScoreWriter(path)
    writer.write(rows[:3])
    writer.write(rows[3:])
    writer.close()
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b""  # every row ends its line
    # Line by line: an id's own line separators (U+2028) never split a row.
    assert [json.loads(line) for line in lines[:-1]] == rows


def test_an_id_with_a_lone_surrogate_is_written_by_json(tmp_path):
    rows = rows_of(["caller \ud800", "plain é"], [0.25, 0.75])
    path = tmp_path / "scored.jsonl"
    writer = ScoreWriter(path)
    writer.write(rows)
    writer.close()
    first, second = path.read_bytes().splitlines()
    assert b"\\ud800" in first  # escaped, as json writes it
    assert "é".encode() in second  # UTF-8, not escaped
    assert [json.loads(first), json.loads(second)] == rows


@settings(max_examples=500, deadline=None)
@given(
    values=st.lists(
        st.floats(min_value=0, max_value=1)
        | st.floats()
        | st.integers(0, 10**7).map(lambda k: (k + 0.5) / 1e6),  # halves: round's own ties
        min_size=1,
        max_size=12,
    )
)
def test_probabilities_are_rounded_exactly_as_round_does(values):
    got = rounded(np.array(values).reshape(-1, 1))
    want = [[round(v, 6)] for v in values]
    assert repr(got) == repr(want)  # NaN and -0.0 too
