"""`rightcall score --engine processes`: the same scoring on every core of one machine.

Scoring is pure Python for the most part, so threads share one core; worker processes do
not. On Linux they are forked from the process that already loaded and verified the model,
so they start in milliseconds and share its memory; elsewhere each loads the model from its
path once. Chunks are read lazily, at most a few per worker in flight, and written in input
order by the single-process writer, so the output file is byte for byte the same.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable
from pathlib import Path

from model import Classifier, load
from notefiles import ColumnMapping

from ._score import CHUNK, ScoreWriter, iter_chunks, score_rows, validate_unlabelled

_CLASSIFIER: Classifier | None = None  # this process's model: inherited, or loaded once


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _start_worker(model_path: str) -> None:
    global _CLASSIFIER
    if _CLASSIFIER is None:  # not forked from the parent's loaded model
        _CLASSIFIER = load(model_path)


def _score_chunk(ids: list[str], texts: list[str], with_evidence: bool) -> list[dict]:
    if _CLASSIFIER is None:
        raise RuntimeError("a scoring worker started without a model")
    return score_rows(_CLASSIFIER, ids, texts, with_evidence)


def score_file_processes(
    classifier: Classifier,
    model_path: Path,
    source: Path,
    output: Path,
    mapping: ColumnMapping | None = None,
    workers: int | None = None,
    on_chunk: Callable[[int], None] = lambda n: None,
    with_evidence: bool = False,
    chunk: int = CHUNK,
    start_method: str | None = None,
) -> int:
    """Score every note of ``source`` into ``output`` with ``workers`` processes
    (``start_method``: fork where there is one, else spawn)."""
    global _CLASSIFIER
    mapping = mapping or ColumnMapping()
    validate_unlabelled(source, mapping)
    workers = workers or default_workers()
    if start_method is None:
        start_method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(start_method)
    _CLASSIFIER = classifier  # what forked workers inherit
    writer = ScoreWriter(output, with_evidence)
    total = 0
    try:
        with context.Pool(workers, _start_worker, (str(model_path),)) as pool:
            pending: deque = deque()
            for ids, texts in iter_chunks(source, mapping, chunk):
                pending.append(pool.apply_async(_score_chunk, (ids, texts, with_evidence)))
                if len(pending) >= 2 * workers:
                    total += _write_next(pending, writer, on_chunk)
            while pending:
                total += _write_next(pending, writer, on_chunk)
    except BaseException:
        writer.abort()
        raise
    finally:
        _CLASSIFIER = None
    writer.close()
    return total


def _write_next(pending: deque, writer: ScoreWriter, on_chunk: Callable[[int], None]) -> int:
    rows = pending.popleft().get()
    writer.write(rows)
    on_chunk(len(rows))
    return len(rows)
