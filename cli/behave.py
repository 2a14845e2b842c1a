"""`rightcall behave`: the behaviour suite (capability x MFT/INV/DIR), with table, JSON, gates.

Exit codes: 0 every gate passed; 1 a gate failed; 2 nothing measured (bad option, gate,
lexicon or model). The table shows at most 120 characters of one failing note a row.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from evaluation import BASELINES, GateError
from evaluation.behaviour import (
    DEFAULT_SEED,
    SuiteError,
    capabilities,
    cases_jsonl,
    check_gates,
    default_gates,
    figures,
    generate,
    identity_counterfactuals,
    load_lexicon,
    parse_gate,
    run,
)

from ._common import DEFAULT_MODELS, console, fail
from .evaluate import load_scorer


def _rate(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _example(example: dict | None) -> str:
    if example is None:
        return ""
    head = f"{example['detail']}: " if example.get("detail") else ""
    return f"[dim]{head}{example['summary']}[/]\n{example['text']}"


def print_table(result: dict) -> None:
    model = result["model"]
    console.print(
        f"[bold]{model['name']} {model['version']}[/]: {result['overall']['cases']} behaviour "
        f"cases, seed {result['suite']['seed']}",
        highlight=False,
    )
    table = Table(
        "capability", "test", "cases", "failed", "failure rate", "example failure",
        title="Behaviour suite (INV: no flag flip, no probability move > "
        f"{result['tolerances']['inv']}; DIR: wrong way by <= {result['tolerances']['dir']})",
    )  # fmt: skip
    for capability, entry in result["capabilities"].items():
        for test, row in entry["tests"].items():
            rate = row["failure_rate"]
            style = "bold red" if rate else "green"
            table.add_row(
                capability,
                test.upper(),
                str(row["cases"]),
                str(row["failures"]),
                f"[{style}]{_rate(rate)}[/]",
                _example(row["example"]),
            )
    overall = result["overall"]
    table.add_row(
        "[bold]all[/]", "", str(overall["cases"]), str(overall["failures"]),
        _rate(overall["failure_rate"]), "",
    )  # fmt: skip
    console.print(table)
    labels = Table("capability", "label", "cases", "failure rate", title="Failure rate by label")
    for capability, entry in result["capabilities"].items():
        for label, row in entry["labels"].items():
            labels.add_row(capability, label, str(row["cases"]), _rate(row["failure_rate"]))
    console.print(labels)
    changes = Table(
        "capability", "change", "cases", "failure rate", "largest move",
        title="INV by what was changed",
    )  # fmt: skip
    for capability, entry in result["capabilities"].items():
        for kind, row in entry["by_change"].items():
            largest = "n/a" if row["max_delta"] is None else f"{row['max_delta']:.3f}"
            changes.add_row(
                capability, kind, str(row["cases"]), _rate(row["failure_rate"]), largest
            )
    if changes.row_count:
        console.print(changes)


def print_list(seed: int, lexicon) -> None:
    cases = generate(seed, None, lexicon)
    table = Table("capability", "test", "templates", "cases", title="Behaviour suite")
    rows: dict[tuple[str, str], tuple[set, int]] = {}
    for case in cases:
        templates, count = rows.get((case.capability, case.test), (set(), 0))
        templates.add(case.template)
        rows[(case.capability, case.test)] = (templates, count + 1)
    for (capability, test), (templates, count) in rows.items():
        table.add_row(capability, test.upper(), str(len(templates)), str(count))
    table.add_row("[bold]all[/]", "", "", str(len(cases)))
    console.print(table)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def behave_command(
    model: Annotated[
        str,
        typer.Option(
            help="Model folder, or 'rules' / 'rules-nonegation' for the keyword baselines."
        ),
    ] = str(DEFAULT_MODELS / "latest"),
    json_out: Annotated[
        Path | None,
        typer.Option("--json", help="Write every figure to this JSON file (docs/behaviour.md)."),
    ] = None,
    gate: Annotated[
        list[str] | None,
        typer.Option(
            help="Gate, e.g. 'behaviour.negation.failure_rate<=0.05' (repeatable); exit 1 if "
            "any fails."
        ),
    ] = None,
    no_default_gates: Annotated[
        bool,
        typer.Option(
            "--no-default-gates", help="Skip the gates in evaluation/behaviour/gates.toml."
        ),
    ] = False,
    seed: Annotated[
        int, typer.Option(help="Generator seed; the same seed gives the same cases.")
    ] = (DEFAULT_SEED),
    capability: Annotated[
        list[str] | None,
        typer.Option(help="Run only this capability (repeatable); see --list."),
    ] = None,
    lexicon: Annotated[
        list[Path] | None,
        typer.Option(help="TOML file adding or replacing lexicon lists (repeatable)."),
    ] = None,
    cases_out: Annotated[
        Path | None,
        typer.Option("--cases", help="Write the generated cases to this JSONL file."),
    ] = None,
    counterfactuals: Annotated[
        Path | None,
        typer.Option(
            help="Write the identity grid as counterfactual JSONL for "
            "'rightcall evaluate --fairness FILE'."
        ),
    ] = None,
    list_only: Annotated[
        bool, typer.Option("--list", help="List capabilities, tests and case counts; no model.")
    ] = False,
) -> None:
    """Run the behaviour suite: archetypes, negation, history, hypotheticals, reported speech,
    figures of speech, robustness, abbreviations, length and identity invariance."""
    try:
        words = load_lexicon(lexicon or [])
        known = capabilities()
        if list_only:
            print_list(seed, words)
            return
        cases = generate(seed, capability or None, words)
    except SuiteError as error:
        fail(str(error), 2)
    selected = [c for c in known if not capability or c in capability]
    try:
        gates = [parse_gate(g, known) for g in gate or []]
        if not no_default_gates:
            defaults = [parse_gate(g, known) for g in default_gates()]
            gates = [g for g in defaults if g.capability in selected] + gates
    except (GateError, SuiteError) as error:
        fail(str(error), 2)
    unrun = [g.expression for g in gates if g.capability not in (*selected, "overall")]
    if unrun:
        fail(f"gate {unrun[0]!r} is on a capability not being run; add --capability", 2)
    if cases_out is not None:
        _write(cases_out, cases_jsonl(cases))
    if counterfactuals is not None:
        rows = identity_counterfactuals()
        _write(counterfactuals, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    scorer = load_scorer(model)
    outcomes = run(scorer, cases)
    result = figures(outcomes, known)
    result["suite"] = {
        "seed": seed,
        "capabilities": selected,
        "lexicon": words.sources,
    }
    result["model"] = {
        "name": getattr(scorer, "name", model),
        "version": getattr(scorer, "version", ""),
        "path": None if model in BASELINES else model,
    }
    result["gates"] = check_gates(gates, result)
    if json_out is not None:
        _write(json_out, json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print_table(result)
    if json_out is not None:
        console.print(f"JSON written to {json_out}", highlight=False)
    for outcome in result["gates"]:
        typer.echo(outcome["message"], err=not outcome["passed"])
    failed = sum(not o["passed"] for o in result["gates"])
    if failed:
        typer.echo(f"{failed} of {len(result['gates'])} gate(s) failed", err=True)
        raise typer.Exit(1)
