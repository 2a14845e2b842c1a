"""Long notes read a few sentences at a time, as well as whole.

A linear model over length-normalised TF-IDF rows dilutes one sentence that matters among
two hundred words that do not: "he has a knife to her throat" buried in a running log
scores as if it were barely there. Labels are about anything in the note, so a long note
scores the highest of the whole note and of each run of whole sentences that fits in a
window the size of the notes the model was trained on. Sentences are kept whole so a
negation, history or hypothetical trigger stays in the window with what it scopes.

A window is read from the note's own analysis (``window_analysis``), not analysed again:
its terms, cues and contexts are those the whole note gave them. Analysing each window
afresh cost more than the rest of a long note's scoring and agreed with the slice on the
feature inputs of every window of the test split and public file (and on 1,148 of 1,155 in
dev, where a person description at a window's first word read differently out of context).
Compiled with the term pipeline (``model/_fast``); the classifier gathers a batch's windows
through its engine's copy.
"""

from __future__ import annotations

from collections.abc import Callable

from ._context import NoteAnalysis
from ._text import Terms

LONG_NOTE_TERMS = 60  # notes up to this many terms are scored whole only
WINDOW_TERMS = 40  # the most terms in one window of whole sentences


def long_note_windows(
    texts: list[str],
    analyses: list[NoteAnalysis],
    sentence_starts: Callable[[list[str]], list[int]],
) -> tuple[list[int], list[str], list[NoteAnalysis]]:
    """Every window of each long note among ``texts``: the note's row, the window's text and
    its analysis. ``sentence_starts`` is ``NoteAnalyser.sentence_starts``."""
    owners: list[int] = []
    pieces: list[str] = []
    windows: list[NoteAnalysis] = []
    for row, (text, analysis) in enumerate(zip(texts, analyses, strict=True)):
        words = analysis.terms.words
        if len(words) <= LONG_NOTE_TERMS:
            continue  # scored whole only
        for first, last in window_terms(analysis, sentence_starts(words)):
            owners.append(row)
            start, end = window_span(analysis, first, last)
            pieces.append(text[start:end])
            windows.append(window_analysis(analysis, first, last))
    return owners, pieces, windows


def window_terms(analysis: NoteAnalysis, starts: list[int]) -> list[tuple[int, int]]:
    """Term index ranges [first, last) of a long note's windows; [] for a short note.

    ``starts`` are the term indices where sentences start (``NoteAnalyser.sentence_starts``).
    """
    terms = analysis.terms
    count = len(terms.words)
    if count <= LONG_NOTE_TERMS:
        return []
    bounds = [*starts, count]
    ranges: list[tuple[int, int]] = []
    last_end = -1
    for i in range(len(bounds) - 1):
        j = i + 1
        while j + 1 < len(bounds) and bounds[j + 1] - bounds[i] <= WINDOW_TERMS:
            j += 1
        first, last = bounds[i], bounds[j] - 1
        if last < first or bounds[j] <= last_end:
            continue  # nothing new: this window lies inside the one before
        last_end = bounds[j]
        ranges.append((first, last + 1))
    return ranges


def window_span(analysis: NoteAnalysis, first: int, last: int) -> tuple[int, int]:
    """The characters of the note that terms [first, last) cover: the window's text."""
    return analysis.terms.starts[first], analysis.terms.ends[last - 1]


def window_analysis(analysis: NoteAnalysis, first: int, last: int) -> NoteAnalysis:
    """The note's analysis of terms [first, last), with offsets into the window's text
    (``window_span``)."""
    terms = analysis.terms
    start, end = window_span(analysis, first, last)
    window = Terms(
        terms.words[first:last],
        [s - start for s in terms.starts[first:last]],
        [e - start for e in terms.ends[first:last]],
        [(s - start, e - start) for s, e in terms.identity_spans if s >= start and e <= end],
        [(s - start, e - start, w) for s, e, w in terms.corrections if s >= start and e <= end],
    )
    cues = [
        # Made directly as the analyser's own class (``_replace`` cost three times as much,
        # and the named tuple's generated ``__new__`` is a Python frame).
        tuple.__new__(
            type(cue),
            (
                cue.cue,
                cue.label,
                cue.term_start - first,
                cue.term_end - first,
                cue.start - start,
                cue.end - start,
                cue.negated,
                cue.historical,
                cue.hypothetical,
            ),
        )
        for cue in analysis.cues
        if cue.term_start >= first and cue.term_end <= last
    ]
    historical = frozenset(i - first for i in analysis.historical_terms if first <= i < last)
    return NoteAnalysis(analysis.normalised[start:end], window, cues, {}, historical)
