"""Shared CLI helpers: column options, clean error exits, loading a model, server settings."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import Progress

console = Console()


class LineProgress:
    """Progress as plain lines, for logs and CI where no terminal redraws a bar: a line
    when the step changes, and one at every tenth of the work."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.total = 0
        self.completed = 0
        self.description = ""
        self._shown = -1

    def __enter__(self) -> LineProgress:
        return self

    def __exit__(self, *exc) -> None:
        return None

    def add_task(self, description: str, total: int) -> int:
        self.description, self.total = description, total
        return 0

    def update(self, task: int, description: str | None = None, completed: int | None = None):
        if completed is not None:
            self.completed = completed
        if description is not None and description != self.description:
            self.description = description
            self._line()

    def advance(self, task: int, amount: int) -> None:
        self.completed += amount
        tenth = int(10 * self.completed / self.total) if self.total else 10
        if tenth > self._shown:
            self._shown = tenth
            self._line()

    def _line(self) -> None:
        stamp = datetime.now().strftime("%H:%M:%S")
        done = f" {self.completed}/{self.total}" if self.total else ""
        console.print(f"[{stamp}] {self.label}: {self.description}{done}", highlight=False)


def progress_bar(label: str, *columns, **options):
    """A rich progress bar on a terminal, plain progress lines anywhere else."""
    if console.is_terminal:
        return Progress(*columns, console=console, **options)
    return LineProgress(label)


TextCol = Annotated[str | None, typer.Option("--text-col", help="Column holding the note text.")]
IdCol = Annotated[str | None, typer.Option("--id-col", help="Column holding the note id.")]
LabelCol = Annotated[
    list[str] | None,
    typer.Option("--label-col", help="LABEL=COLUMN, e.g. mental_health=MH_FLAG (repeatable)."),
]
DEFAULT_MODELS = Path("models")
# The checkout's models/ folder (this package sits at the project root), whatever the cwd.
PROJECT_MODELS = Path(__file__).resolve().parent.parent / "models"


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


# Optional extras of the package and the modules each one installs.
EXTRAS = {"dask": ("dask", "distributed"), "postgres": ("psycopg",)}


def require_extra(extra: str, needed_for: str) -> None:
    """Stop with one line saying how to install ``extra`` when its modules are missing, so
    an optional feature never dies on an import traceback."""
    import importlib

    for module in EXTRAS[extra]:
        try:
            importlib.import_module(module)
        except ImportError:
            fail(
                f"{needed_for} needs the '{extra}' extra, which is not installed: "
                f"pip install 'rightcall[{extra}]' (./dev setup installs every extra)",
                2,
            )


def report_problems(problems, limit: int | None = None) -> None:
    """One line per problem, unwrapped, so each names its file and line."""
    for problem in problems[:limit]:
        typer.echo(str(problem), err=True)


def mapping_from(text_col, id_col, label_col):
    from notefiles import ColumnMapping

    try:
        return ColumnMapping.from_options(text_col, id_col, label_col or [])
    except ValueError as error:
        fail(str(error), 2)


def load_model(path: Path):
    from model import ArtefactError, load  # here, not at the top: `serve` must start fast

    try:
        return load(path)
    except ArtefactError as error:
        fail(str(error))


def server_settings(**overrides):
    """Settings from RIGHTCALL_* plus command-line overrides; errors never echo values."""
    from serving.settings import Settings, describe_errors

    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as error:
        fail(describe_errors(error), 2)
