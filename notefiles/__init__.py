"""Reading and validating note files (JSONL, CSV, Parquet): what training, evaluation and
batch scoring all read, with every problem named by file and line."""

from ._files import (
    ColumnMapping,
    DataError,
    NoteSet,
    Problem,
    file_format,
    iter_rows,
    load_notes,
    parse_label,
)
from ._unlabelled import validate_unlabelled, validated_meanwhile

__all__ = [
    "ColumnMapping",
    "DataError",
    "NoteSet",
    "Problem",
    "file_format",
    "iter_rows",
    "load_notes",
    "parse_label",
    "validate_unlabelled",
    "validated_meanwhile",
]
