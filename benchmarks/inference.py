"""Benchmark: inference cost in one process, next to two baselines measured in the same run.

Systems, all trained on the bundled train split (thresholds tuned on dev by the policy
in ``training/config.toml``) and measured on the test split:

* ``rightcall``: the model in ``--models``/latest, or one trained now with the default
  config if there is none or it was trained on other corpus files than today's;
* ``sklearn-tfidf-lr``: a plain scikit-learn pipeline, TF-IDF word 1-2-grams + char_wb
  3-5-grams (rightcall's own min_df / max_features) and one LogisticRegression per label
  (rightcall's C and class weights), no note analysis, no calibration, no evidence;
* ``spacy-textcat-bow``: spaCy ``textcat_multilabel`` with the bag-of-words
  architecture, trained by ``benchmarks/spacy_textcat.py``'s code.

Figures: per-note latency of one call (``classify`` for rightcall, with evidence and
route; ``predict_proba([note])`` / ``nlp(note)`` for the baselines) over
``--latency-notes`` test notes; batch throughput over ``--notes`` notes (the test split
repeated) in chunks of 2,000 (as ``rightcall score`` reads them); ``rightcall score`` as a
command on a JSONL file of ``--notes`` notes with unique ids; and test-split F1 next to
the speed. ``notes_per_cpu_second`` is throughput per core.

Baselines inside rightcall, from the same run (issue 15): the one-note latency and the
``probabilities`` throughput again with the pure-Python term pipeline (the same model with
``model._context.NoteAnalyser``), next to the engine this process runs (``engine``, the
compiled one when it is built); and ``rightcall score --engine processes --workers 2`` and
``--engine dask --workers 2`` on the same file as the single-process command
(``--no-dask`` skips Dask).

    .venv/bin/python benchmarks/inference.py [--notes 100000] [--latency-notes 2000] [--quick]

Prints tables and writes ``benchmarks/results/inference.json`` (``inference.quick.json``
with ``--quick``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from _common import (
    CORPUS,
    RIGHTCALL,
    corpus_rows,
    current_model_folder,
    default_out,
    fmt,
    model_description,
    new_document,
    ratio,
    run_and_report,
    run_bounded,
    sample_texts,
    summarise_ms,
)
from rich.console import Console
from rich.table import Table

from evaluation import all_label_metrics
from model import LABELS, engine_name, freeze_loaded, load
from notefiles import NoteSet, load_notes
from training import load_config, tune_threshold

CHUNK = 2000  # scoring/_score.py reads files in chunks of this many notes
SAME_WITHIN = 1e-12  # compiled and reference scoring agree to this (tests/model/test_row_scorer.py)
WARM_UP = 50
SCORE_TIMEOUT = 3600.0
DASK_WORKERS = 2
SHORT = {"mental_health": "MH", "crime": "crime", "threat_to_life": "TTL"}


# ---------------------------------------------------------------- measuring


def chunks(texts: Sequence[str], size: int = CHUNK):
    for start in range(0, len(texts), size):
        yield texts[start : start + size]


def batch_speed(score: Callable[[list[str]], object], texts: list[str]) -> dict:
    """Wall and CPU time of scoring every note, chunk by chunk.

    The notes repeat the test split, so the first chunk (mostly notes not seen yet) is
    timed apart from the rest: a cache keyed on note text would show as a gap between
    the two, and would not help on real files, whose notes do not repeat.
    """
    score(list(texts[:WARM_UP]))
    per_chunk = []
    wall, cpu = time.perf_counter(), time.process_time()
    for chunk in chunks(texts):
        started = time.perf_counter()
        score(list(chunk))
        per_chunk.append((len(chunk), time.perf_counter() - started))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    first_n, first_s = per_chunk[0]
    rest_n = sum(n for n, _ in per_chunk[1:])
    rest_s = sum(s for _, s in per_chunk[1:])
    return {
        "notes": len(texts),
        "seconds": wall,
        "cpu_seconds": cpu,
        "notes_per_second": len(texts) / wall,
        "notes_per_cpu_second": len(texts) / cpu if cpu > 0 else None,
        "first_chunk_notes_per_second": first_n / first_s,
        "later_chunks_notes_per_second": rest_n / rest_s if rest_n else None,
    }


def latency(one: Callable[[str], object], texts: list[str]) -> dict:
    """Milliseconds for one note at a time, after a warm-up."""
    for text in texts[:WARM_UP]:
        one(text)
    values = []
    for text in texts:
        started = time.perf_counter_ns()
        one(text)
        values.append((time.perf_counter_ns() - started) / 1e6)
    return summarise_ms(values)


def quality(probabilities: np.ndarray, labels: np.ndarray, thresholds: dict[str, float]) -> dict:
    metrics = all_label_metrics(labels, probabilities, thresholds)
    per_label = {
        label: {k: metrics[label][k] for k in ("threshold", "precision", "recall", "f1")}
        for label in LABELS
    }
    return {
        "notes": int(len(labels)),
        "labels": per_label,
        "macro_f1": float(np.mean([per_label[label]["f1"] for label in LABELS])),
    }


def tuned_thresholds(dev: NoteSet, probabilities: np.ndarray) -> dict[str, float]:
    policies = load_config().thresholds
    return {
        label: tune_threshold(dev.labels[:, j], probabilities[:, j], policies[label])
        for j, label in enumerate(LABELS)
    }


def head(notes: NoteSet, n: int | None) -> NoteSet:
    if not n:
        return notes
    return NoteSet(
        notes.ids[:n],
        notes.texts[:n],
        notes.labels[:n],
        {k: v[:n] for k, v in notes.extra.items()},
        notes.sources[:n],
    )


# ---------------------------------------------------------------- the systems


def plain_sklearn(train: NoteSet):
    """TF-IDF (word 1-2 + char_wb 3-5) + one LogisticRegression per label, rightcall's
    regularisation and feature limits, nothing else."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import FeatureUnion, Pipeline

    config = load_config()
    features = FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(
                    ngram_range=(1, 2),
                    min_df=config.features.word_min_df,
                    sublinear_tf=True,
                    dtype=np.float32,
                ),
            ),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(3, 5),
                    min_df=config.features.char_min_df,
                    max_features=config.features.char_max_features,
                    sublinear_tf=True,
                    dtype=np.float32,
                ),
            ),
        ]
    )
    linear = LogisticRegression(
        C=config.model.C, class_weight=config.model.class_weight, solver="liblinear", max_iter=5000
    )
    pipeline = Pipeline([("features", features), ("classifier", OneVsRestClassifier(linear))])
    return pipeline.fit(train.texts, train.labels)


def measure_rightcall(
    latest: Path, test: NoteSet, many: list[str], few: list[str], console: Console
) -> dict:
    classifier = load(latest)
    freeze_loaded()  # as `rightcall score` and `rightcall serve` do after loading
    entry: dict = {
        "description": "rightcall classify (calibrated, evidence, route); batch = probabilities",
        "model": model_description(latest),
        "engine": engine_name(),  # the term pipeline this process runs: compiled or python
    }
    entry["quality"] = quality(
        classifier.probabilities(test.texts), test.labels, classifier.thresholds
    )
    console.log("rightcall: latency of classify")
    entry["latency_ms"] = latency(classifier.classify, few)
    console.log("rightcall: probabilities (what `score` computes; like predict_proba)")
    entry["batch"] = batch_speed(classifier.probabilities, many)
    console.log("rightcall: classify_many without evidence (result objects, routes)")
    entry["batch_results"] = batch_speed(
        lambda t: classifier.classify_many(t, with_evidence=False), many
    )
    console.log("rightcall: classify_many with evidence (what the API computes)")
    entry["batch_with_evidence"] = batch_speed(classifier.classify_many, many)
    entry["stages_us_per_note"] = stages(classifier, few)
    entry["python_engine"] = measure_python_engine(classifier, latest, many, few, console)
    return entry


def python_twin(classifier, latest: Path):
    """The same classifier all in Python: the pure-Python term pipeline (the reference the
    compiled one is tested equal to), numpy rows and the pure-Python evidence mapper, as the
    in-run baseline of the compiled engine."""
    # A private module on purpose, and only here: the public API picks one engine per
    # process (RIGHTCALL_ENGINE), and comparing both in one run needs the other one too.
    from model._context import NoteAnalyser

    twin = classifier.with_reference_scoring()
    twin.analyser = NoteAnalyser(latest / "lexicon")
    return twin


def measure_python_engine(
    classifier, latest: Path, many: list[str], few: list[str], console: Console
) -> dict:
    """``latency_ms`` and ``batch`` as for the process's engine, with the pure-Python one."""
    twin = python_twin(classifier, latest)
    # Same terms bit for bit; the typed row scorer sums in another order than numpy.
    difference = float(np.abs(classifier.probabilities(few) - twin.probabilities(few)).max())
    console.log("rightcall, pure-Python engine: latency of classify")
    latency_ms = latency(twin.classify, few)
    console.log("rightcall, pure-Python engine: probabilities")
    batch = batch_speed(twin.probabilities, many)
    return {
        "engine": "python",
        # on the latency notes: the largest difference, and whether it is float noise
        "max_probability_difference": difference,
        "same_probabilities": difference <= SAME_WITHIN,
        "latency_ms": latency_ms,
        "batch": batch,
    }


def stages(classifier, texts: list[str], repeats: int = 3) -> dict:
    """Where a batch's time goes, per note: note analysis (tokens, lexicon, persons, cues,
    NegEx); scores (feature inputs, rows, linear scores and sentence windows: what
    ``probabilities`` adds to the analysis); and evidence with the result objects (what
    ``classify_many`` adds to that). Each stage's fastest of ``repeats`` runs: the first run
    also fills the per-process caches (token runs, terms, character n-grams), which one pass
    would charge to whichever stage came first."""
    texts = list(texts)
    best = {"analyse": float("inf"), "probabilities": float("inf"), "total": float("inf")}
    for _ in range(repeats):
        started = time.perf_counter()
        classifier.analyser.analyse_many(texts)
        best["analyse"] = min(best["analyse"], time.perf_counter() - started)
        started = time.perf_counter()
        classifier.probabilities(texts)
        best["probabilities"] = min(best["probabilities"], time.perf_counter() - started)
        started = time.perf_counter()
        classifier.classify_many(texts)
        best["total"] = min(best["total"], time.perf_counter() - started)
    n = len(texts)
    scores = max(best["probabilities"] - best["analyse"], 0.0)
    rest = max(best["total"] - best["probabilities"], 0.0)
    return {
        "notes": n,
        "repeats": repeats,
        "analyse": best["analyse"] / n * 1e6,
        "scores": scores / n * 1e6,
        "evidence_results": rest / n * 1e6,
        "total": best["total"] / n * 1e6,
    }


def measure_sklearn(
    train: NoteSet, dev: NoteSet, test: NoteSet, many: list[str], few: list[str], console: Console
) -> dict:
    console.log("sklearn-tfidf-lr: training")
    started = time.perf_counter()
    pipeline = plain_sklearn(train)
    seconds = time.perf_counter() - started
    thresholds = tuned_thresholds(dev, pipeline.predict_proba(dev.texts))
    entry: dict = {
        "description": "TF-IDF word 1-2 + char_wb 3-5, LogisticRegression per label "
        "(scikit-learn Pipeline; probabilities only)",
        "training_seconds": seconds,
    }
    entry["quality"] = quality(pipeline.predict_proba(test.texts), test.labels, thresholds)
    console.log("sklearn-tfidf-lr: latency and batch")
    entry["latency_ms"] = latency(lambda t: pipeline.predict_proba([t]), few)
    entry["batch"] = batch_speed(pipeline.predict_proba, many)
    return entry


def measure_spacy(
    train: NoteSet,
    dev: NoteSet,
    test: NoteSet,
    many: list[str],
    few: list[str],
    epochs: int,
    seed: int,
    console: Console,
) -> dict:
    import spacy_textcat

    console.log(f"spacy-textcat-bow: training ({epochs} epochs)")
    scorer, info = spacy_textcat.train_textcat("bow", train, dev, epochs, seed)
    entry: dict = {
        "description": "spaCy textcat_multilabel, TextCatBOW (blank English "
        "pipeline; probabilities only)",
        "training_seconds": info["seconds"],
        "best_epoch": info["best_epoch"],
    }
    entry["quality"] = quality(scorer.probabilities(test.texts), test.labels, scorer.thresholds)
    console.log("spacy-textcat-bow: latency and batch")
    entry["latency_ms"] = latency(lambda t: scorer.nlp(t).cats, few)
    entry["batch"] = batch_speed(scorer.probabilities, many)
    return entry


def write_notes(path: Path, rows: list[dict], count: int) -> None:
    """``count`` notes of ``rows``, cycling, each with a unique id."""
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            row = rows[i % len(rows)]
            handle.write(
                json.dumps({"id": f"{row['id']}#{i // len(rows)}", "text": row["text"]}) + "\n"
            )


def score_run(
    latest: Path, source: Path, count: int, work: Path, extra: Sequence[str] = ()
) -> dict:
    """One ``rightcall score`` command to completion: wall seconds, and the CPU time and
    peak RSS of the command with every descendant it waited for. ``os.wait4`` (in
    ``run_bounded``) reports a child's own usage plus its reaped children's, as
    RUSAGE_CHILDREN would, so the Dask workers, which the command starts and joins, count."""
    tag = "-".join(x.strip("-") for x in extra) or "single"
    output = work / f"{source.stem}.{tag}.out.jsonl"
    errors = work / f"{source.stem}.{tag}.stderr.txt"
    with errors.open("wb") as sink:  # a file, not a pipe: a chatty child never blocks
        code, seconds, usage = run_bounded(
            [
                str(RIGHTCALL),
                "score",
                str(source),
                "--output",
                str(output),
                "--model",
                str(latest),
                *extra,
            ],
            SCORE_TIMEOUT,
            cwd=work,  # where Dask may leave its scratch space
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )
    if code != 0:
        tail = errors.read_text("utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"rightcall score {' '.join(extra)} exited with {code}:\n{tail}")
    with output.open("rb") as handle:
        written = sum(1 for _ in handle)
    if written != count:
        raise RuntimeError(f"rightcall score wrote {written} rows for {count} notes")
    output.unlink()
    return {
        "notes": count,
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_rss_mib": usage.ru_maxrss / 1024,  # of the largest process
    }


def score_figures(runs: dict, notes: int) -> dict:
    fixed, run = runs["fixed"], runs["file"]
    scoring = max(run["seconds"] - fixed["seconds"], 1e-9)
    scoring_cpu = max(run["cpu_seconds"] - fixed["cpu_seconds"], 1e-9)
    return {
        "runs": runs,
        "notes_per_second": notes / run["seconds"],
        "notes_per_cpu_second": notes / run["cpu_seconds"],
        "notes_per_second_after_startup": notes / scoring,
        "notes_per_cpu_second_after_startup": notes / scoring_cpu,
        "startup_seconds": fixed["seconds"],
    }


def dask_missing() -> str | None:
    """Why ``--engine dask`` cannot run here, or None."""
    missing = [m for m in ("dask", "distributed") if importlib.util.find_spec(m) is None]
    if missing:
        return f"the dask extra is not installed (no {', '.join(missing)})"
    return None


def measure_score_command(latest: Path, notes: int, dask: bool, console: Console) -> dict:
    """``rightcall score`` on a JSONL file of ``notes`` notes with unique ids, and on a
    ten-note file for the fixed cost (start-up, imports, model load and verification);
    then the same two files with ``--engine processes --workers 2`` (``processes_2_workers``:
    forked workers sharing the loaded model) and ``--engine dask --workers 2``
    (``dask_2_workers``, whose fixed cost includes starting the local cluster and loading
    the model in each worker)."""
    rows = corpus_rows("test")
    latest = latest.resolve()
    with tempfile.TemporaryDirectory(prefix="rightcall-bench-score-") as workdir:
        work = Path(workdir)
        sources = {}
        for name, count in (("fixed", 10), ("file", notes)):
            sources[name] = (work / f"{name}.jsonl", count)
            write_notes(sources[name][0], rows, count)

        def figures(*extra: str) -> dict:
            """Both files through one engine: its runs and throughput."""
            runs = {}
            for name, (source, count) in sources.items():
                console.log(f"{' '.join(['rightcall score', *extra])}: {count} notes")
                runs[name] = score_run(latest, source, count, work, extra)
            return score_figures(runs, notes)

        def on_workers(engine: str) -> dict:
            extra = ("--engine", engine, "--workers", str(DASK_WORKERS))
            return {"workers": DASK_WORKERS, **figures(*extra)}

        result = figures()
        result["processes_2_workers"] = on_workers("processes")
        if not dask:
            result["dask_2_workers"] = {"skipped": "--no-dask"}
        elif (reason := dask_missing()) is not None:
            result["dask_2_workers"] = {"skipped": reason}
        else:
            result["dask_2_workers"] = on_workers("dask")
    return result


# ---------------------------------------------------------------- the run


def run(args: argparse.Namespace, console: Console) -> dict:
    train = head(load_notes(CORPUS / "train.jsonl"), args.train_limit)
    dev = head(load_notes(CORPUS / "dev.jsonl"), args.train_limit)
    test = load_notes(CORPUS / "test.jsonl")
    many = sample_texts(args.notes)
    few = sample_texts(args.latency_notes)
    settings = {
        "quick": args.quick,
        "notes": args.notes,
        "latency_notes": args.latency_notes,
        "chunk": CHUNK,
        "epochs": args.epochs,
        "seed": args.seed,
        "train_notes": len(train),
        "dev_notes": len(dev),
        "test_notes": len(test),
        "train_limit": args.train_limit,
        "score": not args.no_score,
        "dask": not args.no_score and not args.no_dask,
    }
    document = new_document("inference", settings)
    systems: dict = {}
    with current_model_folder(args.models) as (models, retrained):
        latest = models / "latest"
        systems["rightcall"] = measure_rightcall(latest, test, many, few, console)
        systems["rightcall"]["retrained_for_this_run"] = retrained
        if not args.no_score:
            systems["rightcall"]["score_command"] = measure_score_command(
                latest, args.notes, not args.no_dask, console
            )
    systems["sklearn-tfidf-lr"] = measure_sklearn(train, dev, test, many, few, console)
    systems["spacy-textcat-bow"] = measure_spacy(
        train, dev, test, many, few, args.epochs, args.seed, console
    )
    document["systems"] = systems
    return document


def print_tables(document: dict, console: Console) -> None:
    systems = document["systems"]
    table = Table(
        "system",
        "test macro F1",
        *(f"F1 {SHORT[x]}" for x in LABELS),
        "1 note p50 ms",
        "p99 ms",
        "batch notes/s",
        "notes/CPU-s",
        "training s",
        title=f"Inference, one process ({document['settings']['notes']:,} notes "
        "batch, test split quality)",
    )
    for name, entry in systems.items():
        q, lat, batch = entry["quality"], entry["latency_ms"], entry["batch"]
        table.add_row(
            name,
            fmt(q["macro_f1"], 3),
            *(fmt(q["labels"][x]["f1"], 3) for x in LABELS),
            fmt(lat["p50"], 3),
            fmt(lat["p99"], 3),
            fmt(batch["notes_per_second"], 0),
            fmt(batch["notes_per_cpu_second"], 0),
            fmt(entry.get("training_seconds"), 1),
        )
    console.print(table)
    rc = systems["rightcall"]
    table = Table(
        "rightcall batch path",
        "notes",
        "seconds",
        "notes/s",
        "notes/CPU-s",
        title="rightcall batch throughput",
    )
    python = rc.get("python_engine") or {}
    for name, b in (
        ("probabilities (no result objects)", rc.get("batch")),
        ("classify_many (no evidence)", rc.get("batch_results")),
        ("classify_many (with evidence)", rc.get("batch_with_evidence")),
        ("probabilities, pure-Python engine", python.get("batch")),
    ):
        if b is None:
            continue
        table.add_row(
            name,
            f"{b['notes']:,}",
            fmt(b["seconds"], 1),
            fmt(b["notes_per_second"], 0),
            fmt(b["notes_per_cpu_second"], 0),
        )
    score = rc.get("score_command")
    if score:
        add_score_rows(table, "rightcall score", score)
        processes = score.get("processes_2_workers")
        if processes:
            add_score_rows(
                table,
                f"rightcall score --engine processes --workers {processes['workers']}",
                processes,
            )
        dask = score.get("dask_2_workers") or {}
        if "runs" in dask:
            add_score_rows(
                table, f"rightcall score --engine dask --workers {dask['workers']}", dask
            )
        elif dask.get("skipped"):
            table.add_row(
                "rightcall score --engine dask", "", "", f"skipped: {dask['skipped']}", ""
            )
    console.print(table)
    if python:
        print_engines(rc, console)
    s = rc["stages_us_per_note"]
    table = Table(
        "stage",
        "µs per note",
        "share",
        title=f"rightcall classify_many: where the time goes ({s['notes']} notes)",
    )
    for key in ("analyse", "scores", "evidence_results"):
        table.add_row(key, fmt(s[key], 0), f"{s[key] / s['total']:.0%}")
    table.add_row("total", fmt(s["total"], 0), "100%")
    console.print(table)


def add_score_rows(table: Table, name: str, score: dict) -> None:
    """A score command as a whole, and less its fixed cost (the ten-note run)."""
    run = score["runs"]["file"]
    table.add_row(
        f"{name} (whole command)",
        f"{run['notes']:,}",
        fmt(run["seconds"], 1),
        fmt(score["notes_per_second"], 0),
        fmt(score["notes_per_cpu_second"], 0),
    )
    table.add_row(
        f"{name} (less {score['startup_seconds']:.1f} s start-up)",
        f"{run['notes']:,}",
        "",
        fmt(score["notes_per_second_after_startup"], 0),
        fmt(score["notes_per_cpu_second_after_startup"], 0),
    )


def print_engines(rc: dict, console: Console) -> None:
    """The process's term pipeline next to the pure-Python one, same model, same run."""
    python = rc["python_engine"]
    table = Table(
        "rightcall engine",
        "classify p50 ms",
        "p99 ms",
        "probabilities notes/s",
        "notes/CPU-s",
        title="rightcall engines (compiled / pure Python), same run"
        + ("" if python.get("same_probabilities") else " (PROBABILITIES DIFFER)"),
    )
    for name, entry in ((f"{rc.get('engine')} (this process)", rc), ("python (twin)", python)):
        lat, batch = entry["latency_ms"], entry["batch"]
        table.add_row(
            name,
            fmt(lat["p50"], 3),
            fmt(lat["p99"], 3),
            fmt(batch["notes_per_second"], 0),
            fmt(batch["notes_per_cpu_second"], 0),
        )
    ratio_p50 = ratio(python["latency_ms"]["p50"], rc["latency_ms"]["p50"])
    ratio_batch = ratio(rc["batch"]["notes_per_second"], python["batch"]["notes_per_second"])
    table.add_row("speed-up", f"{fmt(ratio_p50)}x", "", f"{fmt(ratio_batch)}x", "")
    console.print(table)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--models",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "models",
        help="models folder holding latest/ (trained if missing)",
    )
    parser.add_argument(
        "--notes",
        type=int,
        default=100_000,
        help="notes for batch throughput and `rightcall score`",
    )
    parser.add_argument("--latency-notes", type=int, default=2000)
    parser.add_argument("--epochs", type=int, default=8, help="spaCy textcat epochs")
    parser.add_argument(
        "--train-limit", type=int, default=None, help="cap train/dev notes of the baselines (tests)"
    )
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--no-score", action="store_true", help="skip the `rightcall score` command"
    )
    parser.add_argument(
        "--no-dask",
        action="store_true",
        help="skip `rightcall score --engine dask --workers 2` (it runs unless the dask "
        "extra is missing)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="2,000 batch notes, 300 latency notes, 2 spaCy epochs"
    )
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.quick:
        defaults = {"notes": 100_000, "latency_notes": 2000, "epochs": 8}
        quick = {"notes": 2000, "latency_notes": 300, "epochs": 2}
        for key, value in quick.items():
            if getattr(args, key) == defaults[key]:
                setattr(args, key, value)
    args.out = args.out or default_out("inference", args.quick)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    return run_and_report(parse_args(argv), run, print_tables)


if __name__ == "__main__":
    sys.exit(main())
