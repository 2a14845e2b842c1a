"""Benchmark: how training time and peak memory grow with the number of training notes.

The bundled corpus is multiplied with its own augmentation (``data/generate.py
--variants N`` into a temporary folder, enough variants for the largest size); each size
is a seeded random sample of that train split, so every size covers every seed note.
Each size is trained by ``training.train`` (what ``rightcall train --data`` runs: fit,
cross-validated calibration, thresholds on the bundled dev split, measuring on the
bundled test split, writing the artefact) in its own child process, whose wall time,
CPU time and peak resident memory (``os.wait4``: the child's own ``ru_maxrss``) are
recorded, with the time of each training step.

    .venv/bin/python benchmarks/training_scale.py [--sizes 10000 50000 200000] [--quick]

Prints a table and writes ``benchmarks/results/training_scale.json``
(``training_scale.quick.json`` with ``--quick``).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from _common import (
    CORPUS,
    REPO,
    ChildTimeout,
    corpus_rows,
    default_out,
    fmt,
    new_document,
    run_and_report,
    run_bounded,
)
from rich.console import Console
from rich.table import Table

GENERATE = REPO / "data" / "generate.py"
UNIQUE_SHARE = 0.55  # share of generated variants that survive de-duplication, at least
CHILD_TIMEOUT = 3600.0  # seconds per size, default of --timeout
GENERATE_TIMEOUT = 1800.0


def seeds_in_train() -> int:
    return sum(1 for row in corpus_rows("train") if row["source"].startswith("seed:"))


def generate(out: Path, largest: int, seed: int, console: Console) -> tuple[list[str], dict]:
    """Train-split lines of an augmented corpus holding at least ``largest`` notes."""
    variants = max(0, math.ceil(largest / seeds_in_train() / UNIQUE_SHARE) - 1)
    console.log(f"generating the corpus with {variants} variants per seed note")
    code, seconds, _ = run_bounded(
        [
            sys.executable,
            str(GENERATE),
            "--variants",
            str(variants),
            "--seed",
            str(seed),
            "--out",
            str(out),
        ],
        GENERATE_TIMEOUT,
        stdout=subprocess.DEVNULL,
    )
    if code != 0:
        raise RuntimeError(f"data/generate.py exited with {code}")
    lines = (out / "train.jsonl").read_text("utf-8").splitlines()
    return lines, {"variants": variants, "train_notes": len(lines), "seconds": seconds}


def sample_lines(lines: list[str], n: int, seed: int) -> tuple[list[str], int]:
    """``n`` lines drawn at random; if there are too few, the shortfall is made of copies
    with new ids (reported, as repeats add no information)."""
    rng = random.Random(seed)
    if n <= len(lines):
        picked = sorted(rng.sample(range(len(lines)), n))
        return [lines[i] for i in picked], 0
    out = list(lines)
    for k in range(n - len(lines)):
        row = json.loads(lines[k % len(lines)])
        row["id"] = f"{row['id']}#r{k}"
        out.append(json.dumps(row, ensure_ascii=False))
    return out, n - len(lines)


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_child(train_file: Path, dev: Path, test: Path, work: Path, timeout: float) -> dict:
    """Train one size in a child process; its step times come back in a JSON file.
    A child past ``timeout`` is killed and reported as timed out, with its usage so far."""
    report = work / "steps.json"
    command = [
        sys.executable,
        __file__,
        "--child",
        str(train_file),
        str(dev),
        str(test),
        str(work / "models"),
        str(report),
    ]
    try:
        code, seconds, usage = run_bounded(
            command, timeout, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
    except ChildTimeout as stopped:
        usage = stopped.usage
        return {
            "timed_out": True,
            "wall_seconds": stopped.seconds,
            "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "peak_rss_mib": usage.ru_maxrss / 1024,
            "peak_rss_gib": usage.ru_maxrss / 2**20,
            "import_seconds": None,
            "train_seconds": None,
            "steps_seconds": {},
            "peak_rss_mib_by_end_of_step": {},
            "test_metrics": {},
        }
    if code != 0:
        raise RuntimeError(f"training child exited with {code}")
    steps = json.loads(report.read_text())
    return {
        "timed_out": False,
        "wall_seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_rss_mib": usage.ru_maxrss / 1024,
        "peak_rss_gib": usage.ru_maxrss / 2**20,
        **steps,
    }


def child(train_file: str, dev: str, test: str, models: str, report: str) -> int:
    """In the child: train with the default config, timing each step and noting the peak
    resident memory reached by the end of it (so the step that sets the peak is known)."""
    import resource

    started = time.perf_counter()
    from training import load_config, train

    imported = time.perf_counter()
    marks: list[tuple[str, float, int]] = []

    def mark(step: str) -> None:
        marks.append(
            (step, time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        )

    result = train(
        load_config(), Path(models), data=[Path(train_file), Path(dev), Path(test)], progress=mark
    )
    mark("end")
    steps: dict[str, float] = {}
    peaks: dict[str, float] = {}
    for (name, at, _), (_, after, peak) in zip(marks, marks[1:], strict=False):
        steps[name] = steps.get(name, 0.0) + after - at
        peaks[name] = peak / 1024  # KiB on Linux
    Path(report).write_text(
        json.dumps(
            {
                "import_seconds": imported - started,
                "train_seconds": marks[-1][1] - imported,
                "steps_seconds": steps,
                "peak_rss_mib_by_end_of_step": peaks,
                "test_metrics": {
                    label: {k: m[k] for k in ("f1", "precision", "recall", "roc_auc")}
                    for label, m in result.metrics.get("test", {}).items()
                },
            }
        )
    )
    return 0


def run(args: argparse.Namespace, console: Console) -> dict:
    settings = {
        "quick": args.quick,
        "sizes": args.sizes,
        "seed": args.seed,
        "dev_test_notes": args.dev_test_notes,
        "config": "training/config.toml",
        "child_timeout_seconds": args.timeout,
    }
    document = new_document("training_scale", settings)
    results = []
    with tempfile.TemporaryDirectory(prefix="rightcall-bench-scale-") as workdir:
        work = Path(workdir)
        lines, document["generated"] = generate(
            work / "corpus", max(args.sizes), args.seed, console
        )
        dev_test = {}
        for split in ("dev", "test"):
            rows = (CORPUS / f"{split}.jsonl").read_text("utf-8").splitlines()
            if args.dev_test_notes:
                rows, _ = sample_lines(rows, min(args.dev_test_notes, len(rows)), args.seed)
            dev_test[split] = write_lines(work / f"{split}.jsonl", rows)
        for size in sorted(args.sizes):
            sample, repeated = sample_lines(lines, size, args.seed)
            size_dir = work / f"n{size}"
            size_dir.mkdir()
            train_file = write_lines(size_dir / "train.jsonl", sample)
            del sample
            console.log(f"training on {size:,} notes (child process)")
            entry = {
                "train_notes": size,
                "repeated_notes": repeated,
                **run_child(train_file, dev_test["dev"], dev_test["test"], size_dir, args.timeout),
            }
            console.log(
                f"  {entry['wall_seconds']:.1f} s, peak {entry['peak_rss_mib']:.0f} MiB"
                + (" (timed out: larger sizes skipped)" if entry["timed_out"] else "")
            )
            results.append(entry)
            if entry["timed_out"]:
                break
    document["sizes"] = results
    return document


def print_tables(document: dict, console: Console) -> None:
    steps = list(dict.fromkeys(k for r in document["sizes"] for k in r["steps_seconds"]))
    table = Table(
        "train notes",
        "wall s",
        "CPU s",
        "peak RSS MiB",
        "imports s",
        *steps,
        title="Training time and peak memory by size (one child process each)",
    )
    for r in document["sizes"]:
        wall = fmt(r["wall_seconds"], 1) + (" (stopped)" if r.get("timed_out") else "")
        table.add_row(
            f"{r['train_notes']:,}",
            wall,
            fmt(r["cpu_seconds"], 1),
            fmt(r["peak_rss_mib"], 0),
            fmt(r["import_seconds"], 1),
            *(fmt(r["steps_seconds"].get(s), 1) for s in steps),
        )
    console.print(table)
    table = Table("train notes", *steps, title="Peak RSS (MiB) reached by the end of each step")
    for r in document["sizes"]:
        peaks = r.get("peak_rss_mib_by_end_of_step", {})
        table.add_row(f"{r['train_notes']:,}", *(fmt(peaks.get(s), 0) for s in steps))
    console.print(table)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=None,
        help="train-note counts (default 10000 50000 200000; 300 600 quick)",
    )
    parser.add_argument(
        "--dev-test-notes",
        type=int,
        default=None,
        help="sample the bundled dev/test splits to this many notes each "
        "(default: all; 400 with --quick)",
    )
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--timeout",
        type=float,
        default=CHILD_TIMEOUT,
        help="seconds one size may train before it is stopped",
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.sizes is None:
        args.sizes = [300, 600] if args.quick else [10_000, 50_000, 200_000]
    if args.dev_test_notes is None and args.quick:
        args.dev_test_notes = 400
    args.out = args.out or default_out("training_scale", args.quick)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--child"]:
        return child(*argv[1:])
    return run_and_report(parse_args(argv), run, print_tables)


if __name__ == "__main__":
    sys.exit(main())
