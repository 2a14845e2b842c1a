"""Slices of an evaluation file: by each categorical column present and by note length.

A column counts as categorical when its values are short strings, booleans or
integers (or lists of them, such as ``hard`` tags, where a note belongs to every
tag it carries) with between 2 and ``MAX_CATEGORIES`` distinct values, fewer than
half as many values as notes. Free text (a ``rationale`` column) and ids never
qualify, so slice names cannot leak note text.
"""

from __future__ import annotations

import numpy as np

MAX_CATEGORIES = 40
MAX_VALUE_CHARS = 40
LENGTH_COLUMN = "length_words"
LENGTH_BUCKETS = (
    (0, 20, "<=20 words"),
    (21, 40, "21-40 words"),
    (41, 60, "41-60 words"),
    (61, None, ">60 words"),
)
MISSING = "(missing)"
NO_TAGS = "(none)"


def _scalar(value: object) -> bool:
    return isinstance(value, str | bool | int) and len(str(value)) <= MAX_VALUE_CHARS


def _keys(value: object) -> list[str]:
    """The slice values one note belongs to."""
    if value is None:
        return [MISSING]
    if isinstance(value, list | tuple):
        return [str(v) for v in value] or [NO_TAGS]
    return [str(value)]


def why_not_categorical(values: list) -> str | None:
    """Why a column gets no slices (for the report), or None when it is categorical."""
    present = [v for v in values if v is not None]
    if not present:
        return "no values"
    for value in present:
        items = value if isinstance(value, list | tuple) else [value]
        if not all(_scalar(item) for item in items):
            return f"free text, numbers or values over {MAX_VALUE_CHARS} characters"
    distinct = {key for value in present for key in _keys(value)}
    if len(distinct) < 2:
        return "one value in every note, so nothing to compare"
    if len(distinct) > MAX_CATEGORIES:
        return f"{len(distinct)} distinct values (more than {MAX_CATEGORIES})"
    if len(distinct) >= 0.5 * len(present):
        return f"{len(distinct)} distinct values for {len(present)} notes (too few notes each)"
    return None


def is_categorical(values: list) -> bool:
    return why_not_categorical(values) is None


def categorical_columns(extra: dict[str, list]) -> list[str]:
    return [name for name, values in extra.items() if is_categorical(values)]


def length_bucket(text: str) -> str:
    words = len(text.split())
    for low, high, name in LENGTH_BUCKETS:
        if words >= low and (high is None or words <= high):
            return name
    raise AssertionError("length buckets cover every count")


def slice_members(
    extra: dict[str, list], texts: list[str], columns: list[str]
) -> dict[str, dict[str, np.ndarray]]:
    """column -> value -> row indices, length buckets last, values in a stable order."""
    members: dict[str, dict[str, list[int]]] = {}
    for column in columns:
        groups: dict[str, list[int]] = {}
        for i, value in enumerate(extra[column]):
            for key in _keys(value):
                groups.setdefault(key, []).append(i)
        members[column] = dict(sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])))
    buckets: dict[str, list[int]] = {name: [] for _, _, name in LENGTH_BUCKETS}
    for i, text in enumerate(texts):
        buckets[length_bucket(text)].append(i)
    members[LENGTH_COLUMN] = {k: v for k, v in buckets.items() if v}
    return {c: {k: np.array(v, dtype=np.int64) for k, v in g.items()} for c, g in members.items()}
