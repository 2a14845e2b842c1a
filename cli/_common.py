"""Shared CLI helpers: options for column mapping and clean error exits."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

console = Console()

TextCol = Annotated[str | None, typer.Option("--text-col", help="Column holding the note text.")]
IdCol = Annotated[str | None, typer.Option("--id-col", help="Column holding the note id.")]
LabelCol = Annotated[
    list[str] | None,
    typer.Option("--label-col", help="LABEL=COLUMN, e.g. mental_health=MH_FLAG (repeatable)."),
]
DEFAULT_MODELS = Path("models")


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def report_problems(problems, limit: int | None = None) -> None:
    """One line per problem, unwrapped, so each names its file and line."""
    for problem in problems[:limit]:
        typer.echo(str(problem), err=True)


def mapping_from(text_col, id_col, label_col):
    from training import ColumnMapping

    try:
        return ColumnMapping.from_options(text_col, id_col, label_col or [])
    except ValueError as error:
        fail(str(error), 2)
