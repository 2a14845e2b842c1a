"""The report's plots, drawn with matplotlib and returned as PNG data URIs.

``matplotlib.figure.Figure`` is used directly (no pyplot): no global state, no GUI
backend, safe in a server or a test run.
"""

from __future__ import annotations

import base64
import io

import numpy as np
from matplotlib.figure import Figure
from sklearn.metrics import precision_recall_curve

SIZE = (3.8, 3.0)
DPI = 100
POSITIVE, NEGATIVE, OTHER = "#c0392b", "#2c7fb8", "#7f7f7f"


def data_uri(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure(title: str):
    figure = Figure(figsize=SIZE, layout="constrained")
    axes = figure.subplots()
    axes.set_title(title, fontsize=10)
    axes.tick_params(labelsize=8)
    return figure, axes


def reliability_diagram(bins: list[dict], label: str) -> str:
    """Mean predicted probability against observed rate per bin; the diagonal is perfect."""
    figure, axes = _figure(f"{label}: reliability")
    axes.plot([0, 1], [0, 1], linestyle="--", color=OTHER, linewidth=1, label="perfect")
    used = [b for b in bins if b["count"]]
    if used:
        sizes = np.array([b["count"] for b in used], dtype=float)
        axes.plot(
            [b["mean_probability"] for b in used],
            [b["observed_rate"] for b in used],
            color=NEGATIVE,
            linewidth=1,
        )
        axes.scatter(
            [b["mean_probability"] for b in used],
            [b["observed_rate"] for b in used],
            s=20 + 180 * sizes / sizes.max(),
            color=NEGATIVE,
            zorder=3,
            label="bins",
        )
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1)
    axes.set_xlabel("mean predicted probability", fontsize=8)
    axes.set_ylabel("observed rate", fontsize=8)
    axes.legend(fontsize=7, loc="upper left")
    return data_uri(figure)


def precision_recall(
    y: np.ndarray,
    probability: np.ndarray,
    threshold: float,
    label: str,
    name: str = "this model",
    other: tuple[np.ndarray, float, str] | None = None,
) -> str:
    """The precision-recall curve with the model's operating point (and another model's)."""
    figure, axes = _figure(f"{label}: precision-recall")
    curves = [(probability, threshold, name, NEGATIVE)]
    if other is not None:
        curves.append((other[0], other[1], other[2], OTHER))
    if y.sum() > 0:
        for scores, limit, name, colour in curves:
            precision, recall, _ = precision_recall_curve(y, scores)
            axes.step(recall, precision, where="post", color=colour, linewidth=1.2, label=name)
            flagged = scores >= limit
            tp = int((flagged & (y == 1)).sum())
            if flagged.sum():
                axes.scatter(
                    [tp / y.sum()],
                    [tp / flagged.sum()],
                    color=colour,
                    marker="o",
                    s=40,
                    zorder=3,
                    edgecolor="black",
                )
        axes.legend(fontsize=7, loc="lower left")
    axes.set_xlim(0, 1.01)
    axes.set_ylim(0, 1.01)
    axes.set_xlabel("recall", fontsize=8)
    axes.set_ylabel("precision", fontsize=8)
    return data_uri(figure)


def score_histogram(y: np.ndarray, probability: np.ndarray, threshold: float, label: str) -> str:
    """Scores of true positives and true negatives, with the threshold marked."""
    figure, axes = _figure(f"{label}: scores")
    edges = np.linspace(0, 1, 21)
    axes.hist(probability[y == 0], bins=edges, alpha=0.6, color=NEGATIVE, label="true 0")
    axes.hist(probability[y == 1], bins=edges, alpha=0.6, color=POSITIVE, label="true 1")
    axes.axvline(
        threshold, color="black", linestyle="--", linewidth=1, label=f"threshold {threshold:.3g}"
    )
    axes.set_yscale("log")
    axes.set_xlabel("probability", fontsize=8)
    axes.set_ylabel("notes (log scale)", fontsize=8)
    axes.legend(fontsize=7)
    return data_uri(figure)
