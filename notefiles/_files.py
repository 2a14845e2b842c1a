"""Loading and validating labelled call-note files (JSONL, CSV, Parquet).

Every problem is reported with the file and line (or Parquet row) it is on, all in
one pass, and a file with any bad row is refused whole: a half-loaded training set
silently changes a model.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from pydantic_core import from_json

from model import LABELS

TRUE_VALUES = {"1", "y", "yes", "true", "t", "1.0"}
FALSE_VALUES = {"0", "n", "no", "false", "f", "0.0"}
FORMATS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
}
MAX_PROBLEMS_SHOWN = 200


@dataclass(frozen=True)
class ColumnMapping:
    """Which of a force's columns hold the id, the note and each label."""

    text: str = "text"
    id: str = "id"
    labels: dict[str, str] = field(default_factory=lambda: {label: label for label in LABELS})

    @classmethod
    def from_options(
        cls,
        text_col: str | None = None,
        id_col: str | None = None,
        label_cols: Iterable[str] = (),
    ) -> ColumnMapping:
        """``label_cols`` are ``label=COLUMN`` strings, e.g. ``mental_health=MH_FLAG``."""
        labels = {label: label for label in LABELS}
        for item in label_cols:
            label, sep, column = item.partition("=")
            if not sep or label not in LABELS or not column:
                raise ValueError(
                    f"--label-col expects LABEL=COLUMN with LABEL one of {', '.join(LABELS)}; "
                    f"got {item!r}"
                )
            labels[label] = column
        return cls(text=text_col or "text", id=id_col or "id", labels=labels)


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"


class DataError(Exception):
    """A file could not be loaded; ``problems`` lists every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "\n".join(str(p) for p in problems[:MAX_PROBLEMS_SHOWN])
        more = len(problems) - MAX_PROBLEMS_SHOWN
        tail = f"\n... and {more} more problems" if more > 0 else ""
        super().__init__(f"{len(problems)} problem(s):\n{shown}{tail}")

    def __reduce__(self):
        # Rebuilt from its problems (not from its message) when it crosses processes.
        return (DataError, (self.problems,))


@dataclass
class NoteSet:
    """Notes from one or more files; ``labels`` is None when the files carry none."""

    ids: list[str]
    texts: list[str]
    labels: np.ndarray | None
    extra: dict[str, list]
    sources: list[str]

    def __len__(self) -> int:
        return len(self.texts)


def file_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise DataError(
            [
                Problem(
                    str(path),
                    None,
                    f"unknown file type {path.suffix!r}; use one of {', '.join(sorted(FORMATS))}",
                )
            ]
        )
    return fmt


def iter_rows(path: Path, columns: list[str] | None = None) -> Iterator[tuple[int, dict | Problem]]:
    """(line or row number, row dict) pairs, or a Problem for an unreadable row; streams."""
    fmt = file_format(path)
    if not path.is_file():
        yield 0, Problem(str(path), None, "file not found")
        return
    if fmt == "jsonl":
        yield from _iter_jsonl(path)
    elif fmt == "csv":
        yield from _iter_csv(path)
    else:
        yield from _iter_parquet(path, columns)


def _iter_jsonl(path: Path) -> Iterator[tuple[int, dict | Problem]]:
    with path.open("rb") as handle:
        for n, raw in enumerate(handle, 1):
            row = _fast_object(raw)
            if row is not None:
                yield n, row
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                yield n, Problem(str(path), n, f"not valid UTF-8 (byte {error.start})")
                continue
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                yield n, Problem(str(path), n, f"invalid JSON ({error.msg}, column {error.colno})")
                continue
            if not isinstance(row, dict):
                yield n, Problem(str(path), n, "expected a JSON object")
                continue
            yield n, row


def _fast_object(raw: bytes) -> dict | None:
    """The line's JSON object by pydantic-core's parser (jiter: about a fifth of the time of
    decoding and ``json.loads``), or None for anything else, which the caller then reads with
    ``json`` for its exact answer and message. jiter accepts no line that ``json`` rejects and
    reads every line it accepts as ``json`` does (tested): lone surrogate escapes, a BOM and
    invalid UTF-8 it rejects, so they fall through."""
    try:
        row = from_json(raw)
    except ValueError:
        return None
    return row if type(row) is dict else None


def _iter_csv(path: Path) -> Iterator[tuple[int, dict | Problem]]:
    # surrogateescape keeps undecodable bytes visible as lone surrogates, so a bad row
    # is reported on its own line instead of stopping the whole file.
    with path.open("r", encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        reader = csv.DictReader(handle)
        last_line = 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield reader.line_num, Problem(str(path), reader.line_num, f"bad CSV ({error})")
                return
            first_line, last_line = last_line + 1, reader.line_num
            values = [*row.values(), *(row.keys())]
            if any(isinstance(v, str) and _has_surrogate(v) for v in values if v is not None):
                yield first_line, Problem(str(path), first_line, "not valid UTF-8")
                continue
            if None in row:
                yield first_line, Problem(str(path), first_line, "more fields than the header")
                continue
            yield first_line, row


def _has_surrogate(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def _iter_parquet(path: Path, columns: list[str] | None) -> Iterator[tuple[int, dict | Problem]]:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except Exception as error:  # pyarrow raises several types for a broken file
        yield 0, Problem(str(path), None, f"not a readable Parquet file ({error})")
        return
    present = set(parquet.schema_arrow.names)
    wanted = [c for c in columns if c in present] if columns else None
    n = 0
    for batch in parquet.iter_batches(batch_size=10_000, columns=wanted):
        for row in batch.to_pylist():
            n += 1
            yield n, row


def parse_label(value: object) -> int | None:
    """1/0 from the many ways forces write a flag; None if unrecognised."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float) and value in (0, 1):
        return int(value)
    if isinstance(value, str):
        folded = value.strip().lower()
        if folded in TRUE_VALUES:
            return 1
        if folded in FALSE_VALUES:
            return 0
    return None


def load_notes(
    paths: Path | Iterable[Path],
    mapping: ColumnMapping | None = None,
    require_labels: bool = True,
    keep: Iterable[str] = ("style", "source", "group", "hard", "split"),
) -> NoteSet:
    """Load and validate every file; raise DataError listing all problems, or return them all."""
    mapping = mapping or ColumnMapping()
    paths = [Path(paths)] if isinstance(paths, str | Path) else [Path(p) for p in paths]
    keep = list(keep)
    ids: list[str] = []
    texts: list[str] = []
    labels: list[list[int]] = []
    extra: dict[str, list] = {k: [] for k in keep}
    sources: list[str] = []
    problems: list[Problem] = []
    first_seen: dict[str, str] = {}
    columns = [mapping.text, mapping.id, *mapping.labels.values(), *keep]
    for path in paths:
        header_checked = False
        for n, row in iter_rows(path, columns):
            if isinstance(row, Problem):
                problems.append(row)
                continue
            if not header_checked:
                header_checked = True
                missing = [c for c in [mapping.text] if c not in row]
                if require_labels:
                    missing += [c for c in mapping.labels.values() if c not in row]
                if missing:
                    problems.append(
                        Problem(
                            str(path),
                            None,
                            "missing column(s) " + ", ".join(repr(c) for c in missing),
                        )
                    )
                    break
            row_problems = _check_row(path, n, row, mapping, require_labels)
            note_id = row.get(mapping.id)
            note_id = str(note_id) if note_id not in (None, "") else f"{path.stem}:{n}"
            where = f"{path}:{n}"
            if note_id in first_seen:
                row_problems.append(
                    Problem(
                        str(path), n, f"duplicate id {note_id!r} (first at {first_seen[note_id]})"
                    )
                )
            else:
                first_seen[note_id] = where
            if row_problems:
                problems.extend(row_problems)
                continue
            ids.append(note_id)
            texts.append(row[mapping.text])
            if require_labels:
                labels.append([parse_label(row[mapping.labels[label]]) for label in LABELS])
            for key in keep:
                extra[key].append(row.get(key))
            sources.append(where)
        if not header_checked and not any(p.path == str(path) for p in problems):
            problems.append(Problem(str(path), None, "no rows"))
    if problems:
        raise DataError(problems)
    extra = {k: v for k, v in extra.items() if any(x is not None for x in v)}
    label_array = (
        np.array(labels, dtype=np.int8).reshape(-1, len(LABELS)) if require_labels else None
    )
    return NoteSet(ids, texts, label_array, extra, sources)


def _check_row(
    path: Path, n: int, row: dict, mapping: ColumnMapping, require_labels: bool
) -> list[Problem]:
    problems = []
    text = row.get(mapping.text)
    if text is None:
        problems.append(Problem(str(path), n, f"missing text ({mapping.text!r})"))
    elif not isinstance(text, str):
        problems.append(Problem(str(path), n, f"text ({mapping.text!r}) is not a string"))
    elif not text.strip():
        problems.append(Problem(str(path), n, f"empty text ({mapping.text!r})"))
    if require_labels:
        for label in LABELS:
            column = mapping.labels[label]
            value = row.get(column)
            if value is None or value == "":
                problems.append(Problem(str(path), n, f"missing label {column!r}"))
            elif parse_label(value) is None:
                problems.append(
                    Problem(
                        str(path),
                        n,
                        f"unknown value {str(value)[:20]!r} for "
                        f"label {column!r} (use 1/0, yes/no, y/n, true/false)",
                    )
                )
    return problems
