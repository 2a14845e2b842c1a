"""Batch scoring at scale: every engine gives identical files; memory stays bounded."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.conftest import CORPUS

runner = CliRunner()


@pytest.fixture(scope="module")
def notes() -> pd.DataFrame:
    frame = pd.read_json(CORPUS / "test.jsonl", lines=True)
    return frame[["id", "text"]].head(600)


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as local:
        yield local


def write_input(frame: pd.DataFrame, path) -> None:
    if path.suffix == ".jsonl":
        frame.to_json(path, orient="records", lines=True)
    elif path.suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path)


@pytest.mark.parametrize(
    ("source", "target"), [(".jsonl", ".parquet"), (".csv", ".csv"), (".parquet", ".jsonl")]
)
def test_dask_engine_writes_the_same_file_as_the_single_process_engine(
    notes, model_path, cluster, tmp_path, source, target
):
    source_path = tmp_path / f"notes{source}"
    write_input(notes, source_path)
    outputs = {}
    for engine, extra in (("single", []), ("dask", ["--scheduler", cluster.scheduler_address])):
        out = tmp_path / f"{engine}{target}"
        result = runner.invoke(
            app,
            [
                "score",
                str(source_path),
                "-o",
                str(out),
                "--model",
                str(model_path),
                "--engine",
                engine,
                *extra,
            ],
        )
        assert result.exit_code == 0, result.output
        outputs[engine] = out.read_bytes()
    assert outputs["single"] == outputs["dask"]
    if target == ".jsonl":
        rows = [json.loads(line) for line in outputs["dask"].decode().splitlines()]
        assert [r["id"] for r in rows] == notes["id"].tolist()


def score_cli(source, out, model_path, *options) -> bytes:
    result = runner.invoke(
        app, ["score", str(source), "-o", str(out), "--model", str(model_path), *options]
    )
    assert result.exit_code == 0, result.output
    return out.read_bytes()


@pytest.mark.parametrize(
    ("source", "target"), [(".jsonl", ".parquet"), (".csv", ".csv"), (".parquet", ".jsonl")]
)
def test_process_engine_writes_the_same_file_as_the_single_process_engine(
    notes, model_path, tmp_path, source, target
):
    source_path = tmp_path / f"notes{source}"
    write_input(notes, source_path)
    single = score_cli(source_path, tmp_path / f"single{target}", model_path)
    processes = score_cli(
        source_path,
        tmp_path / f"processes{target}",
        model_path,
        *("--engine", "processes", "--workers", "2"),
    )
    assert single == processes


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_process_engine_keeps_input_order_over_many_chunks(
    notes, classifier, model_path, tmp_path, start_method
):
    from scoring import score_file, score_file_processes

    source = tmp_path / "notes.jsonl"
    write_input(notes.head(300), source)
    expected, out = tmp_path / "single.jsonl", tmp_path / "processes.jsonl"
    score_file(classifier, source, expected, with_evidence=True)
    seen: list[int] = []
    total = score_file_processes(
        classifier,
        model_path,
        source,
        out,
        workers=2,
        on_chunk=seen.append,
        with_evidence=True,
        chunk=40,
        start_method=start_method,
    )
    assert total == 300 and seen == [40] * 7 + [20]
    assert out.read_bytes() == expected.read_bytes()
    assert not (tmp_path / "processes.jsonl.partial").exists()


def _die(*_args, **_kwargs):
    os._exit(3)  # as the out-of-memory killer would end a worker: no exception, no answer


def test_a_worker_that_dies_stops_the_run_with_a_clear_error_and_nothing_written(
    notes, model_path, tmp_path, monkeypatch
):
    source, out = tmp_path / "notes.jsonl", tmp_path / "scored.jsonl"
    write_input(notes.head(100), source)
    monkeypatch.setattr("scoring._processes.score_rows", _die)  # forked workers inherit it
    result = runner.invoke(
        app,
        ["score", str(source), "-o", str(out), "--model", str(model_path)]
        + ["--engine", "processes", "--workers", "2"],
    )
    assert result.exit_code == 1
    assert "scoring worker process ended without answering" in result.output
    assert "Traceback" not in result.output
    assert not out.exists() and not (tmp_path / "scored.jsonl.partial").exists()


def test_spawned_workers_refuse_a_model_that_changed_under_them(
    notes, classifier, model_path, tmp_path
):
    import copy

    from scoring import WorkerDied, score_file_processes

    source, out = tmp_path / "notes.jsonl", tmp_path / "scored.jsonl"
    write_input(notes.head(50), source)
    earlier = copy.copy(classifier)
    earlier.version = "an-earlier-version"  # models/latest was repointed since it was loaded
    with pytest.raises(WorkerDied):
        score_file_processes(earlier, model_path, source, out, workers=1, start_method="spawn")
    assert not out.exists() and not (tmp_path / "scored.jsonl.partial").exists()


def test_dask_engine_starts_its_own_local_cluster(notes, model_path, tmp_path):
    source = tmp_path / "notes.jsonl"
    write_input(notes.head(100), source)
    out = tmp_path / "scored.jsonl"
    result = runner.invoke(
        app,
        [
            "score",
            str(source),
            "-o",
            str(out),
            "--model",
            str(model_path),
            "--engine",
            "dask",
            "--workers",
            "2",
            "--evidence",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 100
    assert all(isinstance(json.loads(r["evidence"]), list) for r in rows)


SCORE_AND_REPORT_PEAK = """
import resource, sys
from pathlib import Path
from model import load
from scoring import score_file
score_file(load(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak_rss_kib(model_path, source, output) -> int:
    done = subprocess.run(
        [sys.executable, "-c", SCORE_AND_REPORT_PEAK, str(model_path), str(source), str(output)],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_scoring_memory_does_not_grow_with_file_size(model_path, tmp_path):
    """A 4x larger file (rows padded with a 40 KB column the scorer ignores) must not need
    more memory: scoring streams chunk by chunk instead of loading the file."""
    padding = "x" * 40_000
    sizes = {}
    for name, rows in (("small", 1500), ("large", 6000)):
        source = tmp_path / f"{name}.jsonl"
        with source.open("w") as handle:
            for i in range(rows):
                handle.write(
                    json.dumps(
                        {"id": str(i), "text": f"bike stolen from shed {i}", "attachment": padding}
                    )
                    + "\n"
                )
        sizes[name] = source.stat().st_size
        out = tmp_path / f"{name}.csv"
        sizes[f"{name}_rss"] = peak_rss_kib(model_path, source, out)
        assert sum(1 for _ in out.open()) == rows + 1
    assert sizes["large"] > 200 * 2**20  # the large input is far bigger than any chunk
    growth = sizes["large_rss"] - sizes["small_rss"]
    assert growth < 0.1 * sizes["small_rss"], sizes


@pytest.mark.parametrize("engine", ["single", "processes"])
def test_the_command_reads_the_file_once_to_check_it_and_once_to_score_it(
    notes, model_path, tmp_path, monkeypatch, engine
):
    from notefiles import iter_rows

    passes = tmp_path / "passes.txt"  # a file: the check runs in a forked process

    def counted(*args, **kwargs):
        with passes.open("a", encoding="utf-8") as handle:
            handle.write(f"{args[0]}\n")
        return iter_rows(*args, **kwargs)

    monkeypatch.setattr("notefiles._unlabelled.iter_rows", counted)
    monkeypatch.setattr("scoring._score.iter_rows", counted)
    source = tmp_path / "notes.jsonl"
    write_input(notes.head(50), source)
    score_cli(source, tmp_path / "out.jsonl", model_path, "--engine", engine, "--workers", "2")
    assert passes.read_text(encoding="utf-8").splitlines() == [str(source)] * 2
