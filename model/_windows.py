"""Long notes read a few sentences at a time, as well as whole.

A linear model over length-normalised TF-IDF rows dilutes one sentence that matters among
two hundred words that do not: "he has a knife to her throat" buried in a running log
scores as if it were barely there. Labels are about anything in the note, so a long note
scores the highest of the whole note and of each run of whole sentences that fits in a
window the size of the notes the model was trained on. Sentences are kept whole so a
negation, history or hypothetical trigger stays in the window with what it scopes.
"""

from __future__ import annotations

from ._context import NoteAnalysis

LONG_NOTE_TERMS = 60  # notes up to this many terms are scored whole only
WINDOW_TERMS = 40  # the most terms in one window of whole sentences


def sentence_windows(analysis: NoteAnalysis, starts: list[int]) -> list[tuple[int, int]]:
    """Character spans of the original note, one per window; [] for a short note.

    ``starts`` are the term indices where sentences start (``NoteAnalyser.sentence_starts``).
    """
    terms = analysis.terms
    count = len(terms.words)
    if count <= LONG_NOTE_TERMS:
        return []
    bounds = [*starts, count]
    spans: list[tuple[int, int]] = []
    last_end = -1
    for i in range(len(bounds) - 1):
        j = i + 1
        while j + 1 < len(bounds) and bounds[j + 1] - bounds[i] <= WINDOW_TERMS:
            j += 1
        first, last = bounds[i], bounds[j] - 1
        if last < first or bounds[j] <= last_end:
            continue  # nothing new: this window lies inside the one before
        last_end = bounds[j]
        spans.append((terms.starts[first], terms.ends[last]))
    return spans
