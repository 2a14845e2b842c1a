"""Compiled scoring (model/_row_scorer.pyx, evidence by model/_evidence_typed.pyx) scores
notes as the reference does: numpy rows and the pure-Python evidence mapper.

Same probabilities to within 1e-12 (the sums run in another order), the same flags, routes
and evidence, on every note of the test split and the public file and on arbitrary text; a
note scores bit for bit the same alone or in any batch; and threads sharing one scorer never
see each other's rows.
"""

from __future__ import annotations

import json
import os
import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, fields

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model import LABELS, Evidence

from ..conftest import CORPUS, PUBLIC_EVAL

TOLERANCE = 1e-12
# Words that make cues, contexts, person descriptions and punctuation occur.
WORDS = [
    "he",
    "has",
    "a",
    "knife",
    "kill",
    "her",
    "not",
    "suicidal",
    "overdose",
    "took",
    "tablets",
    "stab",
    "denies",
    "history",
    "of",
    "self-harm",
    "2019",
    "my",
    "boss",
    "will",
    "kill",
    "me",
    "Mr",
    "Patel",
    "34m",
    ".",
    ",",
    "!",
    "voices",
    "police",
    "ambulance",
    "threatening",
    "to",
    "hang",
    "himself",
    "breathing",
]


def _texts(path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines if line.strip()]


@pytest.fixture(scope="module")
def pair(classifier):
    """(typed, numpy): the session's model scored both ways."""
    if classifier.scoring_engine != "compiled":
        if os.environ.get("RIGHTCALL_EXPECT_COMPILED") == "1":
            pytest.fail("compiled scoring should be built here")
        pytest.skip("compiled scoring is not built (pure-Python engine)")
    reference = classifier.with_reference_scoring()
    assert reference.scoring_engine == "python"
    assert type(reference._evidence).__module__ == "model._evidence"
    assert type(classifier._evidence).__module__ == "model._fast._evidence"
    assert type(classifier._assembler).__module__ == "model._fast._evidence_typed"
    return classifier, reference


def _assert_same_results(typed, reference, text: str) -> list[Evidence]:
    ours, theirs = typed.classify(text), reference.classify(text)
    for label in LABELS:
        a, b = ours.labels[label], theirs.labels[label]
        assert a.probability == pytest.approx(b.probability, abs=TOLERANCE)
        assert a.flagged == b.flagged
    assert ours.evidence == theirs.evidence
    assert ours.route == theirs.route
    return ours.evidence


@pytest.mark.parametrize("path", [CORPUS / "test.jsonl", PUBLIC_EVAL], ids=["test", "public"])
def test_same_probabilities_on_whole_files(pair, path):
    if not path.exists():
        pytest.skip(f"{path} is not here")
    typed, reference = pair
    texts = _texts(path)
    np.testing.assert_allclose(
        typed.probabilities(texts), reference.probabilities(texts), rtol=0, atol=TOLERANCE
    )


def test_same_results_and_evidence_note_by_note(pair):
    typed, reference = pair
    texts = _texts(CORPUS / "test.jsonl")
    sample = random.Random(15).sample(texts, 400)
    if PUBLIC_EVAL.exists():
        sample += _texts(PUBLIC_EVAL)
    shown = [e for text in sample for e in _assert_same_results(typed, reference, text)]
    # Every branch of the typed assembler ran: phrases in and out of context, several labels.
    assert {e.context for e in shown} >= {"present", "negated", "historical"}
    assert {e.label for e in shown} == set(LABELS)


def test_typed_evidence_is_the_dataclass_its_init_would_make(pair):
    """The typed assembler sets Evidence's fields itself (its frozen ``__init__`` is slow):
    this fails when a field is added, renamed or given a ``__post_init__``."""
    typed, _ = pair
    assert [f.name for f in fields(Evidence)] == [
        "label",
        "start",
        "end",
        "text",
        "weight",
        "negated",
        "context",
    ], "update _new in model/_evidence_typed.pyx to set the new fields"
    assert not hasattr(Evidence, "__post_init__")
    evidence = typed.classify("He has a knife to her throat and says he will kill her.").evidence
    assert evidence
    for item in evidence:
        assert type(item) is Evidence
        assert Evidence(**asdict(item)) == item
        assert hash(item) == hash(Evidence(**asdict(item)))


def test_same_results_in_a_batch_with_evidence(pair):
    typed, reference = pair
    texts = random.Random(16).sample(_texts(CORPUS / "test.jsonl"), 300)
    ours, theirs = typed.classify_many(texts), reference.classify_many(texts)
    assert [r.evidence for r in ours] == [r.evidence for r in theirs]
    assert [r.route for r in ours] == [r.route for r in theirs]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.sampled_from(WORDS) | st.text(max_size=12),
        max_size=80,
    ).map(" ".join)
)
def test_same_results_on_arbitrary_notes(pair, text):
    typed, reference = pair
    _assert_same_results(typed, reference, text)


def test_a_note_scores_the_same_alone_or_in_any_batch(pair):
    typed, _ = pair
    texts = random.Random(17).sample(_texts(CORPUS / "test.jsonl"), 200)
    together = typed.probabilities(texts)
    alone = np.vstack([typed.probabilities([text]) for text in texts])
    assert np.array_equal(together, alone)


def test_threads_sharing_one_scorer_get_their_own_rows(pair):
    typed, _ = pair
    texts = _texts(CORPUS / "test.jsonl")[:600]
    expected = typed.probabilities(texts)
    chunks = [texts[k::4] for k in range(4)]

    def score(k: int) -> np.ndarray:
        return np.vstack([typed.probabilities([text]) for text in chunks[k]])

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(score, range(4)))
    for k, result in enumerate(results):
        assert np.array_equal(result, expected[k::4])


@pytest.mark.parametrize("max_ngram", [1, 2, 3])
def test_word_ngrams_are_counted_as_scikit_learn_counts_them(classifier, max_ngram):
    """Bigrams are looked up by first word, then second, where the vocabulary allows it;
    unigram-only and trigram vocabularies (the other lookups) give scikit-learn's rows too."""
    if classifier.scoring_engine != "compiled":
        pytest.skip("compiled scoring is not built (pure-Python engine)")
    from model._fast._inputs import NoteInputs
    from model._fast._row_scorer import RowScorer

    from model._classifier import LinearForm
    from model._features import TfidfBlock, char_wb_grams, word_vectoriser

    rng = random.Random(max_ngram)
    documents = [" ".join(rng.choices(WORDS, k=rng.randint(0, 14))) for _ in range(60)]
    vectoriser = word_vectoriser(min_df=1, max_ngram=max_ngram).fit(documents)
    block = TfidfBlock.from_vectoriser(vectoriser)
    weights = np.random.default_rng(max_ngram).normal(size=(block.width, len(LABELS)))
    linear = LinearForm(weights, np.zeros(len(LABELS)), -np.ones(len(LABELS)), np.zeros(3))
    scorer = RowScorer(block, None, block.width, 1.0, linear, char_wb_grams)
    probabilities = scorer.probabilities([NoteInputs(d.split(), "", []) for d in documents])
    expected = 1.0 / (1.0 + np.exp(-(vectoriser.transform(documents) @ weights)))
    assert np.abs(probabilities - expected).max() < 1e-6  # float32 rows, as in training
