"""`rightcall data audit`: which words the labels teach, and guide terms taught backwards.

Exit codes: 0 every archetype and neutral term passed; 1 some failed (listed in a table);
2 nothing audited (bad option, data, terms file or model). Only counts are printed, never
note text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from model import LABELS, ArtefactError, load
from notefiles import DataError, load_notes
from training import BUNDLED_AUDIT_TERMS as BUNDLED_TERMS
from training import AuditSettings, TermsError, audit_notes, load_audit_terms

from ._common import IdCol, LabelCol, TextCol, console, fail, mapping_from, report_problems

SHORT = {"mental_health": "MH", "crime": "CR", "threat_to_life": "TTL"}


def audit_command(
    files: Annotated[list[Path], typer.Argument(help="Labelled JSONL, CSV or Parquet files.")],
    model: Annotated[
        Path | None, typer.Option(help="Also list a model's largest weights (models/latest).")
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write the audit as JSON.")
    ] = None,
    top: Annotated[int, typer.Option(min=1, help="Rows shown per label.")] = 15,
    min_count: Annotated[
        int, typer.Option(min=1, help="Words and bigrams in fewer notes are not listed.")
    ] = 10,
    terms: Annotated[
        Path | None,
        typer.Option(help="Archetype and neutral terms (TOML); default training/audit_terms.toml."),
    ] = None,
    text_col: TextCol = None,
    id_col: IdCol = None,
    label_col: LabelCol = None,
) -> None:
    """Count how notes with each word are labelled; fail on guide terms with more decoys than
    positive examples, or neutral words strongly skewed to a label."""
    mapping = mapping_from(text_col, id_col, label_col)
    terms = terms or BUNDLED_TERMS
    try:
        audit_terms = load_audit_terms(terms)
    except TermsError as error:
        fail(str(error), 2)
    try:
        notes = load_notes(files, mapping)
    except DataError as error:
        report_problems(error.problems)
        typer.echo(f"{len(error.problems)} problem(s) found; nothing audited.", err=True)
        raise typer.Exit(2) from None
    classifier = None
    if model is not None:
        try:
            classifier = load(model)
        except ArtefactError as error:
            fail(str(error), 2)
    settings = AuditSettings(min_count=min_count, top=top)
    report = audit_notes(notes, audit_terms, classifier, settings, terms_file=terms)
    show(report, top)
    if json_out is not None:
        try:
            json_out.parent.mkdir(parents=True, exist_ok=True)
            json_out.write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")
        except OSError as error:
            fail(f"{json_out}: cannot write the JSON ({error.strerror})", 2)
        console.print(f"JSON written to {json_out}")
    if not report.passed:
        typer.echo(f"FAIL: {len(report.failures)} term(s) failed the audit.", err=True)
        raise typer.Exit(1)
    console.print("PASS: every archetype term has at least as many positive examples as decoys.")


def show(report, top: int) -> None:
    rates = ", ".join(f"{SHORT[k]} {v:.1%}" for k, v in report.base_rates.items())
    console.print(f"[bold]{report.notes}[/] notes; base rates {rates}")
    for label in LABELS:
        rows = [r for r in report.skewed if label in r["skewed"]]
        rows.sort(key=lambda r: -abs(r["skewed"][label]["log_odds"]))
        table = Table(
            "term",
            "notes",
            *(SHORT[k] for k in LABELS),
            f"{SHORT[label]} rate",
            "log-odds",
            title=f"Skewed for {label}: {len(rows)} terms (top {min(top, len(rows))})",
        )
        for row in rows[:top]:
            skew = row["skewed"][label]
            table.add_row(
                row["term"],
                str(row["notes"]),
                *(str(row["positives"][k]) for k in LABELS),
                f"{skew['rate']:.0%}",
                f"{skew['log_odds']:+.2f}",
            )
        console.print(table)
    if report.model_weights:
        weights = report.model_weights
        console.print(f"Largest weights of model {weights['model']} {weights['version']}:")
        for label, kinds in weights["labels"].items():
            table = Table("word feature", "weight", "cue feature", "weight", title=label)
            words, cues = kinds["words"], kinds["cues"]
            for i in range(max(len(words), len(cues))):
                cells = []
                for rows in (words, cues):
                    row = rows[i] if i < len(rows) else None
                    cells += [row["feature"], f"{row['weight']:+.3f}"] if row else ["", ""]
                table.add_row(*cells)
            console.print(table)
    table = Table(
        "label", "term", "notes", "positives", "decoys", "status", title="Archetype terms"
    )
    for row in report.archetypes:
        table.add_row(
            SHORT[row["label"]],
            row["term"],
            str(row["notes"]),
            str(row["positives"]),
            str(row["decoys"]),
            _status(row["status"]),
        )
    console.print(table)
    table = Table(
        "label", "term", "notes", "rate", "base", "log-odds", "p", "status", title="Neutral terms"
    )
    for row in report.neutral:
        table.add_row(
            SHORT[row["label"]],
            row["term"],
            str(row["notes"]),
            "-" if row["rate"] is None else f"{row['rate']:.0%}",
            f"{row['base_rate']:.0%}",
            f"{row['log_odds']:+.2f}",
            f"{row['p']:.2g}",
            _status(row["status"]),
        )
    console.print(table)
    if report.failures:
        table = Table(
            "kind", "label", "term", "notes", "positives", "decoys", title="FAILING terms"
        )
        for row in report.failures:
            table.add_row(
                row["kind"],
                row["label"],
                row["term"],
                str(row["notes"]),
                str(row["positives"]),
                str(row["decoys"]),
            )
        console.print(table)


def _status(status: str) -> str:
    return {"fail": "[red]FAIL[/]", "pass": "[green]pass[/]"}.get(status, status)
