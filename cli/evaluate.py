"""`rightcall evaluate`: measure a model on labelled notes, with a report, JSON and release gates.

Exit codes: 0 evaluated and every gate passed; 1 evaluated and a gate failed;
2 nothing evaluated (bad option, data or model). Notes are never printed here:
their text goes only into the HTML report and the JSON, which the user asked for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from evaluation import (
    BASELINES,
    BUNDLED_COUNTERFACTUALS,
    FAIRNESS_SCOPE,
    LENGTH_COLUMN,
    Evaluation,
    Gate,
    GateError,
    RulesBaseline,
    check_gates,
    combined,
    evaluate,
    fairness_figures,
    figures_json,
    identity_grid,
    load_counterfactuals,
    load_for_evaluation,
    parse_gate,
)
from evaluation import compare as compare_evaluations
from model import LABELS, ArtefactError, load
from notefiles import DataError

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

MISSED_SHOWN = 50
COMPARED_IN_TERMINAL = ("precision", "recall", "f1", "roc_auc", "brier", "ece")


def load_scorer(spec: str):
    """A model folder, or the name of a rule baseline (``rules``, ``rules-nonegation``)."""
    if spec in BASELINES:
        return RulesBaseline(spec)
    try:
        return load(Path(spec))
    except ArtefactError as error:
        fail(str(error), 2)


def parse_prevalence(items: list[str]) -> dict[str, float]:
    rates: dict[str, float] = {}
    for item in items:
        label, sep, rate = item.partition("=")
        try:
            value = float(rate)
        except ValueError:
            value = -1.0
        if not sep or label not in LABELS or not 0.0 < value < 1.0:
            fail(
                f"--prevalence expects LABEL=RATE with LABEL one of {', '.join(LABELS)} and "
                f"0 < RATE < 1; got {item!r}",
                2,
            )
        rates[label] = value
    return rates


def parse_gates(items: list[str], rates: dict[str, float]) -> list[Gate]:
    gates = []
    for item in items:
        try:
            gate = parse_gate(item)
        except GateError as error:
            fail(str(error), 2)
        if gate.needs_prevalence and gate.scope not in rates:
            fail(f"gate {item!r} needs --prevalence {gate.scope}=RATE", 2)
        gates.append(gate)
    return gates


def load_fairness(path: Path | None, skip: bool, gates: list[Gate]):
    """The counterfactual notes, the file's path and how many of the notes are the generated
    identity grid; (None, None, 0) when left out. A malformed file stops here (exit 2),
    before the long evaluation. By default: the bundled file and the identity grid."""
    wanted = [g.expression for g in gates if g.scope == FAIRNESS_SCOPE]
    if skip:
        if wanted:
            fail(f"gate {wanted[0]!r} needs the fairness section; drop --no-fairness", 2)
        return None, None, 0
    grid = None
    if path is None:
        grid = identity_grid()
        if not BUNDLED_COUNTERFACTUALS.is_file():
            return grid, None, len(grid)
        path = BUNDLED_COUNTERFACTUALS
    try:
        notes = load_counterfactuals(path)
    except DataError as error:
        report_problems(error.problems, 50)
        fail(f"{len(error.problems)} problem(s) in the counterfactual file; nothing evaluated", 2)
    if grid is None:
        return notes, path, 0
    return combined(notes, grid), path, len(grid)


def _fmt(value, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    return str(value) if isinstance(value, int) else f"{value:.{digits}f}"


def _est(estimate: dict | None, digits: int = 3) -> str:
    if not estimate or estimate["value"] is None:
        return "n/a"
    text = _fmt(estimate["value"], digits)
    if estimate["ci_low"] is None:
        return text
    low, high = _fmt(estimate["ci_low"], digits), _fmt(estimate["ci_high"], digits)
    return f"{text} [dim]({low}-{high})[/]"


def print_summary(f: dict) -> None:
    """Rich tables, one column per label so they fit an 80-column terminal."""
    model, data = f["model"], f["data"]
    files = ", ".join(file["path"] for file in data["files"])
    console.print(
        f"[bold]{model['name']} {model['version']}[/] on {data['notes']} notes "
        f"({files}); 95% intervals from {f['bootstrap']['resamples']} resamples",
        highlight=False,
    )
    per_label = [f["labels"][label] for label in LABELS]
    table = Table("", *LABELS, title="At the model's thresholds")
    table.add_row("threshold", *(_fmt(s["threshold"], 4) for s in per_label))
    table.add_row("positives", *(f"{s['positives']} of {s['n']}" for s in per_label))
    for name, title in (
        ("precision", "precision (PPV)"),
        ("recall", "recall (sens.)"),
        ("specificity", "specificity"),
        ("f1", "F1"),
    ):
        table.add_row(title, *(_est(s["at_threshold"][name]) for s in per_label))
    table.add_row(
        "TP / FP / FN / TN",
        *(
            " / ".join(str(s["at_threshold"][k]["value"]) for k in ("tp", "fp", "fn", "tn"))
            for s in per_label
        ),
    )
    console.print(table)
    table = Table("", *LABELS, title="Threshold-free")
    for name, title, digits in (
        ("roc_auc", "ROC-AUC", 3),
        ("average_precision", "avg precision", 3),
        ("brier", "Brier", 4),
        ("log_loss", "log loss", 3),
        ("ece", "ECE (10 bins)", 4),
    ):
        table.add_row(title, *(_est(s["threshold_free"][name], digits) for s in per_label))
    for k, target in enumerate((0.5, 0.7, 0.9)):
        table.add_row(
            f"recall at P>={target}",
            *(_fmt(s["recall_at_precision"][k]["recall"]) for s in per_label),
        )
    console.print(table)
    stated = [label for label in LABELS if f["labels"][label]["prevalence"]]
    if stated:
        table = Table("", *stated, title="At a stated base rate")
        rows = (
            ("rate", "base rate", 4),
            ("expected_ppv", "expected PPV", 3),
            ("flags_per_1000", "flags /1000", 1),
            ("false_alarms_per_1000", "false alarms /1000", 1),
            ("missed_per_1000", "missed /1000", 2),
        )
        for name, title, digits in rows:
            cells = []
            for label in stated:
                value = f["labels"][label]["prevalence"][name]
                cells.append(
                    _est(value, digits) if isinstance(value, dict) else _fmt(value, digits)
                )
            table.add_row(title, *cells)
        console.print(table)
    _print_routes(f["rcrp"])
    if f["fairness"]:
        _print_fairness(f["fairness"])
    _print_slices(f["slices"])
    if f["comparison"]:
        _print_comparison(f["comparison"])


def _print_routes(r: dict) -> None:
    table = Table("true \\ suggested", *r["routes"], title="RCRP routes")
    for truth in r["routes"]:
        table.add_row(truth, *(str(r["confusion"][truth][route]) for route in r["routes"]))
    console.print(table)
    style = "bold red" if r["threat_to_life_missed"] else "bold green"
    console.print(
        f"True threat-to-life calls routed health-led or no-signal: "
        f"[{style}]{r['threat_to_life_missed']}[/] of {r['threat_to_life_true']}; "
        f"route agreement {_fmt(r['route_agreement'])}",
        highlight=False,
    )
    missed = r["threat_to_life_missed_notes"]
    if missed:
        table = Table(
            "id",
            "source",
            "TTL probability",
            "suggested route",
            title="Threat-to-life calls routed away from the police "
            f"(TTL threshold {_fmt(missed[0]['threshold'], 4)})",
        )
        for m in missed[:MISSED_SHOWN]:
            table.add_row(
                m["id"],
                Path(m["source"]).name,
                _fmt(m["threat_to_life_probability"], 4),
                m["suggested_route"],
            )
        console.print(table)
        if len(missed) > MISSED_SHOWN:
            console.print(f"... and {len(missed) - MISSED_SHOWN} more in the report and JSON.")


def _print_fairness(fair: dict) -> None:
    sources = []
    if fair.get("file"):
        sources.append(f"{fair['file']['path']} ({fair['file']['groups']} groups)")
    if fair.get("identity_grid"):
        grid = fair["identity_grid"]
        sources.append(f"identity grid {grid['source']} ({grid['groups']} groups)")
    if sources:
        console.print("Counterfactual notes: " + "; ".join(sources), highlight=False)
    table = Table(
        "attribute",
        "groups",
        *LABELS,
        title="Identity swaps: largest probability change within a group (flag flips)",
    )
    for attribute, groups in fair["attributes"].items():
        cells = []
        for label in LABELS:
            s = fair["labels"][label]["by_attribute"][attribute]
            style = "bold red" if s["flag_flips"] or s["over_tolerance"] else ""
            text = f"{s['max_delta']:.4f} ({s['flag_flips']})"
            cells.append(f"[{style}]{text}[/]" if style else text)
        table.add_row(attribute, str(groups), *cells)
    console.print(table)
    style = "bold green" if fair["passed"] else "bold red"
    console.print(
        f"Largest change from an identity swap: [{style}]{fair['max_delta']:.4f}[/] "
        f"(tolerance {fair['tolerance']}); flag flips: [{style}]{fair['flag_flips']}[/]; "
        f"groups over tolerance: {fair['over_tolerance']}",
        highlight=False,
    )
    for finding in fair["failures"][:5]:
        low, high = finding["low"], finding["high"]
        console.print(
            f"  {finding['label']} {finding['group']}: {low['value']!r} "
            f"{low['probability']:.3f} -> {high['value']!r} {high['probability']:.3f}"
            f"{' (flag flips)' if finding['flag_flip'] else ''}",
            highlight=False,
        )


def _print_slices(slices: dict) -> None:
    for column, groups in slices.items():
        title = "by note length" if column == LENGTH_COLUMN else f"by {column}"
        table = Table(column, "notes", *LABELS, title=f"{title}: recall / precision (positives)")
        for value, group in groups.items():
            cells = []
            for label in LABELS:
                g = group["labels"][label]
                cells.append(
                    f"{_fmt(g['recall']['value'], 2)} / "
                    f"{_fmt(g['precision']['value'], 2)} [dim]({g['positives']})[/]"
                )
            table.add_row(value, str(group["n"]), *cells)
        console.print(table)


def _print_comparison(c: dict) -> None:
    table = Table(
        "label",
        "metric",
        "model",
        "other",
        "delta",
        "paired 95% CI",
        title=f"Compared with {c['other']['name']} {c['other']['version']} (delta = model - other)",
    )
    for label in LABELS:
        for name in COMPARED_IN_TERMINAL:
            row = c["labels"][label].get(name)
            if row is None:
                continue
            bounds = (
                f"{_fmt(row['ci_low'])}..{_fmt(row['ci_high'])}"
                if row["ci_low"] is not None
                else "n/a"
            )
            table.add_row(
                label, name, _fmt(row["model"]), _fmt(row["other"]), _fmt(row["delta"]), bounds
            )
    row = c["rcrp"]["threat_to_life_missed"]
    table.add_row(
        "rcrp",
        "TTL routed away",
        str(row["model"]),
        str(row["other"]),
        str(row["delta"]),
        f"{_fmt(row['ci_low'], 0)}..{_fmt(row['ci_high'], 0)}"
        if row["ci_low"] is not None
        else "n/a",
    )
    console.print(table)


def _evaluate(scorer, notes, spec: str, rates, resamples, seed, worst, slices, data) -> Evaluation:
    path = None if spec in BASELINES else spec
    return evaluate(
        scorer,
        notes,
        prevalence=rates,
        resamples=resamples,
        seed=seed,
        worst=worst,
        slice_columns=slices,
        model_path=path,
        data_paths=data,
    )


def evaluate_command(
    data: Annotated[
        list[Path],
        typer.Option("--data", help="Labelled file (JSONL, CSV or Parquet); repeat for several."),
    ],
    model: Annotated[
        str,
        typer.Option(
            help="Model folder, or 'rules' / 'rules-nonegation' for the keyword baselines."
        ),
    ] = str(DEFAULT_MODELS / "latest"),
    report: Annotated[
        Path | None,
        typer.Option(help="Folder to write a self-contained HTML report (report.html) into."),
    ] = None,
    json_out: Annotated[
        Path | None,
        typer.Option(
            "--json", help="Write every figure to this JSON file (schema: docs/evaluation.md)."
        ),
    ] = None,
    compare: Annotated[
        str | None,
        typer.Option(help="Another model folder or baseline, measured on the same notes."),
    ] = None,
    gate: Annotated[
        list[str] | None,
        typer.Option(
            help="Release gate, e.g. 'threat_to_life.recall>=0.95' (repeatable); exit 1 if any "
            "fails."
        ),
    ] = None,
    prevalence: Annotated[
        list[str] | None,
        typer.Option(
            help="LABEL=RATE, a force's base rate, e.g. threat_to_life=0.03 (repeatable)."
        ),
    ] = None,
    slice_col: Annotated[
        list[str] | None,
        typer.Option(
            "--slice-col",
            help="Slice by these columns only (default: every categorical column present).",
        ),
    ] = None,
    resamples: Annotated[
        int,
        typer.Option(min=0, help="Bootstrap resamples for the 95% intervals (0: no intervals)."),
    ] = 1000,
    seed: Annotated[int, typer.Option(help="Bootstrap seed.")] = 13,
    worst: Annotated[
        int, typer.Option(min=0, help="False negatives and false positives shown per label.")
    ] = 10,
    fairness: Annotated[
        Path | None,
        typer.Option(
            help="Counterfactual notes (groups that differ only in an identity term) for the "
            "fairness section, instead of the default: the bundled "
            "data/fairness/counterfactuals.jsonl and the behaviour suite's identity grid."
        ),
    ] = None,
    no_fairness: Annotated[
        bool, typer.Option("--no-fairness", help="Leave out the fairness section.")
    ] = False,
    text_col: TextCol = None,
    id_col: IdCol = None,
    label_col: LabelCol = None,
) -> None:
    """Measure a model on labelled notes: metrics with intervals, calibration, routes, slices,
    and whether identity words move its scores."""
    mapping = mapping_from(text_col, id_col, label_col)
    rates = parse_prevalence(prevalence or [])
    gates = parse_gates(gate or [], rates)
    counterfactuals, fairness_path, grid_notes = load_fairness(fairness, no_fairness, gates)
    scorer = load_scorer(model)
    other = load_scorer(compare) if compare else None
    try:
        notes = load_for_evaluation(data, mapping)
    except DataError as error:
        report_problems(error.problems, 50)
        fail(f"{len(error.problems)} problem(s) in the data; nothing evaluated", 2)
    missing = [c for c in slice_col or [] if c not in notes.extra]
    if missing:
        fail(
            f"--slice-col: no column {', '.join(map(repr, missing))} in the data; present: "
            f"{', '.join(notes.extra) or 'none'}",
            2,
        )
    settings = (rates, resamples, seed, worst, slice_col, data)
    result = _evaluate(scorer, notes, model, *settings)
    baseline = None
    if other is not None:
        baseline = _evaluate(other, notes, compare, *settings)
        result.figures["comparison"] = compare_evaluations(result, baseline)
    if counterfactuals is not None:
        result.figures["fairness"] = fairness_figures(
            scorer, counterfactuals, path=fairness_path, grid_notes=grid_notes
        )
    outcomes = check_gates(gates, result.figures)
    result.figures["gates"] = outcomes
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        partial = json_out.with_name(json_out.name + ".partial")
        partial.write_text(figures_json(result.figures), encoding="utf-8")
        partial.replace(json_out)
    if report is not None:
        from evaluation import write_report  # matplotlib loads only when a report is asked

        path = write_report(report, result, baseline)
    print_summary(result.figures)
    if json_out is not None:
        console.print(f"JSON written to {json_out}", highlight=False)
    if report is not None:
        console.print(f"Report written to {path}", highlight=False)
    for outcome in outcomes:
        typer.echo(outcome["message"], err=not outcome["passed"])
    failed = sum(not o["passed"] for o in outcomes)
    if failed:
        typer.echo(f"{failed} of {len(outcomes)} gate(s) failed", err=True)
        raise typer.Exit(1)
