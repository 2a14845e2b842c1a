"""Each benchmark script still runs end to end in its tiny mode and writes the JSON the
README and ``run_all.py`` read. No timing is asserted: speed is for the scripts to report."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from model import LABELS
from tests.conftest import REPO

BENCHMARKS = REPO / "benchmarks"
TIMEOUT = 900  # seconds; bounds a hung script on a busy machine
COMMON_KEYS = {
    "benchmark",
    "created",
    "git_commit",
    "machine",
    "settings",
    "load_before",
    "load_after",
}

pytestmark = pytest.mark.slow


def run_script(name: str, *args: str) -> None:
    completed = subprocess.run(
        [sys.executable, str(BENCHMARKS / f"{name}.py"), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]


def read(path: Path, benchmark: str) -> dict:
    document = json.loads(path.read_text())
    assert set(document) >= COMMON_KEYS
    assert document["benchmark"] == benchmark
    assert document["machine"]["cpus"] >= 1 and document["machine"]["python"]
    return document


def test_api_benchmark_drives_a_real_server(models_dir, tmp_path):
    out = tmp_path / "api.json"
    run_script(
        "api",
        "--models",
        str(models_dir),
        "--workers",
        "1",
        "2",
        "--concurrency",
        "2",
        "--duration",
        "1",
        "--warmup",
        "0.5",
        "--out",
        str(out),
    )
    document = read(out, "api")
    runs = document["runs"]
    assert {(r["workers"], r["endpoint"]) for r in runs} == {
        (w, e) for w in (1, 2) for e in ("classify", "healthz")
    }
    for r in runs:
        assert r["requests"] > 0 and sum(r["errors"].values()) == 0
        assert set(r["latency_ms"]) >= {"p50", "p95", "p99"}
        # Every request the client counted was answered by the server, and logged as 200.
        assert r["server_latency_ms"]["statuses"] == {"200": r["server_latency_ms"]["n"]}
    assert [(s["workers"], s["concurrency"]) for s in document["summary"]] == [(1, 2), (2, 2)]
    assert all(s["rps_ratio"] > 0 for s in document["summary"])


def test_inference_benchmark_measures_rightcall_and_baselines(models_dir, tmp_path):
    out = tmp_path / "inference.json"
    run_script(
        "inference",
        "--models",
        str(models_dir),
        "--quick",
        "--notes",
        "300",
        "--latency-notes",
        "60",
        "--train-limit",
        "400",
        "--epochs",
        "1",
        "--out",
        str(out),
    )
    document = read(out, "inference")
    systems = document["systems"]
    assert set(systems) == {"rightcall", "sklearn-tfidf-lr", "spacy-textcat-bow"}
    for entry in systems.values():
        assert set(entry["quality"]["labels"]) == set(LABELS)
        assert 0 <= entry["quality"]["macro_f1"] <= 1
        assert entry["quality"]["notes"] == len(
            (REPO / "data/corpus/test.jsonl").read_text().splitlines()
        )
        assert entry["latency_ms"]["n"] == 60
        assert entry["batch"]["notes"] == 300
    rightcall = systems["rightcall"]
    assert rightcall["retrained_for_this_run"] is None  # the session model is current
    assert rightcall["model"]["version"] == (models_dir / "latest").resolve().name
    assert set(rightcall["stages_us_per_note"]) >= {"analyse", "scores", "evidence_results"}
    # The pure-Python term pipeline, measured the same way in the same run (issue 15).
    assert rightcall["engine"] in {"compiled", "python"}
    python = rightcall["python_engine"]
    assert python["engine"] == "python" and python["same_probabilities"] is True
    assert python["latency_ms"]["n"] == 60 and python["latency_ms"]["p50"] > 0
    assert python["batch"]["notes"] == 300 and python["batch"]["notes_per_second"] > 0
    score = rightcall["score_command"]
    assert score["runs"]["file"]["notes"] == 300
    # `rightcall score --engine processes --workers 2` on the same files, always.
    processes = score["processes_2_workers"]
    assert processes["workers"] == 2
    assert {r["notes"] for r in processes["runs"].values()} == {10, 300}
    assert all(r["cpu_seconds"] > 0 for r in processes["runs"].values())
    assert processes["notes_per_second"] > 0
    # `rightcall score --engine dask --workers 2` on the same file, unless dask is missing.
    dask = score["dask_2_workers"]
    if all(importlib.util.find_spec(m) for m in ("dask", "distributed")):
        assert dask["workers"] == 2
        assert {r["notes"] for r in dask["runs"].values()} == {10, 300}
        assert all(r["cpu_seconds"] > 0 for r in dask["runs"].values())
        assert set(dask) >= {
            "notes_per_second",
            "notes_per_cpu_second",
            "notes_per_second_after_startup",
            "notes_per_cpu_second_after_startup",
            "startup_seconds",
        }
    else:
        assert "not installed" in dask["skipped"]


def test_training_scale_benchmark_trains_in_a_child(tmp_path):
    out = tmp_path / "training_scale.json"
    run_script(
        "training_scale", "--quick", "--sizes", "200", "--dev-test-notes", "200", "--out", str(out)
    )
    document = read(out, "training_scale")
    [size] = document["sizes"]
    assert size["train_notes"] == 200 and size["repeated_notes"] == 0
    assert size["peak_rss_mib"] > 0 and size["wall_seconds"] > 0
    assert {"analysing notes", "fitting features", "tuning thresholds on dev"} <= set(
        size["steps_seconds"]
    )
    assert set(size["test_metrics"]) == set(LABELS)


def test_run_all_runs_footprint_and_summarises(models_dir, tmp_path):
    run_script(
        "run_all",
        "--quick",
        "--only",
        "footprint",
        "--models",
        str(models_dir),
        "--results",
        str(tmp_path),
    )
    footprint = read(tmp_path / "footprint.quick.json", "footprint")
    assert footprint["disk"]["files"]["model.joblib"] > 0
    assert footprint["cold_start"]["runs"][0]["ready_seconds"] > 0
    memory = footprint["worker_memory"]
    assert memory["after_warm_up"]["requests"] == 200
    assert memory["after_warm_up"]["rss_mib"] > 0
    summary = read(tmp_path / "summary.quick.json", "summary")
    verdicts = {t["what"]: t["verdict"] for t in summary["targets"]}
    assert verdicts["one worker RSS after warm-up (MB)"] in {"met", "MISSED"}
    assert verdicts["classify, one note, p50 (ms)"] == "not measured"  # inference not run
    assert verdicts["cold start to /readyz (s, median)"] in {"met", "MISSED"}
    for what in (  # issue 15, from documents this run did not write
        "batch: rightcall score --engine dask --workers 2, notes/s (both cores)",
        "API, 2 workers, c. 32, classify / healthz req/s (issue 15)",
        "API, 1 worker, c. 1, classify p50 minus healthz p50 (ms)",
        "classify, one note with evidence, p50 (ms), compiled engine",
    ):
        assert verdicts[what] == "not measured"
    assert verdicts["batch: probabilities notes/s, compiled vs pure-Python engine"] == "-"


def test_summary_reads_issue_15_figures_and_copes_with_missing_ones(tmp_path):
    """The summary's rows from made-up documents: issue 15's fields when present, "not
    measured" when a document predates them (or lacks a run)."""
    rightcall = {
        "engine": "compiled",
        "latency_ms": {"p50": 1.0, "p99": 2.0},
        "batch": {"notes_per_second": 300.0, "notes_per_cpu_second": 300.0},
        "python_engine": {"latency_ms": {"p50": 2.0}, "batch": {"notes_per_second": 100.0}},
        "score_command": {
            "notes_per_second": 50.0,
            "dask_2_workers": {"notes_per_second": 80.0, "notes_per_cpu_second": 40.0},
            "processes_2_workers": {"notes_per_second": 20_000.0},
        },
    }
    api = {
        "summary": [
            {"workers": 1, "concurrency": 1, "classify_p50_ms": 3.0, "healthz_p50_ms": 0.5},
            {"workers": 2, "concurrency": 32, "rps_ratio": 0.25},
        ]
    }
    (tmp_path / "inference.json").write_text(json.dumps({"systems": {"rightcall": rightcall}}))
    (tmp_path / "api.json").write_text(json.dumps(api))
    targets = summarise(tmp_path)
    values = {t["what"]: (t["value"], t["verdict"]) for t in targets}
    assert values["classify, one note with evidence, p50 (ms), compiled engine"] == (
        1.0,
        "MISSED",
    )
    assert values["batch: probabilities notes/s, compiled vs pure-Python engine"] == (3.0, "-")
    assert values["API, 1 worker, c. 1, classify p50 minus healthz p50 (ms)"] == (2.5, "MISSED")
    assert values["API, 2 workers, c. 32, classify / healthz req/s (issue 15)"] == (
        0.25,
        "MISSED",
    )
    dask_row = "batch: rightcall score --engine dask --workers 2, notes/s (both cores)"
    assert values[dask_row] == (80.0, "MISSED")
    processes_row = "batch: rightcall score --engine processes --workers 2, notes/s (both cores)"
    assert values[processes_row] == (20_000.0, "met")

    # An older inference document: no engine, no twin, no dask run; and a skipped dask run.
    for key in ("engine", "python_engine"):
        del rightcall[key]
    del rightcall["score_command"]["processes_2_workers"]
    rightcall["score_command"]["dask_2_workers"] = {"skipped": "--no-dask"}
    (tmp_path / "inference.json").write_text(json.dumps({"systems": {"rightcall": rightcall}}))
    (tmp_path / "api.json").write_text(json.dumps({"summary": []}))
    targets = summarise(tmp_path)
    verdicts = {t["what"]: t["verdict"] for t in targets}
    notes = {t["what"]: t["baselines"] for t in targets}
    for what in (
        "classify, one note with evidence, p50 (ms), compiled engine",
        "API, 1 worker, c. 1, classify p50 minus healthz p50 (ms)",
        "API, 2 workers, c. 32, classify / healthz req/s (issue 15)",
        dask_row,
        processes_row,
    ):
        assert verdicts[what] == "not measured"
    assert "skipped: --no-dask" in notes[dask_row]


def summarise(results: Path) -> list[dict]:
    """``run_all.py --summary-only`` on the documents in ``results``; its targets."""
    run_script("run_all", "--summary-only", "--results", str(results))
    return read(results / "summary.json", "summary")["targets"]
