"""Long notes are also scored a few whole sentences at a time, each window read from the
note's own analysis."""

from __future__ import annotations

import json

import numpy as np
import pytest

from model import LABELS
from model._windows import LONG_NOTE_TERMS, window_analysis, window_span, window_terms

from ..conftest import CORPUS, PUBLIC_EVAL

FILLER = "Caller states the neighbour's car is parked across the drive again this week. "
THREAT = "Now he has a knife to her throat and says he will kill her. "


def _texts(path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines if line.strip()]


def _windows(classifier, text):
    analyser = classifier.analyser
    analysis = analyser.analyse(text)
    ranges = window_terms(analysis, analyser.sentence_starts(analysis.terms.words))
    return analysis, ranges


def test_a_short_note_has_no_windows(classifier):
    analysis, ranges = _windows(classifier, FILLER + THREAT)
    assert len(analysis.terms.words) <= LONG_NOTE_TERMS and ranges == []


def test_a_threat_buried_in_a_long_note_is_not_diluted(classifier):
    text = FILLER * 8 + THREAT + FILLER * 8
    _, ranges = _windows(classifier, text)
    assert len(ranges) >= 3
    ttl = LABELS.index("threat_to_life")
    whole = classifier._probabilities(
        classifier._parts([text], [classifier.analyser.analyse(text)])
    )
    windowed = classifier.probabilities([text])
    assert windowed[0, ttl] > whole[0, ttl]
    assert windowed[0, ttl] >= classifier.probabilities([THREAT])[0, ttl] - 0.05


@pytest.mark.parametrize("source", ["test", "public"])
def test_a_window_reads_as_the_same_features_as_its_text_analysed_alone(classifier, source):
    if source == "public" and not PUBLIC_EVAL.exists():
        pytest.skip("the shared public file is not beside this checkout")
    texts = _texts(CORPUS / "test.jsonl" if source == "test" else PUBLIC_EVAL)
    space, analyser = classifier.space, classifier.analyser
    checked = 0
    for text in texts:
        analysis, ranges = _windows(classifier, text)
        for first, last in ranges:
            start, end = window_span(analysis, first, last)
            piece = text[start:end]
            window = window_analysis(analysis, first, last)
            # Offsets point into the window's own text.
            spans_in = [*zip(window.terms.starts, window.terms.ends, strict=True)]
            spans_in += [(cue.start, cue.end) for cue in window.cues]
            assert all(0 <= s < e <= len(piece) and piece[s:e].strip() for s, e in spans_in)
            ours, alone = space.inputs(piece, window), space.inputs(piece, analyser.analyse(piece))
            assert (ours.words, ours.chars, ours.cues) == (alone.words, alone.chars, alone.cues)
            checked += 1
    assert checked >= (1000 if source == "test" else 20)


def test_windows_score_the_same_alone_and_in_a_batch(classifier):
    texts = [t for t in _texts(CORPUS / "test.jsonl") if len(t) > 600][:40]
    assert len(texts) == 40
    batch = classifier.probabilities(texts)
    alone = np.vstack([classifier.probabilities([t]) for t in texts])
    np.testing.assert_allclose(batch, alone, atol=1e-6)
