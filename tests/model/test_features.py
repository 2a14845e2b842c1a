"""The batch feature arithmetic equals scikit-learn's own ``TfidfVectorizer``."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from model import BlockKind, NoteAnalyser
from model._features import FEW_NOTES, FeatureSpace, char_vectoriser, word_vectoriser
from model._inputs import (
    _ASCII_CHAR_BYTES,
    _DIGIT,
    _PUNCTUATION,
    blank_and_correct,
    char_text,
    feature_words,
)

from ..conftest import CORPUS


@pytest.fixture(scope="module")
def notes() -> tuple[list[str], list]:
    analyser = NoteAnalyser()
    lines = (CORPUS / "train.jsonl").read_text(encoding="utf-8").splitlines()[:1500]
    texts = [json.loads(line)["text"] for line in lines]
    texts += ["", "   ", "!!!", "Male on the railway line, 34M, says he will jump!", "ok"]
    return texts, [analyser.analyse(t) for t in texts], analyser


def sklearn_inputs(texts, analyses):
    return (
        [" ".join(feature_words(a).words) for a in analyses],
        [char_text(t, a) for t, a in zip(texts, analyses, strict=True)],
    )


def test_fitted_vocabulary_and_idf_are_scikit_learns(notes):
    texts, analyses, analyser = notes
    # max_features small enough that the frequency cut really happens.
    cue_names = [c.name for c in analyser.cue_types]
    space = FeatureSpace(word_vectoriser(2, 2), char_vectoriser(3, 4000), cue_names, 0.25)
    space.fit(texts, analyses)
    words, chars = sklearn_inputs(texts, analyses)
    reference_words = word_vectoriser(2, 2).fit(words)
    reference_chars = char_vectoriser(3, 4000).fit(chars)
    assert len(reference_chars.vocabulary_) == 4000
    assert space.words.vocabulary_ == reference_words.vocabulary_
    assert space.chars.vocabulary_ == reference_chars.vocabulary_
    np.testing.assert_array_equal(space.words.idf_, reference_words.idf_)
    np.testing.assert_array_equal(space.chars.idf_, reference_chars.idf_)
    assert space.chars.idf_.dtype == reference_chars.idf_.dtype


@pytest.mark.parametrize("size", [1, FEW_NOTES, FEW_NOTES + 1, 700])
def test_rows_equal_scikit_learns_transform_in_both_paths(notes, size):
    texts, analyses, analyser = notes
    space = FeatureSpace(
        word_vectoriser(2, 2), char_vectoriser(3, 20000), [c.name for c in analyser.cue_types], 0.25
    ).fit(texts, analyses)
    picked = list(range(len(texts) - size, len(texts)))  # includes the empty and odd notes
    sub_texts = [texts[i] for i in picked]
    sub_analyses = [analyses[i] for i in picked]
    ours = space.transform(sub_texts, sub_analyses).toarray()
    words, chars = sklearn_inputs(sub_texts, sub_analyses)
    layout = space.layout
    w, c = layout[BlockKind.WORDS].stop, layout[BlockKind.CUES].start
    np.testing.assert_allclose(ours[:, :w], space.words.transform(words).toarray(), atol=1e-6)
    np.testing.assert_allclose(ours[:, w:c], space.chars.transform(chars).toarray(), atol=1e-6)
    cues = np.zeros((size, layout[BlockKind.CUES].width))
    for row, analysis in enumerate(sub_analyses):
        cues[row, [space.cue_column[(c.cue, c.context)] for c in analysis.cues]] = 0.25
    np.testing.assert_array_equal(ours[:, c:], cues)
    assert np.abs(ours[:, w:c]).sum() > 0  # the comparison is not between empty rows
    assert [block.kind for block in layout.blocks] == list(BlockKind)
    assert layout.width == ours.shape[1] == c + len(cues[0])


@pytest.mark.parametrize("size", [1, FEW_NOTES + 1, 700])
def test_norm_floors_scale_scikit_learns_rows_by_norm_over_the_floor(notes, size):
    """With floors, a row is scikit-learn's L2 row times ||raw|| / max(||raw||, floor): long
    notes are unchanged, and a note of a word or two stays small (near the prior)."""
    texts, analyses, analyser = notes
    floors = (10.0, 20.0)
    space = FeatureSpace(
        word_vectoriser(2, 2),
        char_vectoriser(3, 20000),
        [c.name for c in analyser.cue_types],
        0.25,
        norm_floors=floors,
    ).fit(texts, analyses)
    picked = list(range(len(texts) - size, len(texts)))
    sub_texts = [texts[i] for i in picked]
    sub_analyses = [analyses[i] for i in picked]
    ours = space.transform(sub_texts, sub_analyses).toarray()
    words, chars = sklearn_inputs(sub_texts, sub_analyses)
    layout = space.layout
    w, c = layout[BlockKind.WORDS].stop, layout[BlockKind.CUES].start
    all_words, all_chars = sklearn_inputs(texts, analyses)
    for vectoriser, fitted_on, documents, block, floor in (
        (space.words, all_words, words, ours[:, :w], floors[0]),
        (space.chars, all_chars, chars, ours[:, w:c], floors[1]),
    ):
        raw = clone(vectoriser).set_params(norm=None).fit(fitted_on).transform(documents)
        raw = raw.toarray()
        norms = np.linalg.norm(raw, axis=1, keepdims=True)
        np.testing.assert_allclose(block, raw / np.maximum(norms, floor), atol=1e-6)
        long_rows = norms[:, 0] > floor
        assert long_rows.any() or size == 1  # the one-note case is "ok", below the floor
        if not long_rows.any():
            continue
        # Above the floor: exactly scikit-learn's L2 rows.
        plain = vectoriser.transform([d for d, k in zip(documents, long_rows, strict=True) if k])
        np.testing.assert_allclose(block[long_rows], plain.toarray(), atol=1e-6)
    short = space.transform(["ok"], [analyser.analyse("ok")]).toarray()[0, :w]
    assert 0 < np.linalg.norm(short) < 0.7  # a full note's row has norm 1


def test_per_word_caches_stay_bounded_and_never_change_answers(notes, monkeypatch):
    """A stream of never-seen words (typos, names) must not grow a worker's memory."""
    import importlib

    import model._features as features

    # The analyser's own module: model._fast._context when the compiled pipeline runs.
    context = importlib.import_module(NoteAnalyser.__module__)

    texts, analyses, analyser = notes
    space = FeatureSpace(
        word_vectoriser(2, 2), char_vectoriser(3, 20000), [c.name for c in analyser.cue_types], 0.25
    ).fit(texts, analyses)
    monkeypatch.setattr(features, "WORD_CACHE_SIZE", 50)
    monkeypatch.setattr(context, "TERM_CACHE_SIZE", 50)
    words, chars = space._tfidf_blocks()
    fresh = NoteAnalyser()
    for i in range(400):
        text = f"male{i}x threatening neighbour{i}q with a knife at flat {i}"
        analysis = fresh.analyse(text)
        row = space.transform([text], [analysis]).toarray()
        reference = space.chars.transform([char_text(text, analysis)]).toarray()
        chars_block = space.layout[BlockKind.CHARS]
        np.testing.assert_allclose(
            row[0, chars_block.start : chars_block.stop], reference[0], atol=1e-6
        )
        assert len(chars._word_grams) <= 51
        assert len(fresh._term_cache) <= 51 + 20


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_the_ascii_table_folds_as_the_two_substitutions_do(text):
    """``char_text``'s table for an all-ASCII note: punctuation to spaces, digits to 0."""
    folded = text.encode("ascii").translate(_ASCII_CHAR_BYTES).decode("ascii")
    assert folded == _DIGIT.sub("0", _PUNCTUATION.sub(" ", text))


def _blank_and_correct_plainly(text, blanked, corrections):
    """What ``blank_and_correct`` does, done the plain way: a list of characters blanked
    span by span, then each correction put in place from the last one back."""
    chars = list(text)
    for start, end in blanked:
        chars[start:end] = " " * (end - start)
    text = "".join(chars)
    for start, end, word in reversed(corrections):
        if not text[start:end].isspace():
            text = text[:start] + word + text[end:]
    return text


@st.composite
def _text_spans_and_corrections(draw):
    text = draw(st.text(alphabet=st.sampled_from("ab c\t.é"), max_size=40))
    at = st.integers(0, len(text))
    blanked = draw(st.lists(st.tuples(at, at), max_size=5))  # overlapping, empty, inverted
    if draw(st.booleans()):  # in order and apart, as a note's terms give them
        bounds = sorted(draw(st.lists(at, max_size=8)))
        pairs = list(zip(bounds[::2], bounds[1::2], strict=False))
    else:  # anything at all
        pairs = draw(st.lists(st.tuples(at, at), max_size=4))
    words = st.sampled_from(["", "knife", "to"])
    corrections = [(start, end, draw(words)) for start, end in pairs]
    return text, blanked, corrections


@settings(max_examples=500)
@given(_text_spans_and_corrections())
def test_blanking_and_corrections_in_one_pass_equal_doing_them_one_by_one(case):
    text, blanked, corrections = case
    assert blank_and_correct(text, blanked, corrections) == _blank_and_correct_plainly(
        text, blanked, corrections
    )
