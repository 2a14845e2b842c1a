"""`rightcall score --engine processes`: the same scoring on every core of one machine.

Scoring is pure Python for the most part, so threads share one core; worker processes do
not. On Linux they are forked from the process that already loaded and verified the model,
so they start in milliseconds and share its memory; elsewhere each loads the model from its
path once (and must find the same version). Chunks are read lazily, at most two per worker
in flight, and written in input order by the single-process writer, so the output file is
byte for byte the same. A worker that dies (killed, out of memory) stops the run with
``WorkerDied`` and nothing written, rather than waiting for it for ever.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from model import Classifier, freeze_loaded, load
from notefiles import ColumnMapping

from ._score import (
    CHUNK,
    ScoreWriter,
    iter_chunks,
    json_lines,
    score_rows,
    validate_unlabelled,
)

_CLASSIFIER: Classifier | None = None  # this process's model: inherited, or loaded once


class WorkerDied(RuntimeError):
    """A scoring worker process ended without answering (killed, out of memory, or it
    could not load the model)."""


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _start_worker(model_path: str, version: str) -> None:
    global _CLASSIFIER
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the command's to handle
    if _CLASSIFIER is None:  # not forked from the command's loaded model
        _CLASSIFIER = load(model_path)
        freeze_loaded()
    if _CLASSIFIER.version != version:
        raise RuntimeError(f"{model_path} is now version {_CLASSIFIER.version}, not {version}")


def _score_chunk(
    ids: list[str], texts: list[str], with_evidence: bool, as_json_lines: bool
) -> list[dict] | tuple[int, bytes]:
    """A chunk's rows; for a JSONL output, their count and lines. Encoding them here, on
    the worker's core, costs less than sending rows back for the command to unpickle and
    encode on a core the workers need."""
    if _CLASSIFIER is None:
        raise RuntimeError("a scoring worker started without a model")
    rows = score_rows(_CLASSIFIER, ids, texts, with_evidence)
    return (len(rows), json_lines(rows)) if as_json_lines else rows


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
    validated: bool = False,
) -> int:
    """Score every note of ``source`` into ``output`` with ``workers`` processes
    (``start_method``: fork on Linux, else spawn)."""
    global _CLASSIFIER
    mapping = mapping or ColumnMapping()
    if not validated:  # ``validate_unlabelled`` already passed on this file
        validate_unlabelled(source, mapping)
    workers = workers or default_workers()
    if start_method is None:
        start_method = "fork" if sys.platform.startswith("linux") else "spawn"
    _CLASSIFIER = classifier  # what forked workers inherit
    writer = ScoreWriter(output, with_evidence)
    if writer.handle is not None:
        writer.handle.flush()  # a forked worker must inherit no unwritten bytes
    pool = ProcessPoolExecutor(
        workers,
        multiprocessing.get_context(start_method),
        _start_worker,
        (str(Path(model_path).resolve()), classifier.version),
    )
    total = 0
    try:
        pending: deque[Future] = deque()
        for ids, texts in iter_chunks(source, mapping, chunk):
            pending.append(
                pool.submit(_score_chunk, ids, texts, with_evidence, writer.format == "jsonl")
            )
            if len(pending) >= 2 * workers:
                total += _write_next(pending, writer, on_chunk)
        while pending:
            total += _write_next(pending, writer, on_chunk)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        writer.abort()
        raise
    finally:
        _CLASSIFIER = None
    pool.shutdown()
    writer.close()
    return total


def _write_next(
    pending: deque[Future], writer: ScoreWriter, on_chunk: Callable[[int], None]
) -> int:
    try:
        rows = pending.popleft().result()
    except BrokenProcessPool:
        raise WorkerDied(
            "a scoring worker process ended without answering (killed, out of memory, or it "
            "could not load the model); nothing was written"
        ) from None
    if isinstance(rows, tuple):
        count, lines = rows
        writer.write_json_lines(lines)
    else:
        writer.write(rows)
        count = len(rows)
    on_chunk(count)
    return count
