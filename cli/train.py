"""`rightcall train`: fit a model from the config (or a force's own files) and write it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from model import LABELS
from notefiles import DataError
from training import DEFAULT_CONFIG, ConfigError, load_config, train

from ._common import (
    DEFAULT_MODELS,
    IdCol,
    LabelCol,
    TextCol,
    console,
    fail,
    mapping_from,
    progress_bar,
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
    with progress_bar(
        "train",
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
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
