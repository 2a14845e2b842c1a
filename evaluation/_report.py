"""The HTML evaluation report: one self-contained file, plots embedded as PNG data URIs.

Rendered with Jinja2 with autoescaping on, so every note, id and column value is
HTML-escaped; nothing is fetched from the network when the report is opened.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from model import LABEL_TITLES, LABELS, ROUTES

from ._evaluate import Evaluation
from ._plots import precision_recall, reliability_diagram, score_histogram
from ._slices import why_not_categorical

TEMPLATES = Path(__file__).resolve().parent / "templates"
REPORT_FILE = "report.html"


def number(value: float | None, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, int):
        return str(value)
    return f"{value:.{digits}f}"


def with_interval(estimate: dict | None, digits: int = 3) -> Markup:
    """``0.912 (0.884-0.938)`` with the interval in small type."""
    if not estimate or estimate.get("value") is None:
        return Markup("n/a")
    text = escape(number(estimate["value"], digits))
    if estimate.get("ci_low") is None:
        return Markup(text)
    low, high = number(estimate["ci_low"], digits), number(estimate["ci_high"], digits)
    return Markup(f'{text} <span class="ci">({escape(low)}&ndash;{escape(high)})</span>')


def highlight(text: str, evidence: list[dict]) -> Markup:
    """The note, escaped, with evidence spans wrapped in <mark> (negated cues struck through)."""
    spans = sorted(
        (e["start"], e["end"], bool(e["negated"]))
        for e in evidence
        if 0 <= e["start"] < e["end"] <= len(text)
    )
    merged: list[list] = []
    for start, end, negated in spans:
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            merged[-1][2] = merged[-1][2] and negated
        else:
            merged.append([start, end, negated])
    parts, cursor = [], 0
    for start, end, negated in merged:
        parts.append(escape(text[cursor:start]))
        css = "neg" if negated else "pos"
        parts.append(Markup(f'<mark class="{css}">') + escape(text[start:end]) + Markup("</mark>"))
        cursor = end
    parts.append(escape(text[cursor:]))
    return Markup("").join(parts)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(number=number, ci=with_interval, highlight=highlight)
    return env


def _name(model: dict) -> str:
    return f"{model['name']} {model['version']}"


def _plots(evaluation: Evaluation, other: Evaluation | None) -> dict[str, dict[str, str]]:
    figures = evaluation.figures
    truth = evaluation.notes.labels
    plots = {}
    for j, label in enumerate(LABELS):
        y = truth[:, j]
        probability = evaluation.predictions.probabilities[:, j]
        threshold = figures["labels"][label]["threshold"]
        versus = None
        if other is not None:
            versus = (
                other.predictions.probabilities[:, j],
                other.figures["labels"][label]["threshold"],
                _name(other.figures["model"]),
            )
        plots[label] = {
            "reliability": reliability_diagram(
                figures["labels"][label]["calibration"]["bins"], label
            ),
            "precision_recall": precision_recall(
                y, probability, threshold, label, _name(figures["model"]), versus
            ),
            "histogram": score_histogram(y, probability, threshold, label),
        }
    return plots


def unsliced_columns(evaluation: Evaluation) -> dict[str, str]:
    """Columns of the file that got no slices, each with the reason (never a value)."""
    sliced = evaluation.figures["slices"]
    return {
        column: why_not_categorical(values) or "not chosen for slicing"
        for column, values in evaluation.notes.extra.items()
        if column not in sliced
    }


def render_report(evaluation: Evaluation, other: Evaluation | None = None) -> str:
    """The report as one HTML string (``other`` adds its curves when comparing)."""
    template = _environment().get_template("report.html.j2")
    return template.render(
        f=evaluation.figures,
        labels=LABELS,
        titles=LABEL_TITLES,
        routes=ROUTES,
        plots=_plots(evaluation, other),
        unsliced=unsliced_columns(evaluation),
        has_prevalence=any(s["prevalence"] for s in evaluation.figures["labels"].values()),
    )


def write_report(directory: Path, evaluation: Evaluation, other: Evaluation | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / REPORT_FILE
    partial = path.with_name(path.name + ".partial")
    partial.write_text(render_report(evaluation, other), encoding="utf-8")
    partial.replace(path)
    return path
