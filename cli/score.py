"""`rightcall score`: score every note of a file, in one process, one per core, or over Dask."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn

from notefiles import DataError, validated_meanwhile

from ._common import (
    DEFAULT_MODELS,
    IdCol,
    TextCol,
    console,
    fail,
    load_model,
    mapping_from,
    progress_bar,
    report_problems,
    require_extra,
)

ENGINES = ("single", "processes", "dask")


def score_command(
    source: Annotated[Path, typer.Argument(help="JSONL, CSV or Parquet file with a text column.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output .jsonl, .csv or .parquet")],
    model: Annotated[Path, typer.Option(help="Model folder.")] = DEFAULT_MODELS / "latest",
    engine: Annotated[
        str,
        typer.Option(
            help="'single' (one process, streaming), 'processes' (one worker process per "
            "core on this machine) or 'dask' (a local or remote Dask cluster)."
        ),
    ] = "single",
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address, e.g. tcp://host:8786.")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Worker processes: for 'processes' (default: the usable cores) and local "
            "Dask (default 2).",
        ),
    ] = None,
    evidence: Annotated[bool, typer.Option(help="Add an evidence column (JSON).")] = False,
    text_col: TextCol = None,
    id_col: IdCol = None,
) -> None:
    """Score every note in a file: id, per-label probability and flag, and route."""
    if engine not in ENGINES:
        fail(f"--engine must be one of {', '.join(map(repr, ENGINES))}, not {engine!r}", 2)
    if engine == "dask":
        require_extra("dask", "--engine dask")
    mapping = mapping_from(text_col, id_col, None)
    # The file is checked in a forked process while this one imports NumPy and the model's
    # modules and loads the model, on the other core, which would otherwise be idle.
    with validated_meanwhile(source, mapping) as validation:
        from model import freeze_loaded
        from scoring import WorkerDied, default_workers, score_file, score_file_processes

        classifier = load_model(model)
        freeze_loaded()  # after the model and before any worker is forked
        try:
            total = validation.result()
        except DataError as error:
            report_problems(error.problems, 50)
            fail(f"{len(error.problems)} problem(s) in {source}; nothing written")
    with progress_bar(
        f"score ({engine})",
        TextColumn(f"scoring ({engine})"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    ) as bar:
        task = bar.add_task("scoring", total=total)
        try:
            if engine == "dask":
                from scoring import score_file_dask  # Dask loads only when asked for

                n = score_file_dask(
                    model,
                    source,
                    output,
                    mapping,
                    scheduler=scheduler,
                    workers=workers,
                    on_chunk=lambda k: bar.advance(task, k),
                    with_evidence=evidence,
                    validated=True,
                )
            elif engine == "processes":
                n = score_file_processes(
                    classifier,
                    model,
                    source,
                    output,
                    mapping,
                    workers=workers or default_workers(),
                    on_chunk=lambda k: bar.advance(task, k),
                    with_evidence=evidence,
                    validated=True,
                )
            else:
                n = score_file(
                    classifier,
                    source,
                    output,
                    mapping,
                    on_chunk=lambda k: bar.advance(task, k),
                    with_evidence=evidence,
                    validated=True,
                )
        except (DataError, WorkerDied) as error:
            fail(str(error))
    console.print(f"Scored {n} notes into {output}")
