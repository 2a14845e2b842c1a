"""`rightcall train | predict | score`: fit a model, try it on one note, score a file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from model import LABELS, ArtefactError, load
from training import ConfigError, DataError, load_config, train
from training._config import DEFAULT_CONFIG
from training._score import score_file, validate_unlabelled

from ._common import (
    DEFAULT_MODELS,
    IdCol,
    LabelCol,
    TextCol,
    console,
    fail,
    mapping_from,
    report_problems,
)

STEPS = [
    "loading data",
    "analysing notes",
    "fitting features",
    *[f"fitting {x}" for x in LABELS],
    "tuning thresholds on dev",
    "measuring on test",
    "writing artefact",
]


def _load_model(path: Path):
    try:
        return load(path)
    except ArtefactError as error:
        fail(str(error))


def train_command(
    config: Annotated[Path, typer.Option(help="Training config (TOML).")] = DEFAULT_CONFIG,
    data: Annotated[
        list[Path] | None,
        typer.Option(
            help="Labelled file(s) to train on instead of the config's; split by their 'split' "
            "column, else by group/id."
        ),
    ] = None,
    out: Annotated[Path, typer.Option(help="Models folder.")] = DEFAULT_MODELS,
    text_col: TextCol = None,
    id_col: IdCol = None,
    label_col: LabelCol = None,
) -> None:
    """Train, calibrate and tune thresholds; write models/<version>/ and point models/latest."""
    mapping = mapping_from(text_col, id_col, label_col)
    try:
        cfg = load_config(config)
    except ConfigError as error:
        fail(str(error))
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task("training", total=len(STEPS))

        def step(name: str) -> None:
            bar.update(task, description=name, completed=STEPS.index(name) if name in STEPS else 0)

        try:
            result = train(cfg, out, data=data, mapping=mapping, progress=step)
        except DataError as error:
            fail(str(error))
        except ValueError as error:
            fail(str(error))
        bar.update(task, completed=len(STEPS), description="done")
    for split, metrics in result.metrics.items():
        table = Table(
            "label",
            "threshold",
            "precision",
            "recall",
            "F1",
            "Brier",
            "ROC-AUC",
            title=f"{split} split ({next(iter(metrics.values()))['n']} notes)",
        )
        for label, m in metrics.items():
            auc = f"{m['roc_auc']:.3f}" if m["roc_auc"] is not None else "n/a"
            table.add_row(
                label,
                f"{m['threshold']:.3f}",
                f"{m['precision']:.3f}",
                f"{m['recall']:.3f}",
                f"{m['f1']:.3f}",
                f"{m['brier']:.4f}",
                auc,
            )
        console.print(table)
    console.print(f"Model [bold]{result.version}[/] written to {result.path}")


def predict_command(
    text: Annotated[str, typer.Argument(help="The note text.")],
    model: Annotated[Path, typer.Option(help="Model folder.")] = DEFAULT_MODELS / "latest",
) -> None:
    """Score one note: probabilities, flags, route and evidence."""
    if not text.strip():
        fail("the note is empty", 2)
    result = _load_model(model).classify(text)
    table = Table("label", "probability", "threshold", "flagged")
    for label in ("threat_to_life", "crime", "mental_health"):
        score = result.labels[label]
        flag = "[bold red]FLAGGED[/]" if score.flagged else "-"
        table.add_row(label, f"{score.probability:.1%}", f"{score.threshold:.1%}", flag)
    console.print(table)
    console.print(
        f"Suggested route: [bold]{result.route.suggestion}[/]  (advice only: the handler decides)"
    )
    for reason in result.route.reasons:
        console.print(f"  - {reason}", highlight=False)
    if result.evidence:
        table = Table("label", "phrase", "weight", "context", title="Evidence")
        for e in result.evidence:
            table.add_row(e.label, e.text, f"{e.weight:+.2f}", e.context)
        console.print(table)
    console.print(f"model {result.model_name} {result.model_version}", style="dim")


def score_command(
    source: Annotated[Path, typer.Argument(help="JSONL, CSV or Parquet file with a text column.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output .jsonl, .csv or .parquet")],
    model: Annotated[Path, typer.Option(help="Model folder.")] = DEFAULT_MODELS / "latest",
    engine: Annotated[
        str, typer.Option(help="'single' (one process, streaming) or 'dask'.")
    ] = "single",
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address, e.g. tcp://host:8786.")
    ] = None,
    workers: Annotated[int | None, typer.Option(help="Local Dask workers (default 2).")] = None,
    evidence: Annotated[bool, typer.Option(help="Add an evidence column (JSON).")] = False,
    text_col: TextCol = None,
    id_col: IdCol = None,
) -> None:
    """Score every note in a file: id, per-label probability and flag, and route."""
    if engine not in ("single", "dask"):
        fail(f"--engine must be 'single' or 'dask', not {engine!r}", 2)
    mapping = mapping_from(text_col, id_col, None)
    classifier = _load_model(model)
    try:
        total = validate_unlabelled(source, mapping)
    except DataError as error:
        report_problems(error.problems, 50)
        fail(f"{len(error.problems)} problem(s) in {source}; nothing written")
    with Progress(
        TextColumn(f"scoring ({engine})"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task("scoring", total=total)
        try:
            if engine == "dask":
                from training._score_dask import score_file_dask

                n = score_file_dask(
                    model,
                    source,
                    output,
                    mapping,
                    scheduler=scheduler,
                    workers=workers,
                    on_chunk=lambda k: bar.advance(task, k),
                    with_evidence=evidence,
                )
            else:
                n = score_file(
                    classifier,
                    source,
                    output,
                    mapping,
                    on_chunk=lambda k: bar.advance(task, k),
                    with_evidence=evidence,
                )
        except DataError as error:
            fail(str(error))
    console.print(f"Scored {n} notes into {output}")
