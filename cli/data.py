"""`rightcall data ...`: validate and describe labelled files, rebuild the bundled corpus."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from evaluation import describe
from notefiles import DataError, load_notes

from ._common import IdCol, LabelCol, TextCol, console, mapping_from, report_problems
from .audit import audit_command

app = typer.Typer(help="Validate and describe labelled call-note files.", no_args_is_help=True)
REPO = Path(__file__).resolve().parent.parent
app.command("audit")(audit_command)


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="JSONL, CSV or Parquet files.")],
    text_col: TextCol = None,
    id_col: IdCol = None,
    label_col: LabelCol = None,
    unlabelled: Annotated[bool, typer.Option(help="Only check text and ids.")] = False,
) -> None:
    """Exit 0 if every row is valid; otherwise list every problem with file and line, exit 1."""
    mapping = mapping_from(text_col, id_col, label_col)
    try:
        notes = load_notes(files, mapping, require_labels=not unlabelled)
    except DataError as error:
        report_problems(error.problems)
        typer.echo(f"{len(error.problems)} problem(s) found; nothing loaded.", err=True)
        raise typer.Exit(1) from None
    console.print(f"OK: {len(notes)} valid notes in {len(files)} file(s).")


@app.command()
def stats(
    files: Annotated[list[Path], typer.Argument(help="JSONL, CSV or Parquet files.")],
    text_col: TextCol = None,
    id_col: IdCol = None,
    label_col: LabelCol = None,
) -> None:
    """Label counts, co-occurrence, style mix, lengths and duplicates as tables."""
    mapping = mapping_from(text_col, id_col, label_col)
    try:
        notes = load_notes(files, mapping)
    except DataError as error:
        report_problems(error.problems, 20)
        typer.echo("Run `rightcall data validate` for the full list.", err=True)
        raise typer.Exit(1) from None
    summary = describe(notes)
    console.print(f"[bold]{summary['notes']}[/] notes from {', '.join(map(str, files))}")
    table = Table("label", "positive", "negative", "% positive", title="Labels")
    for label, counts in summary["labels"].items():
        share = counts["positive"] / summary["notes"]
        table.add_row(label, str(counts["positive"]), str(counts["negative"]), f"{share:.1%}")
    console.print(table)
    table = Table("labels present", "notes", title="Label combinations")
    for combo, count in summary["combinations"].items():
        table.add_row(combo, str(count))
    console.print(table)
    table = Table("", *summary["co_occurrence"], title="Co-occurrence (notes with both)")
    for label, row in summary["co_occurrence"].items():
        table.add_row(label, *(str(v) for v in row.values()))
    console.print(table)
    for key, title in (("style", "Style mix"), ("source", "Sources"), ("split", "Splits")):
        if key in summary:
            table = Table(key, "notes", "share", title=title)
            for value, count in list(summary[key].items())[:15]:
                table.add_row(value, str(count), f"{count / summary['notes']:.1%}")
            console.print(table)
    if "hard_cases" in summary:
        hard = summary["hard_cases"]
        table = Table(
            "hard-case tag",
            "notes",
            title=f"Hard cases: {hard['notes']} notes ({hard['notes'] / summary['notes']:.1%})",
        )
        for tag, count in hard["tags"].items():
            table.add_row(tag, str(count))
        console.print(table)
    table = Table("length", "min", "p10", "median", "p90", "max", title="Note length")
    for key, name in (("length_chars", "characters"), ("length_words", "words")):
        q = summary[key]
        table.add_row(name, *(str(q[k]) for k in ("p0", "p10", "p50", "p90", "p100")))
    console.print(table)
    dup = summary["duplicates"]
    console.print(
        f"Duplicates: {dup['exact_duplicate_texts']} exact, "
        f"{dup['normalised_duplicate_texts']} after folding case and spaces."
    )


@app.command()
def generate(
    out: Annotated[Path, typer.Option(help="Output folder.")] = REPO / "data" / "corpus",
    variants: Annotated[int, typer.Option(help="Augmented copies per seed.")] = 6,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 13,
) -> None:
    """Rebuild the bundled corpus from data/seeds (byte-identical for the same arguments)."""
    generator = runpy.run_path(str(REPO / "data" / "generate.py"))
    generator["main"](["--out", str(out), "--variants", str(variants), "--seed", str(seed)])
