"""The stemmer notes are stemmed with is Snowball's C build (PyStemmer), and it gives the
stems of snowballstemmer's own Python, which the artefact pins: on every word of the
corpus, the public file and the lexicon, and on arbitrary words."""

from __future__ import annotations

import json
import re

import pytest
import Stemmer
from hypothesis import given, settings
from hypothesis import strategies as st
from snowballstemmer.english_stemmer import EnglishStemmer

from model import LEXICON_DIR, _engine
from model import _text as pure_text

from ..conftest import CORPUS, PUBLIC_EVAL

REFERENCE = EnglishStemmer()  # snowballstemmer's Python, whatever else is installed


def text_modules():
    modules = [pure_text]
    if _engine.compiled_problem() is None:
        from model._fast import _text

        modules.append(_text)
    return modules


def vocabulary() -> list[str]:
    words: set[str] = set()
    for path in [*CORPUS.glob("*.jsonl"), PUBLIC_EVAL]:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                words.update(re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", json.loads(line)["text"]))
    for path in LEXICON_DIR.iterdir():
        if path.suffix in {".json", ".jsonl", ".txt"}:
            words.update(re.findall(r"[^\W\d_]+", path.read_text(encoding="utf-8")))
    return sorted({w.lower() for w in words} | words)


@pytest.mark.parametrize("module", text_modules(), ids=lambda m: m.__name__)
def test_notes_are_stemmed_by_the_c_build(module):
    assert isinstance(module._STEMMER, Stemmer.Stemmer)


@pytest.mark.parametrize("module", text_modules(), ids=lambda m: m.__name__)
def test_stems_are_snowballs_python_stems_on_every_known_word(module):
    words = vocabulary()
    assert len(words) > 10_000
    stems = {w: module._STEMMER.stemWord(w) for w in words}
    assert stems == {w: REFERENCE.stemWord(w) for w in words}
    assert sum(s != w for w, s in stems.items()) > len(words) / 4  # stemming happened


@settings(max_examples=500, deadline=None)
@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=24))
def test_stems_are_snowballs_python_stems_on_arbitrary_words(word):
    assert pure_text._STEMMER.stemWord(word) == REFERENCE.stemWord(word)
