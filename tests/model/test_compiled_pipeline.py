"""The compiled term pipeline (model._fast) gives exactly what the pure-Python one gives.

Same terms, spans, cues and contexts, same feature rows and the same probabilities, bit for
bit: on arbitrary Unicode, on notes assembled from the lexicons' own words (so that cues,
triggers, person descriptions, fillers and clitics really occur), and on every note of the
test split and of the public file.
"""

from __future__ import annotations

import copy
import json
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model import LEXICON_DIR, _engine
from model import _context as pure_context

from ..conftest import CORPUS, PUBLIC_EVAL


def _compiled_context():
    problem = _engine.compiled_problem()
    if problem is not None:
        if os.environ.get("RIGHTCALL_EXPECT_COMPILED") == "1":
            pytest.fail(f"the compiled term pipeline should be built here: {problem}")
        pytest.skip(f"compiled term pipeline not available: {problem}")
    from model._fast import _context

    return _context


@pytest.fixture(scope="module")
def pair(classifier, model_path):
    """The bundled-config model twice: once per engine, same fitted weights."""
    fast_context = _compiled_context()
    pure, fast = copy.copy(classifier), copy.copy(classifier)
    pure.analyser = pure_context.NoteAnalyser(model_path / "lexicon")
    fast.analyser = fast_context.NoteAnalyser(model_path / "lexicon")
    assert type(fast.analyser).__module__ == "model._fast._context"
    return pure, fast


def record(analysis) -> tuple:
    terms = analysis.terms
    return (
        analysis.normalised,
        terms.words,
        terms.starts,
        terms.ends,
        terms.identity_spans,
        terms.corrections,
        [tuple(cue) for cue in analysis.cues],
        sorted(analysis.historical_terms),
    )


def assert_same(pair, texts: list[str]) -> None:
    pure, fast = pair
    pure_analyses = pure.analyser.analyse_many(texts)
    fast_analyses = fast.analyser.analyse_many(texts)
    for text, a, b in zip(texts, pure_analyses, fast_analyses, strict=True):
        assert record(a) == record(b), f"analyses differ on a note of {len(text)} characters"
    pure_rows = pure.space.transform(texts, pure_analyses)
    fast_rows = fast.space.transform(texts, fast_analyses)
    assert (pure_rows != fast_rows).nnz == 0
    assert np.array_equal(pure.probabilities(texts), fast.probabilities(texts))
    for text in texts[:50]:
        assert pure.classify(text) == fast.classify(text)


def _lexicon_words(analyser) -> list[str]:
    """The words of every lexicon (as the person step reads them), and some names."""
    words = pure_context._lexicon_words(LEXICON_DIR, analyser._tokens_of)
    return sorted(words | set(sorted(analyser.persons.names)[:200]))


_PIECES = [
    ".",
    ",",
    "!",
    "?",
    "-",
    " - ",
    "/",
    "'s",
    "s",
    "t",
    "you know",
    "I mean",
    "2",
    "4",
    "Mr",
    "John",
    "RP",
    "34M",
    "12yo",
    "2019",
    "didn",
    "don t",
    "\n",
    "\u2019",
    "\u00a0",
]


@pytest.fixture(scope="module")
def note_words(pair) -> list[str]:
    return _lexicon_words(pair[0].analyser) + _PIECES


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.text(max_size=80), min_size=1, max_size=6))
def test_identical_on_arbitrary_unicode(pair, texts):
    assert_same(pair, texts)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_identical_on_notes_made_of_lexicon_words(pair, note_words, data):
    word = st.sampled_from(note_words)
    cased = st.tuples(word, st.sampled_from([str.lower, str.title, str.upper])).map(
        lambda pair: pair[1](pair[0])
    )
    note = st.lists(cased, min_size=1, max_size=90).map(" ".join)
    assert_same(pair, data.draw(st.lists(note, min_size=1, max_size=6)))


def _texts(path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines if line.strip()]


def test_identical_on_the_whole_test_split(pair):
    assert_same(pair, _texts(CORPUS / "test.jsonl"))


def test_identical_on_the_public_file(pair):
    if not PUBLIC_EVAL.exists():
        pytest.skip("the shared public file is not beside this checkout")
    assert_same(pair, _texts(PUBLIC_EVAL))
