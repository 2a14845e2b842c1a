"""Run every benchmark, then compare the figures with the targets of issues 7 and 15.

    .venv/bin/python benchmarks/run_all.py             # full size (about 15-25 minutes)
    .venv/bin/python benchmarks/run_all.py --quick     # a few minutes, *.quick.json
    .venv/bin/python benchmarks/run_all.py --summary-only [--markdown]   # table from JSON

Each script runs in its own process, one after another (they would compete for the two
cores otherwise). The summary is printed, written to ``benchmarks/results/summary.json``
(``summary.quick.json``), and with ``--markdown`` printed as a table for the README.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from _common import RESULTS, finish, fmt, make_console, new_document, ratio
from rich.table import Table

HERE = Path(__file__).resolve().parent
SCRIPTS = ("footprint", "api", "inference", "training_scale")
SCRIPT_TIMEOUT = 3 * 3600.0


def load(results: Path, name: str, quick: bool) -> dict | None:
    path = results / (f"{name}.quick.json" if quick else f"{name}.json")
    return json.loads(path.read_text()) if path.is_file() else None


def _api(api: dict | None, workers: int, concurrency: int) -> dict | None:
    if not api:
        return None
    return next(
        (
            row
            for row in api["summary"]
            if row["workers"] == workers and row["concurrency"] == concurrency
        ),
        None,
    )


def _get(source: dict | None, *keys):
    for key in keys:
        if source is None:
            return None
        source = source.get(key) if isinstance(source, dict) else None
    return source


def _minus(a: float | None, b: float | None) -> float | None:
    return a - b if a is not None and b is not None else None


Row = tuple[str, str, float | None, Callable[[float], bool] | None, str]


def rows(documents: dict[str, dict | None]) -> list[Row]:
    """(what, target, measured value, passes?, baseline / note) for every target: issue 7's
    first, then issue 15's (compiled term pipeline, Dask, API overhead, cold start)."""
    inf, api, scale, foot = (
        documents.get(k) for k in ("inference", "api", "training_scale", "footprint")
    )
    rc = _get(inf, "systems", "rightcall")
    sk = _get(inf, "systems", "sklearn-tfidf-lr")
    sp = _get(inf, "systems", "spacy-textcat-bow")
    one = _api(api, 1, 1)
    two = _api(api, 2, 32)
    largest = max(_get(scale, "sizes") or [{}], key=lambda r: r.get("train_notes", 0))
    py = _get(rc, "python_engine")
    compiled = _get(rc, "engine") == "compiled"
    dask = _get(rc, "score_command", "dask_2_workers")
    processes = _get(rc, "score_command", "processes_2_workers")
    out: list[Row] = [
        (
            "classify, one note, p50 (ms)",
            "<= 0.5",
            _get(rc, "latency_ms", "p50"),
            lambda v: v <= 0.5,
            f"sklearn {fmt(_get(sk, 'latency_ms', 'p50'), 3)}, "
            f"spaCy bow {fmt(_get(sp, 'latency_ms', 'p50'), 3)}",
        ),
        (
            "classify, one note, p99 (ms)",
            "<= 2",
            _get(rc, "latency_ms", "p99"),
            lambda v: v <= 2,
            f"sklearn {fmt(_get(sk, 'latency_ms', 'p99'), 3)}, "
            f"spaCy bow {fmt(_get(sp, 'latency_ms', 'p99'), 3)}",
        ),
        (
            "API, 1 worker, concurrency 1, p50 (ms)",
            "<= 2",
            _get(one, "classify_p50_ms"),
            lambda v: v <= 2,
            f"healthz {fmt(_get(one, 'healthz_p50_ms'))}",
        ),
        (
            "API, 1 worker, concurrency 1, p99 (ms)",
            "<= 5",
            _get(one, "classify_p99_ms"),
            lambda v: v <= 5,
            f"healthz {fmt(_get(one, 'healthz_p99_ms'))}",
        ),
        (
            "API, 2 workers, concurrency 32 (req/s)",
            ">= 1,000",
            _get(two, "classify_rps"),
            lambda v: v >= 1000,
            f"healthz {fmt(_get(two, 'healthz_rps'), 0)}",
        ),
        (
            "API, 2 workers, c. 32, classify / healthz req/s",
            ">= 0.333",
            _get(two, "rps_ratio"),
            lambda v: v >= 1 / 3,
            "",
        ),
        (
            "batch: rightcall score, notes per CPU-second",
            ">= 10,000",
            _get(rc, "score_command", "notes_per_cpu_second"),
            lambda v: v >= 10_000,
            "less start-up "
            f"{fmt(_get(rc, 'score_command', 'notes_per_cpu_second_after_startup'), 0)}"
            f"; probabilities {fmt(_get(rc, 'batch', 'notes_per_cpu_second'), 0)}",
        ),
        (
            "batch: probabilities notes/s vs plain sklearn predict_proba",
            "faster",
            _get(rc, "batch", "notes_per_second"),
            (lambda v: v > sk["batch"]["notes_per_second"]) if sk else None,
            f"sklearn {fmt(_get(sk, 'batch', 'notes_per_second'), 0)}, "
            f"spaCy bow {fmt(_get(sp, 'batch', 'notes_per_second'), 0)}",
        ),
        (
            "test macro F1 vs plain sklearn",
            "higher",
            _get(rc, "quality", "macro_f1"),
            (lambda v: v > sk["quality"]["macro_f1"]) if sk else None,
            f"sklearn {fmt(_get(sk, 'quality', 'macro_f1'), 3)}, "
            f"spaCy bow {fmt(_get(sp, 'quality', 'macro_f1'), 3)}",
        ),
        (
            f"training on {largest.get('train_notes', 0):,} notes (s)",
            "< 300",
            largest.get("wall_seconds"),
            lambda v: v < 300,
            "wall, one child process"
            + (", stopped at the time limit" if largest.get("timed_out") else ""),
        ),
        (
            f"training on {largest.get('train_notes', 0):,} notes, peak RSS (GiB)",
            "< 4",
            largest.get("peak_rss_gib"),
            lambda v: v < 4,
            "",
        ),
        (
            "one worker RSS after warm-up (MB)",
            "< 300",
            _get(foot, "worker_memory", "after_warm_up", "rss_mb"),
            lambda v: v < 300,
            f"USS {fmt(_get(foot, 'worker_memory', 'after_warm_up', 'uss_mib'), 0)} MiB",
        ),
        ("model size on disk (MiB)", "-", _get(foot, "disk", "total_mib"), None, ""),
        # Issue 15: a target for the cold start, and the rows after it (the rows above
        # stay as issue 7 set them).
        (
            "cold start to /readyz (s, median)",
            "<= 2",
            _get(foot, "cold_start", "median_seconds"),
            lambda v: v <= 2,
            "",
        ),
        (
            "batch: rightcall score --engine dask --workers 2, notes/s (both cores)",
            ">= 18,000",
            _get(dask, "notes_per_second"),
            lambda v: v >= 18_000,
            _dask_note(dask, _get(rc, "score_command", "notes_per_second")),
        ),
        (
            "batch: rightcall score --engine processes --workers 2, notes/s (both cores)",
            ">= 18,000",
            _get(processes, "notes_per_second"),
            lambda v: v >= 18_000,
            _dask_note(processes, _get(rc, "score_command", "notes_per_second")),
        ),
        (
            "API, 2 workers, c. 32, classify / healthz req/s (issue 15)",
            ">= 0.5",
            _get(two, "rps_ratio"),
            lambda v: v >= 0.5,
            f"classify {fmt(_get(two, 'classify_rps'), 0)}, "
            f"healthz {fmt(_get(two, 'healthz_rps'), 0)}",
        ),
        (
            "API, 1 worker, c. 1, classify p50 minus healthz p50 (ms)",
            "<= 1",
            _minus(_get(one, "classify_p50_ms"), _get(one, "healthz_p50_ms")),
            lambda v: v <= 1,
            f"classify {fmt(_get(one, 'classify_p50_ms'))}, "
            f"healthz {fmt(_get(one, 'healthz_p50_ms'))}",
        ),
        (
            "classify, one note with evidence, p50 (ms), compiled engine",
            "<= 0.15",
            _get(rc, "latency_ms", "p50") if compiled else None,
            lambda v: v <= 0.15,
            f"pure-Python engine {fmt(_get(py, 'latency_ms', 'p50'), 3)}"
            + (
                ""
                if compiled or rc is None
                else f"; this run's engine: {_get(rc, 'engine') or 'not recorded'}"
            ),
        ),
        (
            "batch: probabilities notes/s, compiled vs pure-Python engine",
            "-",
            ratio(_get(rc, "batch", "notes_per_second"), _get(py, "batch", "notes_per_second"))
            if compiled
            else None,
            None,
            f"compiled {fmt(_get(rc, 'batch', 'notes_per_second'), 0) if compiled else 'n/a'}, "
            f"pure-Python {fmt(_get(py, 'batch', 'notes_per_second'), 0)}",
        ),
    ]
    return out


def _dask_note(dask: dict | None, single: float | None) -> str:
    """A multi-process engine's figures beside the single process's (Dask or forked)."""
    single_text = f"single process {fmt(single, 0)}"
    if _get(dask, "skipped"):
        return f"skipped: {dask['skipped']}; {single_text}"
    if dask is None:
        return single_text
    return (
        f"less start-up {fmt(_get(dask, 'notes_per_second_after_startup'), 0)}; "
        f"per CPU-second {fmt(_get(dask, 'notes_per_cpu_second'), 0)}; {single_text}"
    )


def verdict(row: Row) -> str:
    _, _, value, check, _ = row
    if check is None:
        return "-"
    if value is None:
        return "not measured"
    return "met" if check(value) else "MISSED"


def summary_document(documents: dict[str, dict | None], quick: bool) -> dict:
    document = new_document("summary", {"quick": quick})
    document["sources"] = {
        name: {
            "created": _get(doc, "created"),
            "git_commit": _get(doc, "git_commit"),
            "load_before": _get(doc, "load_before"),
        }
        for name, doc in documents.items()
    }
    document["targets"] = [
        {
            "what": what,
            "target": target,
            "value": value,
            "verdict": verdict((what, target, value, check, note)),
            "baselines": note,
        }
        for what, target, value, check, note in rows(documents)
    ]
    return document


def value_text(value: float | None) -> str:
    return fmt(value, 3 if value is not None and value < 10 else 0)


def markdown(document: dict) -> str:
    lines = [
        "| figure | target | measured | verdict | baselines / notes |",
        "|---|---|---|---|---|",
    ]
    for t in document["targets"]:
        lines.append(
            f"| {t['what']} | {t['target']} | {value_text(t['value'])} "
            f"| {t['verdict']} | {t['baselines']} |"
        )
    return "\n".join(lines)


def print_summary(document: dict, console) -> None:
    table = Table(
        "figure",
        "target",
        "measured",
        "verdict",
        "baselines / notes",
        title="Targets of issues 7 and 15",
    )
    for t in document["targets"]:
        style = {"met": "green", "MISSED": "bold red"}.get(t["verdict"], "")
        table.add_row(
            t["what"],
            t["target"],
            value_text(t["value"]),
            f"[{style}]{t['verdict']}[/]" if style else t["verdict"],
            t["baselines"],
        )
    console.print(table)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="every script in --quick mode")
    parser.add_argument("--only", nargs="+", choices=SCRIPTS, default=list(SCRIPTS))
    parser.add_argument(
        "--models",
        type=Path,
        default=None,
        help="models folder holding latest/ (passed to every script)",
    )
    parser.add_argument(
        "--summary-only",
        action="store_true",
        help="only rebuild the summary from the JSON already written",
    )
    parser.add_argument("--markdown", action="store_true", help="also print a Markdown table")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    console = make_console()
    if not args.summary_only:
        for name in args.only:
            command = [sys.executable, str(HERE / f"{name}.py")]
            command += ["--quick"] if args.quick else []
            command += ["--models", str(args.models)] if args.models else []
            suffix = ".quick.json" if args.quick else ".json"
            command += ["--out", str(args.results / f"{name}{suffix}")]
            console.rule(f"benchmarks/{name}.py")
            code = subprocess.run(command, timeout=SCRIPT_TIMEOUT).returncode
            if code != 0:
                console.print(f"[bold red]benchmarks/{name}.py exited with {code}[/]")
                return code
    documents = {name: load(args.results, name, args.quick) for name in SCRIPTS}
    document = summary_document(documents, args.quick)
    out = args.results / ("summary.quick.json" if args.quick else "summary.json")
    finish(document, out)
    print_summary(document, console)
    if args.markdown:
        print(markdown(document))
    console.print(f"summary written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
