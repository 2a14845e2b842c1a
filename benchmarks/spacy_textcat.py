"""Benchmark: spaCy's own ``textcat_multilabel``, trained from scratch, against rightcall.

The obvious alternative to rightcall is spaCy's text classifier. This script trains
it on a blank English pipeline (no downloads, no pretrained vectors) on the bundled
train split, in both of spaCy's architectures: the default ``TextCatEnsemble`` and
the bag-of-words ``TextCatBOW``. Per-label thresholds are tuned on the dev split with
rightcall's own threshold policy (``training/config.toml``), and every system is
measured on the test split and the public evaluation file by rightcall's evaluation
code, next to the current rightcall model and the ``rules`` baseline. Speed is
batch throughput (notes/s) and single-note latency.

    .venv/bin/python benchmarks/spacy_textcat.py [--epochs 8] [--model models/latest]

Prints a table and writes ``benchmarks/results/spacy_textcat.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import spacy
from rich.console import Console
from rich.table import Table
from sklearn.metrics import average_precision_score
from spacy.training import Example
from spacy.util import minibatch

from evaluation import RulesBaseline, evaluate, load_for_evaluation
from model import LABELS, load
from notefiles import ColumnMapping, NoteSet, load_notes
from training import load_config, train, tune_threshold

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "data" / "corpus"
PUBLIC = REPO.parent / "shared" / "eval" / "public-calls.jsonl"
RESULTS = Path(__file__).resolve().parent / "results" / "spacy_textcat.json"
ARCHITECTURES = {
    "ensemble": None,  # spaCy's default for textcat_multilabel
    "bow": {
        "@architectures": "spacy.TextCatBOW.v3",
        "exclusive_classes": False,
        "ngram_size": 2,
        "no_output_layer": False,
        "length": 262144,
    },
}
SUMMARY_METRICS = ("precision", "recall", "f1")
SUMMARY_FREE = ("roc_auc", "average_precision", "brier", "ece")
LATENCY_NOTES = 200


class SpacyTextcat:
    """A trained spaCy pipeline behind the interface rightcall's evaluation uses."""

    def __init__(self, nlp, thresholds: dict[str, float], name: str, version: str) -> None:
        self.nlp = nlp
        self.thresholds = thresholds
        self.name = name
        self.version = version

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        docs = self.nlp.pipe(list(texts), batch_size=256)
        rows = [[doc.cats[label] for label in LABELS] for doc in docs]
        return np.array(rows, dtype=np.float64).reshape(-1, len(LABELS))


def build_pipeline(architecture: str):
    nlp = spacy.blank("en")
    model = ARCHITECTURES[architecture]
    textcat = nlp.add_pipe("textcat_multilabel", config={"model": model} if model else {})
    for label in LABELS:
        textcat.add_label(label)
    return nlp


def _examples(nlp, texts: list[str], labels: np.ndarray) -> list[Example]:
    return [
        Example.from_dict(
            nlp.make_doc(text), {"cats": {k: float(row[j]) for j, k in enumerate(LABELS)}}
        )
        for text, row in zip(texts, labels, strict=True)
    ]


def train_textcat(
    architecture: str, train_notes, dev_notes, epochs: int, seed: int
) -> tuple[SpacyTextcat, dict]:
    """Train, keep the epoch with the best dev mean average precision, tune thresholds on dev."""
    spacy.util.fix_random_seed(seed)
    rng = random.Random(seed)
    nlp = build_pipeline(architecture)
    examples = _examples(nlp, train_notes.texts, train_notes.labels)
    optimizer = nlp.initialize(lambda: examples)
    wrapper = SpacyTextcat(
        nlp, dict.fromkeys(LABELS, 0.5), f"textcat-{architecture}", f"spacy-{spacy.__version__}"
    )
    best, best_state, history = -1.0, None, []
    started = time.perf_counter()
    for epoch in range(1, epochs + 1):
        rng.shuffle(examples)
        losses: dict = {}
        for batch in minibatch(examples, size=32):
            nlp.update(batch, sgd=optimizer, drop=0.2, losses=losses)
        dev = wrapper.probabilities(dev_notes.texts)
        score = float(
            np.mean(
                [
                    average_precision_score(dev_notes.labels[:, j], dev[:, j])
                    for j in range(len(LABELS))
                ]
            )
        )
        history.append(
            {
                "epoch": epoch,
                "loss": float(losses.get("textcat_multilabel", 0.0)),
                "dev_mean_average_precision": score,
            }
        )
        if score > best:
            best, best_state = score, nlp.to_bytes()
    seconds = time.perf_counter() - started
    nlp.from_bytes(best_state)
    policies = load_config().thresholds
    dev = wrapper.probabilities(dev_notes.texts)
    wrapper.thresholds = {
        label: tune_threshold(dev_notes.labels[:, j], dev[:, j], policies[label])
        for j, label in enumerate(LABELS)
    }
    best_epoch = max(history, key=lambda h: h["dev_mean_average_precision"])["epoch"]
    return wrapper, {"seconds": seconds, "epochs": history, "best_epoch": best_epoch}


def measure_speed(scorer, texts: list[str]) -> dict:
    """Batch throughput over every note, and latency of one note at a time."""
    scorer.probabilities(texts[:10])  # warm-up
    started = time.perf_counter()
    scorer.probabilities(texts)
    batch = time.perf_counter() - started
    latencies = []
    for text in texts[:LATENCY_NOTES]:
        started = time.perf_counter()
        scorer.probabilities([text])
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    return {
        "notes": len(texts),
        "notes_per_second": len(texts) / batch if batch else None,
        "latency_ms_median": statistics.median(latencies),
        "latency_ms_p95": latencies[int(0.95 * (len(latencies) - 1))],
    }


def summarise(figures: dict) -> dict:
    """The headline figures of one evaluation (the full figures stay reproducible)."""
    out: dict = {"notes": figures["data"]["notes"], "labels": {}}
    for label in LABELS:
        section = figures["labels"][label]
        out["labels"][label] = {
            "threshold": section["threshold"],
            **{name: section["at_threshold"][name] for name in SUMMARY_METRICS},
            **{name: section["threshold_free"][name] for name in SUMMARY_FREE},
        }
    rcrp = figures["rcrp"]
    out["rcrp"] = {
        key: rcrp[key]
        for key in (
            "threat_to_life_true",
            "threat_to_life_missed",
            "threat_to_life_missed_ci",
            "route_agreement",
        )
    }
    return out


def _current_model(path: Path | None, workdir: Path):
    if path is not None and (path / "manifest.json").is_file():
        return load(path)
    result = train(load_config(), workdir / "models")
    return load(result.path)


def run(
    epochs: int = 8,
    architectures: Sequence[str] = tuple(ARCHITECTURES),
    model_path: Path | None = REPO / "models" / "latest",
    eval_files: dict[str, Path] | None = None,
    limit: int | None = None,
    resamples: int = 1000,
    seed: int = 13,
    include_baselines: bool = True,
    out: Path | None = RESULTS,
) -> dict:
    """Train, measure and (if ``out``) write the results; ``limit`` caps every file's notes."""
    eval_files = eval_files or {"test": CORPUS / "test.jsonl", "public": PUBLIC}
    train_notes = load_notes(CORPUS / "train.jsonl")
    dev_notes = load_notes(CORPUS / "dev.jsonl")
    if limit:
        train_notes = _head(train_notes, limit)
        dev_notes = _head(dev_notes, limit)
    systems: dict = {}
    training: dict[str, dict] = {}
    for architecture in architectures:
        scorer, info = train_textcat(architecture, train_notes, dev_notes, epochs, seed)
        systems[scorer.name] = scorer
        training[scorer.name] = info
    with tempfile.TemporaryDirectory() as workdir:
        if include_baselines:
            current = _current_model(model_path, Path(workdir))
            systems["rightcall"] = current
            systems["rules"] = RulesBaseline("rules")
        results: dict = {}
        for name, scorer in systems.items():
            entry: dict = {
                "version": scorer.version,
                "thresholds": {k: float(v) for k, v in scorer.thresholds.items()},
                "files": {},
            }
            for key, file in eval_files.items():
                notes = load_for_evaluation([file], ColumnMapping())
                if limit:
                    notes = _head(notes, limit)
                evaluation = evaluate(
                    scorer, notes, resamples=resamples, seed=seed, worst=0, data_paths=[file]
                )
                entry["files"][key] = {"path": str(file), **summarise(evaluation.figures)}
            first = load_notes(next(iter(eval_files.values())))
            entry["speed"] = measure_speed(scorer, _head(first, limit or len(first)).texts)
            if name in training:
                entry["training"] = training[name]
            results[name] = entry
    document = {
        "benchmark": "spacy_textcat",
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "spacy": spacy.__version__,
        },
        "settings": {
            "epochs": epochs,
            "architectures": list(architectures),
            "train_notes": len(train_notes),
            "dev_notes": len(dev_notes),
            "limit": limit,
            "resamples": resamples,
            "seed": seed,
            "threshold_policy": "training/config.toml, tuned on the dev split",
        },
        "systems": results,
    }
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return document


def _head(notes: NoteSet, n: int) -> NoteSet:
    return NoteSet(
        notes.ids[:n],
        notes.texts[:n],
        notes.labels[:n],
        {k: v[:n] for k, v in notes.extra.items()},
        notes.sources[:n],
    )


SHORT = {"mental_health": "MH", "crime": "crime", "threat_to_life": "TTL"}


def _cell(estimate: dict | None) -> str:
    if not estimate or estimate["value"] is None:
        return "n/a"
    return f"{estimate['value']:.3f}"


def print_tables(document: dict, console: Console | None = None) -> None:
    console = console or Console()
    systems = document["systems"]
    files = list(next(iter(systems.values()))["files"])
    for key in files:
        table = Table(
            "system",
            "label",
            "P",
            "R",
            "F1",
            "AUC",
            "AP",
            "Brier",
            "ECE",
            title=f"Quality on {key} (at each system's dev-tuned thresholds)",
        )
        for name, entry in systems.items():
            for j, label in enumerate(LABELS):
                m = entry["files"][key]["labels"][label]
                table.add_row(
                    name if j == 0 else "",
                    SHORT[label],
                    *(_cell(m[k]) for k in (*SUMMARY_METRICS, *SUMMARY_FREE)),
                    end_section=j == len(LABELS) - 1,
                )
        console.print(table)
    table = Table(
        "system",
        *(f"{key}: TTL routed away" for key in files),
        *(f"{key}: route agreement" for key in files),
        title="RCRP",
    )
    for name, entry in systems.items():
        rcrp = [entry["files"][key]["rcrp"] for key in files]
        table.add_row(
            name,
            *(f"{r['threat_to_life_missed']} of {r['threat_to_life_true']}" for r in rcrp),
            *(f"{r['route_agreement']:.3f}" for r in rcrp),
        )
    console.print(table)
    table = Table(
        "system",
        "notes/s (batch)",
        "latency median ms",
        "latency p95 ms",
        "training s",
        title="Speed (one process)",
    )
    for name, entry in systems.items():
        s = entry["speed"]
        trained = entry.get("training", {}).get("seconds")
        table.add_row(
            name,
            f"{s['notes_per_second']:.0f}",
            f"{s['latency_ms_median']:.2f}",
            f"{s['latency_ms_p95']:.2f}",
            f"{trained:.1f}" if trained else "-",
        )
    console.print(table)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--arch", choices=[*ARCHITECTURES, "all"], default="all")
    parser.add_argument(
        "--model",
        type=Path,
        default=REPO / "models" / "latest",
        help="rightcall model to compare (trained afresh if missing)",
    )
    parser.add_argument("--limit", type=int, default=None, help="cap notes per file")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    architectures = tuple(ARCHITECTURES) if args.arch == "all" else (args.arch,)
    document = run(args.epochs, architectures, args.model, limit=args.limit, out=args.out)
    print_tables(document)
    print(f"results written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
