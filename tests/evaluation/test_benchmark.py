"""The spaCy textcat benchmark still runs: one epoch on a tiny sample, every system measured."""

from __future__ import annotations

import importlib.util
import json

from model import LABELS
from tests.conftest import CORPUS, REPO


def _benchmark_module():
    path = REPO / "benchmarks" / "spacy_textcat.py"
    spec = importlib.util.spec_from_file_location("spacy_textcat_benchmark", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_runs_on_a_tiny_sample(model_path, tmp_path):
    benchmark = _benchmark_module()
    out = tmp_path / "spacy_textcat.json"
    document = benchmark.run(
        epochs=1,
        model_path=model_path,
        eval_files={"test": CORPUS / "test.jsonl"},
        limit=200,
        resamples=50,
        out=out,
    )
    assert json.loads(out.read_text()) == document
    assert set(document["systems"]) == {"textcat-ensemble", "textcat-bow", "rightcall", "rules"}
    for entry in document["systems"].values():
        figures = entry["files"]["test"]
        assert figures["notes"] == 200
        assert set(figures["labels"]) == set(LABELS)
        assert entry["speed"]["notes_per_second"] > 0
        assert entry["speed"]["latency_ms_median"] > 0
    textcat = document["systems"]["textcat-bow"]
    assert textcat["training"]["epochs"][0]["epoch"] == 1
    assert set(textcat["thresholds"]) == set(LABELS)
