"""`rightcall predict`: try a model on a few notes, as a table or as JSON lines."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from model import ClassifyResult, percent

from ._common import PROJECT_MODELS, console, fail, load_model

STDIN = "-"


def default_model() -> Path:
    """``$RIGHTCALL_MODELS_DIR/latest``, else the project's ``models/latest`` (not the cwd's)."""
    models_dir = os.environ.get("RIGHTCALL_MODELS_DIR")
    return (Path(models_dir) if models_dir else PROJECT_MODELS) / "latest"


def gather_notes(texts: list[str]) -> list[tuple[str, str]]:
    """(where, note) pairs in order; ``-`` stands for stdin's non-blank lines, one note each."""
    notes = []
    for position, text in enumerate(texts, start=1):
        if text != STDIN:
            if not text.strip():
                fail(f"note {position} (argument {position}) is empty", 2)
            notes.append((f"argument {position}", text))
            continue
        for line_number, line in enumerate(sys.stdin.read().splitlines(), start=1):
            if line.strip():
                notes.append((f"stdin line {line_number}", line))
    if not notes:
        fail("no notes: give note text as arguments, or '-' and one note per line on stdin", 2)
    return notes


def print_table(where: str, result: ClassifyResult, several: bool) -> None:
    if several:
        console.rule(where, style="dim")
    table = Table("label", "probability", "threshold", "flagged")
    for label in ("threat_to_life", "crime", "mental_health"):
        score = result.labels[label]
        flag = "[bold red]FLAGGED[/]" if score.flagged else "-"
        table.add_row(label, percent(score.probability), f"{score.threshold:.1%}", flag)
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


def predict_command(
    texts: Annotated[
        list[str],
        typer.Argument(
            help="One or more notes; '-' reads notes from stdin, one per line.",
            show_default=False,
            metavar="NOTE...",
        ),
    ],
    model: Annotated[
        Path | None,
        typer.Option(
            help="Model folder [default: $RIGHTCALL_MODELS_DIR/latest, else the project's "
            "models/latest].",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="One JSON object per note and line (the API's result fields, plus 'note').",
        ),
    ] = False,
) -> None:
    """Score notes: probabilities, flags, route and evidence."""
    notes = gather_notes(texts)
    classifier = load_model(model or default_model())
    results = classifier.classify_many([text for _, text in notes])
    for position, ((where, _), result) in enumerate(zip(notes, results, strict=True), start=1):
        if as_json:
            typer.echo(json.dumps({"note": position, "source": where, **result.to_dict()}))
        else:
            print_table(where, result, several=len(notes) > 1)
    if not as_json:
        console.print(f"model {classifier.name} {classifier.version}", style="dim")
