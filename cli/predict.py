"""`rightcall predict`: try a model on one note."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ._common import DEFAULT_MODELS, console, fail, load_model


def predict_command(
    text: Annotated[str, typer.Argument(help="The note text.")],
    model: Annotated[Path, typer.Option(help="Model folder.")] = DEFAULT_MODELS / "latest",
) -> None:
    """Score one note: probabilities, flags, route and evidence."""
    if not text.strip():
        fail("the note is empty", 2)
    result = load_model(model).classify(text)
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
