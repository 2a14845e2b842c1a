"""The bundled corpus meets its data card's promises, and no split leaks into another."""

from __future__ import annotations

import json
import runpy
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import HashingVectorizer

from tests.conftest import CORPUS, PUBLIC_EVAL, REPO

LABELS = ("mental_health", "crime", "threat_to_life")
STYLES = {"uk-log", "us-cad", "transcript", "summary", "text-message", "agency"}
NEAR_DUPLICATE = 0.6


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def splits() -> dict[str, list[dict]]:
    return {name: read(CORPUS / f"{name}.jsonl") for name in ("train", "dev", "test")}


@pytest.fixture(scope="module")
def rows(splits) -> list[dict]:
    return [r for part in splits.values() for r in part]


def test_size_and_label_balance(rows):
    assert len(rows) >= 6000
    for label in LABELS:
        positives = sum(r[label] for r in rows)
        assert positives >= 1000, label
        assert len(rows) - positives >= 1000, label


def test_every_label_combination_is_represented(rows):
    combos = Counter(tuple(r[label] for label in LABELS) for r in rows)
    for combo in [(a, b, c) for a in (0, 1) for b in (0, 1) for c in (0, 1)]:
        assert combos[combo] >= (50 if combo == (1, 1, 1) else 100), combo


def test_styles_each_at_least_ten_percent(rows):
    styles = Counter(r["style"] for r in rows)
    assert set(styles) == STYLES
    for style, count in styles.items():
        assert count / len(rows) >= 0.10, style


def test_hard_cases_at_least_twenty_percent(rows):
    assert sum(bool(r["hard"]) for r in rows) / len(rows) >= 0.20


def test_at_least_a_thousand_hand_written_seeds(rows):
    seeds = [r for r in rows if r["source"].startswith("seed:")]
    assert len(seeds) >= 1000
    assert len({r["group"] for r in rows}) <= len(seeds)


def test_records_have_the_documented_fields(rows):
    for r in rows:
        assert {"id", "text", *LABELS, "style", "group", "source"} <= set(r)
        assert r["text"].strip()
        assert all(r[label] in (0, 1) for label in LABELS)
    assert len({r["id"] for r in rows}) == len(rows)


def test_groups_and_texts_do_not_cross_splits(splits):
    groups = {name: {r["group"] for r in part} for name, part in splits.items()}
    texts = {name: {r["text"] for r in part} for name, part in splits.items()}
    for a, b in (("train", "dev"), ("train", "test"), ("dev", "test")):
        assert not groups[a] & groups[b], (a, b)
        assert not texts[a] & texts[b], (a, b)


def _shingle_matrix(texts: list[str]):
    vectoriser = HashingVectorizer(
        analyzer="word",
        ngram_range=(3, 3),
        n_features=2**22,
        binary=True,
        norm=None,
        alternate_sign=False,
        token_pattern=r"[a-z0-9]+",
    )
    return vectoriser.transform(texts)


def near_duplicates(left: list[str], right: list[str], threshold: float) -> list[tuple[int, int]]:
    """Pairs whose word-3-gram Jaccard similarity reaches ``threshold`` (sparse, vectorised)."""
    a, b = _shingle_matrix(left), _shingle_matrix(right)
    inter = (a @ b.T).tocoo()
    size_a = np.asarray(a.sum(axis=1)).ravel()
    size_b = np.asarray(b.sum(axis=1)).ravel()
    union = size_a[inter.row] + size_b[inter.col] - inter.data
    hits = inter.data / np.maximum(union, 1) >= threshold
    return list(zip(inter.row[hits].tolist(), inter.col[hits].tolist(), strict=True))


def test_near_duplicate_detector_finds_a_paraphrase():
    base = "RP states brother is on the bridge rail saying he will jump, has MH history"
    assert near_duplicates([base], [base.replace("brother", "sister")], NEAR_DUPLICATE)
    assert not near_duplicates([base], ["Lost purse on the number 8 bus, cards cancelled"], 0.1)


def test_no_near_duplicates_across_splits(splits):
    for a, b in (("train", "dev"), ("train", "test"), ("dev", "test")):
        pairs = near_duplicates(
            [r["text"] for r in splits[a]], [r["text"] for r in splits[b]], NEAR_DUPLICATE
        )
        examples = [(splits[a][i]["id"], splits[b][j]["id"]) for i, j in pairs[:5]]
        assert not pairs, f"{len(pairs)} near-duplicate pairs {a}/{b}, e.g. {examples}"


@pytest.mark.skipif(not PUBLIC_EVAL.exists(), reason="shared evaluation file not present")
def test_corpus_does_not_copy_the_public_evaluation_file(rows):
    public = [json.loads(line)["text"] for line in PUBLIC_EVAL.read_text().splitlines()]
    pairs = near_duplicates(public, [r["text"] for r in rows], 0.4)
    assert not pairs, [(public[i][:60], rows[j]["id"]) for i, j in pairs[:5]]


def test_generator_reproduces_the_committed_corpus_byte_for_byte(tmp_path):
    generator = runpy.run_path(str(REPO / "data" / "generate.py"))
    generator["main"](["--out", str(tmp_path)])
    for name in ("train", "dev", "test"):
        assert (tmp_path / f"{name}.jsonl").read_bytes() == (CORPUS / f"{name}.jsonl").read_bytes()
