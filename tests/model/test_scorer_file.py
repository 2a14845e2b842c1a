"""``scorer.npz``: the model as plain arrays scores exactly as the fitted estimators do,
loads without scikit-learn, and is refused when it does not match its manifest."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from model import MANIFEST_FILE, MODEL_FILE, SCORER_FILE, ArtefactError, load, sha256_file
from model._features import TfidfBlock, char_wb_grams

from ..conftest import CORPUS, PUBLIC_EVAL, REPO
from .test_artefact import flip_one_byte


def _texts(path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines if line.strip()]


def _rewrite_manifest(model_dir, change) -> None:
    manifest = json.loads((model_dir / MANIFEST_FILE).read_text())
    change(manifest)
    (model_dir / MANIFEST_FILE).write_text(json.dumps(manifest))


def test_the_served_model_is_the_plain_arrays(classifier, full_classifier):
    assert classifier.estimators is None
    assert full_classifier.estimators is not None


def test_identical_probabilities_on_the_test_split_and_public_file(classifier, full_classifier):
    texts = _texts(CORPUS / "test.jsonl")
    if PUBLIC_EVAL.exists():
        texts += _texts(PUBLIC_EVAL)
    np.testing.assert_array_equal(
        classifier.probabilities(texts), full_classifier.probabilities(texts)
    )


def test_identical_results_with_evidence_note_by_note(classifier, full_classifier):
    texts = _texts(CORPUS / "test.jsonl")[:400]
    assert [classifier.classify(t) for t in texts] == [full_classifier.classify(t) for t in texts]


def test_identical_feature_weights(classifier, full_classifier):
    assert classifier.feature_weights() == full_classifier.feature_weights()


def test_loading_and_scoring_import_no_scikit_learn(model_path):
    code = (
        "import sys; from model import load; "
        "c = load(sys.argv[1]); c.classify('he has a knife to her throat'); "
        "c.probabilities(['bike stolen'] * 40); "
        "print(sorted(m for m in ('sklearn', 'joblib') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(model_path)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    )
    assert done.stdout.strip() == "[]"


def test_a_flipped_byte_in_the_scorer_file_is_refused(model_copy):
    flip_one_byte(model_copy / SCORER_FILE, offset=1000)
    with pytest.raises(ArtefactError, match=f"{SCORER_FILE}: sha256 does not match"):
        load(model_copy)


def test_a_malformed_scorer_file_with_a_listed_hash_is_a_clear_error(model_copy):
    (model_copy / SCORER_FILE).write_bytes(b"not an npz file")
    _rewrite_manifest(
        model_copy,
        lambda m: m["files"].update({SCORER_FILE: sha256_file(model_copy / SCORER_FILE)}),
    )
    with pytest.raises(ArtefactError, match=f"{SCORER_FILE}: cannot be loaded"):
        load(model_copy)


def test_a_cut_estimator_file_with_a_listed_hash_is_a_clear_error_when_asked_for(model_copy):
    model = model_copy / MODEL_FILE
    model.write_bytes(model.read_bytes()[: model.stat().st_size // 2])
    _rewrite_manifest(model_copy, lambda m: m["files"].update({MODEL_FILE: sha256_file(model)}))
    load(model_copy)  # scoring reads only scorer.npz
    with pytest.raises(ArtefactError, match=f"{MODEL_FILE}: cannot be loaded"):
        load(model_copy, with_estimators=True)


def test_an_artefact_from_before_the_scorer_file_loads_its_estimators(
    model_copy, classifier, caplog
):
    (model_copy / SCORER_FILE).unlink()
    _rewrite_manifest(model_copy, lambda m: m["files"].pop(SCORER_FILE))
    old = load(model_copy)
    assert any("retrain" in r.getMessage() for r in caplog.records)
    assert old.estimators is not None
    texts = _texts(CORPUS / "test.jsonl")[:300]
    np.testing.assert_array_equal(old.probabilities(texts), classifier.probabilities(texts))


def test_a_scoring_only_model_cannot_be_written_or_fitted(classifier, tmp_path):
    from model import write_artefact

    with pytest.raises(ValueError, match="fitted estimators"):
        write_artefact(tmp_path, classifier, {}, [], lambda manifest: "")
    with pytest.raises(TypeError, match="cannot be fitted"):
        classifier.space.fit_inputs([])


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Zs", "Zl", "Zp", "Cc")), max_size=12))
def test_char_n_grams_are_scikit_learns(word):
    from sklearn.feature_extraction.text import TfidfVectorizer

    analyse = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=False)
    words = word.split()
    if len(words) == 1:  # the block only ever asks for one word at a time
        assert char_wb_grams(words[0], 3, 5) == analyse.build_analyzer()(words[0])


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_weighted_rows_are_bit_for_bit_scikit_learns_normalize(seed):
    from sklearn.preprocessing import normalize

    rng = np.random.default_rng(seed)
    rows, width = int(rng.integers(1, 12)), 50
    dense = rng.integers(0, 4, size=(rows, width)) * (rng.random((rows, width)) < 0.2)
    dense[rng.integers(rows)] = 0  # an empty row stays empty
    counts = sp.csr_matrix(dense.astype(np.float64))
    order = rng.permutation(len(counts.data))  # storage order need not be sorted
    for row in range(rows):
        start, end = counts.indptr[row], counts.indptr[row + 1]
        keep = order[(order >= start) & (order < end)]
        counts.indices[start:end], counts.data[start:end] = (
            counts.indices[keep].copy(),
            counts.data[keep].copy(),
        )
    idf = rng.random(width) * 5 + 1
    block = TfidfBlock({f"w{i}": i for i in range(width)}, idf, (1, 1), sublinear=True)
    data = np.log(counts.data) + 1.0
    data *= idf[counts.indices]
    reference = sp.csr_matrix((data, counts.indices.copy(), counts.indptr.copy()), counts.shape)
    normalize(reference, norm="l2", copy=False)
    np.testing.assert_array_equal(block.weighted_data(counts), reference.data)  # float64, exact
    ours = block.weigh(counts)
    np.testing.assert_array_equal(ours.indices, reference.indices)
    np.testing.assert_array_equal(ours.data, reference.data.astype(np.float32))
