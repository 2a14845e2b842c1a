"""The analyser's run-cached tokenizing is spaCy's tokenizer, token for token."""

from __future__ import annotations

import json

import pytest
import spacy
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from model import NoteAnalyser, normalise
from model import _context as pure_context

from ..conftest import CORPUS, PUBLIC_EVAL


@pytest.fixture(scope="module", params=["engine", "python"])
def analyser(request):
    return NoteAnalyser() if request.param == "engine" else pure_context.NoteAnalyser()


SPACY = spacy.blank("en")  # spaCy itself: the analyser tokenizes by the rules it exported


def spacy_tokens(analyser, normalised: str) -> list[tuple[str, int]]:
    return [(t.text, t.idx) for t in SPACY.tokenizer(normalised)]


# Pieces that exercise the tokenizer's special cases, affixes, URLs and space handling.
PIECES = [
    "don't",
    "do n't",
    "ca",
    "n't",
    "can't",
    "a.m.",
    "p.m.",
    "e.g.",
    ":)",
    "(:",
    "'s",
    "s'",
    "http://x.co/a?b=1",
    "www.test.com",
    "mr.",
    "U.K.",
    "1,000",
    "10.5",
    "3rd",
    "--",
    "...",
    "(",
    ")",
    '"',
    "'",
    "-",
    "/",
    "&",
    "$5",
    "5%",
    " ",
    "  ",
    "\u00a0",
    "\t",
    "\n",
    "é",
]


@settings(
    max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=120))
def test_same_tokens_as_spacy_on_arbitrary_unicode(analyser, text):
    normalised = normalise(text)
    assert analyser.tokens(normalised) == spacy_tokens(analyser, normalised)


@settings(
    max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
@example("don't:) :)don't")  # "):" across the space blocks the second ":)" in spaCy
@example("a.m . 10a.m .")
def test_same_tokens_as_spacy_on_special_cases_and_spaces(analyser, text):
    normalised = normalise(text)
    assert analyser.tokens(normalised) == spacy_tokens(analyser, normalised)


# Special cases made only of letters ("cannot", "gonna", "Dont"): the one kind of letter run
# spaCy splits.
LETTER_CASES = sorted(k for k in SPACY.tokenizer.rules if k.isascii() and k.isalpha())


@settings(
    max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.from_regex(r"\A[A-Za-z]{1,14}\Z") | st.sampled_from(LETTER_CASES), max_size=8).map(
        " ".join
    )
)
def test_same_tokens_as_spacy_on_runs_of_letters(analyser, text):
    assert analyser.tokens(text) == spacy_tokens(analyser, text)


def test_letter_only_special_cases_are_split_as_spacy_splits_them(analyser):
    assert len(LETTER_CASES) > 50
    for run in LETTER_CASES:
        assert analyser.tokens(run) == spacy_tokens(analyser, run)
    assert sum(len(spacy_tokens(analyser, run)) > 1 for run in LETTER_CASES) > 50


def test_same_tokens_as_spacy_on_every_corpus_and_public_note(analyser):
    files = [*sorted(CORPUS.glob("*.jsonl")), PUBLIC_EVAL]
    checked = 0
    for path in files:
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            normalised = normalise(json.loads(line)["text"])
            assert analyser.tokens(normalised) == spacy_tokens(analyser, normalised)
            checked += 1
    assert checked > 20_000
