"""The JSONL reader's fast path (pydantic-core's parser) gives exactly what ``json`` gives:
the same rows, and the same problem on the same line for anything it does not read."""

from __future__ import annotations

import json
import math
from pathlib import Path
from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from notefiles import Problem, iter_rows
from notefiles import _files as files
from notefiles._files import _fast_object


def reference_rows(path: Path) -> list:
    """The file as the reader reads it with ``json`` alone (its fast path switched off)."""
    with patch.object(files, "_fast_object", lambda raw: None):
        return read(path)


def read(path: Path) -> list:
    return [
        (n, ("problem", row.message) if isinstance(row, Problem) else ("row", row))
        for n, row in iter_rows(path)
    ]


def same(a, b) -> bool:
    """Equal, with NaN equal to NaN and -0.0 told from 0.0 (``repr`` sees both)."""
    return repr(a) == repr(b)


# JSON values json.dumps can write: every kind, nested, with any text (lone surrogates too:
# escaped, or raw and so invalid UTF-8).
TEXT = st.text(st.characters(exclude_categories=()))
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | TEXT
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
OBJECTS = st.dictionaries(TEXT, VALUES, max_size=5)
TRICKY = [
    b'{"text": "\\ud800 lone surrogate"}',
    b'\xef\xbb\xbf{"text": "a BOM"}',
    b'{"text": "x"} trailing',
    b'{"text": "tab\tinside"}',
    b'{"text": "\xff"}',
    b'{"text": "\xed\xa0\x80"}',
    b'{"a": 01}',
    b'{"a": [1,]}',
    b'{"a": "\\x"}',
    b'{"a": NaN, "b": -Infinity, "c": 1e400}',
    b'{"a": 1, "a": 2}',
    b"[1, 2]",
    b'"text"',
    b"\x0c{}",
    b"   ",
    b"\xc2\xa0",
    b"",
]


@settings(max_examples=300, deadline=None)
@given(
    objects=st.lists(OBJECTS, max_size=6),
    ascii_only=st.booleans(),
    tricky=st.lists(st.sampled_from(TRICKY), max_size=4),
    noise=st.lists(st.binary(max_size=30), max_size=3),
)
def test_the_reader_reads_every_line_as_json_does(
    tmp_path_factory, objects, ascii_only, tricky, noise
):
    lines = [
        json.dumps(o, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass") for o in objects
    ]
    lines += tricky + [b.replace(b"\n", b" ").replace(b"\r", b" ") for b in noise]
    path = tmp_path_factory.mktemp("jsonl") / "notes.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    assert same(read(path), reference_rows(path))


def test_the_fast_path_reads_objects_and_leaves_the_rest_to_json():
    assert _fast_object(b'{"id": 1, "text": "caller says \\u00e9"}\n') == {
        "id": 1,
        "text": "caller says é",
    }
    row = _fast_object(b'{"p": NaN}')
    assert row is not None and math.isnan(row["p"])
    for line in TRICKY[:9] + TRICKY[11:]:
        assert _fast_object(line) is None, line
