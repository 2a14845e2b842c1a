"""Batch scoring pauses the cyclic collector (``model.collector_paused``): safe because
scoring makes no reference cycles, and the collector is back on after a chunk, failed or not."""

from __future__ import annotations

import gc
import json

import pytest

from scoring import score_rows

from ..conftest import CORPUS


def test_the_collector_comes_back_when_scoring_fails(classifier):
    with pytest.raises(ValueError):
        score_rows(classifier, ["a", "b"], ["one note"])  # more ids than notes
    assert gc.isenabled()


@pytest.mark.parametrize("with_evidence", [False, True], ids=["scores", "evidence"])
def test_scoring_leaves_no_cycles_for_the_collector(classifier, with_evidence):
    """What makes pausing the collector safe: every object scoring makes is freed by
    reference counting, so nothing waits for a collection (which the pause would delay)."""
    lines = (CORPUS / "test.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines[:1500]]
    texts += ["", "   ", "Mr Patel 34m. Denies self-harm; knife to her throat!", "é" * 300]
    ids = [str(k) for k in range(len(texts))]
    score_rows(classifier, ids[:50], texts[:50], with_evidence)  # caches filled first
    gc.collect()
    gc.disable()
    try:
        rows = score_rows(classifier, ids, texts, with_evidence)
        assert len(rows) == len(texts)
        assert gc.collect() == 0
    finally:
        gc.enable()
