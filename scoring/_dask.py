"""`rightcall score --engine dask`: the same scoring, partitioned over a Dask cluster.

Each worker loads the (hash-verified) model once and keeps it; tasks carry only the
model's path. Partitions are computed a few at a time and written in input order by
the same writer as the single-process engine, so both engines produce identical files.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from model import freeze_loaded, load
from notefiles import ColumnMapping, DataError, Problem, file_format

from ._score import ScoreWriter, score_rows, validate_unlabelled

_WORKER_MODELS: dict[str, object] = {}
MAX_BLOCKSIZE = 32 * 2**20
MIN_BLOCKSIZE = 2**20


def blocksize_for(source: Path, workers: int) -> int:
    """Blocks small enough that every worker gets several, large enough to amortise a task."""
    wanted = source.stat().st_size // (4 * max(1, workers))
    return int(min(MAX_BLOCKSIZE, max(MIN_BLOCKSIZE, wanted)))


def _model_on_worker(model_path: str):
    """Load once per worker process; later tasks on the same worker reuse it."""
    classifier = _WORKER_MODELS.get(model_path)
    if classifier is None:
        classifier = load(model_path)
        _WORKER_MODELS[model_path] = classifier
        freeze_loaded()
    return classifier


def score_partition(
    frame: pd.DataFrame, model_path: str, mapping: ColumnMapping, with_evidence: bool
) -> list[dict]:
    classifier = _model_on_worker(model_path)
    ids = [str(v) for v in frame[mapping.id].tolist()]
    return score_rows(classifier, ids, frame[mapping.text].tolist(), with_evidence)


def read_partitions(source: Path, mapping: ColumnMapping, workers: int = 2):
    import dask.dataframe as dd

    blocksize = blocksize_for(source, workers)
    columns = [mapping.id, mapping.text]
    fmt = file_format(source)
    if fmt == "parquet":
        return dd.read_parquet(str(source), columns=columns)
    if fmt == "csv":
        return dd.read_csv(
            str(source), usecols=columns, dtype=str, keep_default_na=False, blocksize=blocksize
        )
    return dd.read_json(str(source), lines=True, blocksize=blocksize, dtype=False)[columns]


def score_file_dask(
    model_path: Path,
    source: Path,
    output: Path,
    mapping: ColumnMapping | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    on_chunk: Callable[[int], None] = lambda n: None,
    with_evidence: bool = False,
    validated: bool = False,
) -> int:
    """Score ``source`` on a local cluster (default) or the cluster at ``scheduler``."""
    from dask import delayed
    from distributed import Client, LocalCluster

    mapping = mapping or ColumnMapping()
    if not validated:  # ``validate_unlabelled`` already passed on this file
        validate_unlabelled(source, mapping)
    model_path = str(Path(model_path).resolve())
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(
            n_workers=workers or 2, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    writer = ScoreWriter(output, with_evidence)
    total = 0
    try:
        n_workers = len(client.scheduler_info()["workers"])
        frame = read_partitions(source, mapping, n_workers)
        if mapping.id not in frame.columns:
            raise DataError(
                [
                    Problem(
                        str(source),
                        None,
                        f"the dask engine needs an id column ({mapping.id!r}) in every row",
                    )
                ]
            )
        parts = [
            delayed(score_partition)(part, model_path, mapping, with_evidence)
            for part in frame.to_delayed()
        ]
        window = 2 * max(1, n_workers)
        pending: deque = deque()
        for part in parts:
            pending.append(client.compute(part))
            if len(pending) >= window:
                total += _write_next(pending, writer, on_chunk)
        while pending:
            total += _write_next(pending, writer, on_chunk)
    except BaseException:
        writer.abort()
        raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    writer.close()
    return total


def _write_next(pending: deque, writer: ScoreWriter, on_chunk: Callable[[int], None]) -> int:
    rows = pending.popleft().result()
    writer.write(rows)
    on_chunk(len(rows))
    return len(rows)
