"""`rightcall train`, `predict` and `score` through the command line."""

from __future__ import annotations

import csv
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from cli.main import app
from model import LABELS, load
from tests.conftest import CORPUS

runner = CliRunner()


@pytest.fixture(scope="module")
def small_training_file(tmp_path_factory):
    """A force-style CSV: own column names, Y/N flags and a split column."""
    frames = []
    for split, n in (("train", 900), ("dev", 300), ("test", 200)):
        frame = pd.read_json(CORPUS / f"{split}.jsonl", lines=True).head(n)
        frames.append(frame)
    data = pd.concat(frames)
    out = pd.DataFrame(
        {
            "ref": data["id"],
            "notes": data["text"],
            "split": data["split"],
            "MH": data["mental_health"].map({1: "Y", 0: "N"}),
            "CR": data["crime"].map({1: "yes", 0: "no"}),
            "TTL": data["threat_to_life"],
        }
    )
    path = tmp_path_factory.mktemp("force") / "force.csv"
    out.to_csv(path, index=False)
    return path


def test_train_on_a_forces_file_writes_a_loadable_artefact(small_training_file, tmp_path):
    result = runner.invoke(
        app,
        [
            "train",
            "--data",
            str(small_training_file),
            "--out",
            str(tmp_path),
            "--text-col",
            "notes",
            "--id-col",
            "ref",
            "--label-col",
            "mental_health=MH",
            "--label-col",
            "crime=CR",
            "--label-col",
            "threat_to_life=TTL",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "dev split" in result.output and "test split" in result.output
    manifest = json.loads((tmp_path / "latest" / "manifest.json").read_text())
    assert manifest["data_counts"] == {"train": 900, "dev": 300, "test": 200}
    assert str(small_training_file) in manifest["data_files"]
    assert load(tmp_path / "latest").classify("man on the bridge").labels


def test_train_refuses_a_file_with_bad_rows_and_names_them(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(
        json.dumps({"id": "1", "text": "", "mental_health": 1, "crime": 0, "threat_to_life": 0})
        + "\n"
    )
    result = runner.invoke(app, ["train", "--data", str(path), "--out", str(tmp_path / "m")])
    assert result.exit_code == 1
    assert f"{path}:1: empty text" in result.output
    assert not (tmp_path / "m").exists()


def test_train_reports_a_broken_config_clearly(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[data]\ntrain = ["x.jsonl"]\n[model]\nC = -1\n')
    result = runner.invoke(app, ["train", "--config", str(config), "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert str(config) in result.output and "thresholds" in result.output


def test_predict_prints_probabilities_route_and_evidence(model_path):
    result = runner.invoke(
        app,
        [
            "predict",
            "--model",
            str(model_path),
            "Man on the railway line says he wants to end his life",
        ],
    )
    assert result.exit_code == 0, result.output
    for label in LABELS:
        assert label in result.output
    assert "Suggested route" in result.output and "handler decides" in result.output
    assert "Evidence" in result.output


def test_predict_refuses_a_tampered_model(model_copy):
    (model_copy / "model.joblib").write_bytes(b"not a model")
    result = runner.invoke(app, ["predict", "--model", str(model_copy), "a note"])
    assert result.exit_code == 1
    assert "sha256 does not match" in result.output


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_score_writes_one_row_per_note_with_ids(model_path, classifier, tmp_path, suffix):
    source = tmp_path / "calls.csv"
    notes = ["male on the railway line", "bike stolen from the library", "lost my purse"]
    pd.DataFrame({"id": ["a", "b", "c"], "text": notes, "other": [1, 2, 3]}).to_csv(
        source, index=False
    )
    output = tmp_path / f"scored{suffix}"
    result = runner.invoke(
        app, ["score", str(source), "--output", str(output), "--model", str(model_path)]
    )
    assert result.exit_code == 0, result.output
    if suffix == ".jsonl":
        rows = [json.loads(line) for line in output.read_text().splitlines()]
    elif suffix == ".csv":
        rows = list(csv.DictReader(output.open()))
    else:
        rows = pd.read_parquet(output).to_dict("records")
    assert [r["id"] for r in rows] == ["a", "b", "c"]
    expected = classifier.classify_many(notes)
    for row, want in zip(rows, expected, strict=True):
        assert set(row) == {
            "id",
            "route",
            *(f"{x}_probability" for x in LABELS),
            *(f"{x}_flag" for x in LABELS),
        }
        for label in LABELS:
            assert float(row[f"{label}_probability"]) == pytest.approx(
                want.labels[label].probability, abs=1e-6
            )
            assert int(row[f"{label}_flag"]) == int(want.labels[label].flagged)
        assert row["route"] == want.route.suggestion


def test_score_refuses_bad_rows_and_writes_nothing(model_path, tmp_path):
    source = tmp_path / "calls.jsonl"
    source.write_text('{"id": "1", "text": "ok"}\n{"id": "2", "text": "  "}\n{"id": "3"}\n')
    output = tmp_path / "out.jsonl"
    result = runner.invoke(
        app, ["score", str(source), "-o", str(output), "--model", str(model_path)]
    )
    assert result.exit_code == 1
    assert f"{source}:2:" in result.output and f"{source}:3:" in result.output
    assert not output.exists()
