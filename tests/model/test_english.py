"""spaCy's English without spaCy: model/spacy_english.json is what the installed spaCy says,
and the rule tokenizer built from it gives spaCy's tokens at spaCy's places, on arbitrary
text, on every special case, and on every corpus and public note."""

from __future__ import annotations

import json

import pytest
import spacy
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.pipeline import Sentencizer
from spacy.tokenizer import Tokenizer

from model import _engine, normalise
from model import _english as pure_english
from scripts.export_spacy_english import spacy_english

from ..conftest import CORPUS, PUBLIC_EVAL

SPACY = spacy.blank("en").tokenizer
BARE = Tokenizer(  # the same tokenizer with no special cases
    SPACY.vocab,
    rules={},
    prefix_search=SPACY.prefix_search,
    suffix_search=SPACY.suffix_search,
    infix_finditer=SPACY.infix_finditer,
    token_match=SPACY.token_match,
    url_match=SPACY.url_match,
)


def english_modules():
    modules = [pure_english]
    if _engine.compiled_problem() is None:
        from model._fast import _english

        modules.append(_english)
    return modules


@pytest.fixture(scope="module", params=english_modules(), ids=lambda m: m.__name__)
def english(request):
    return request.param


@pytest.fixture(scope="module")
def tokenizer(english):
    return english.RuleTokenizer()


def spacy_tokens(text: str) -> list[tuple[str, int]]:
    return [(t.text, t.idx) for t in SPACY(text)]


def test_the_file_is_the_installed_spacys_english():
    shipped = json.loads(pure_english.ENGLISH_FILE.read_text(encoding="utf-8"))
    assert shipped == spacy_english(), (
        "model/spacy_english.json is not this spaCy's: run scripts/export_spacy_english.py"
    )


def test_stop_words_and_sentence_ends_are_spacys(english):
    assert english.STOP_WORDS == STOP_WORDS
    assert frozenset(Sentencizer.default_punct_chars) == english.SENTENCE_ENDS


def test_every_special_case_is_tokenized_as_spacy_does(tokenizer):
    assert len(tokenizer.rules) > 1000
    for key in tokenizer.rules:
        for text in (key, f"({key})", f"{key}.", f"a {key} b", f"{key}{key}"):
            assert tokenizer.tokenize(text) == spacy_tokens(text), text


# Pieces that exercise special cases, affixes, infixes, URLs, emoticons and whitespace.
PIECES = [
    *"()[]{}\"'`.,;:!?-/\\&%$£€#@*+=<>|~^_",
    *["don't", "can't", "'s", "n't", "a.m.", "p.m.", "e.g.", "U.K.", "Mr.", "etc.", "o.0"],
    *[":)", ":-)", "(:", "<3", ":'(", "...", "--", "http://x.co/a?b=1", "www.test.com"],
    *["1,000", "10.5", "3rd", "10km", "5pm", "$5", "5%", "24/7", "a-b", "e-mail", "3+4"],
    *["a", "I", "b", "cannot", "gonna", "dont", "é", "naïve", "😀", "x1"],
    *[" ", "  ", "\u00a0", "\t", "\n", "\r\n"],
]


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
@example("don't:) :)don't")  # "):" across the space blocks the second ":)" in spaCy
@example("a.m . 10a.m .")
@example(" a")
@example("  ")
def test_same_tokens_as_spacy_on_special_cases_affixes_and_spaces(text):
    for english in english_modules():
        assert english.RuleTokenizer().tokenize(text) == spacy_tokens(text)


@settings(max_examples=800, deadline=None)
@given(st.text(max_size=120))
def test_same_tokens_as_spacy_on_arbitrary_unicode(text):
    tokenizer = pure_english.RuleTokenizer()
    assert tokenizer.tokenize(text) == spacy_tokens(text)
    assert tokenizer.without_special_cases(text) == [t.text for t in BARE(text)]


def test_same_tokens_as_spacy_on_every_corpus_and_public_note(tokenizer):
    checked = 0
    for path in [*sorted(CORPUS.glob("*.jsonl")), PUBLIC_EVAL]:
        for line in path.read_text(encoding="utf-8").splitlines():
            text = json.loads(line)["text"]
            for form in (text, normalise(text)):
                assert tokenizer.tokenize(form) == spacy_tokens(form)
                checked += 1
    assert checked > 40_000


def test_remembered_spans_answer_as_new_ones(english, monkeypatch):
    monkeypatch.setattr(english, "SPAN_CACHE_SIZE", 5)  # cleared again and again
    tokenizer = english.RuleTokenizer()
    texts = ["don't:) :)don't", "he said (dont) go", "a.m . 10a.m .", "U.K. 24/7 $5 :-)"]
    first = [tokenizer.tokenize(text) for text in texts * 3]
    assert first == [spacy_tokens(text) for text in texts * 3]
    assert [tokenizer.tokenize(text) for text in reversed(texts * 3)] == first[::-1]
    assert 0 < len(tokenizer._spans[True]) <= 6
