"""Batch scoring (`rightcall score`): a file of notes through a model, in bounded memory,
in one process, in one process per core, or over a Dask cluster."""

from typing import Any

from ._processes import WorkerDied, default_workers, score_file_processes
from ._score import score_file, score_rows, validate_unlabelled

__all__ = [
    "WorkerDied",
    "default_workers",
    "score_file",
    "score_file_dask",
    "score_file_processes",
    "score_rows",
    "validate_unlabelled",
]


def __getattr__(name: str) -> Any:
    # Dask is an optional extra: import it only when the Dask engine is asked for.
    if name == "score_file_dask":
        from ._dask import score_file_dask

        return score_file_dask
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
