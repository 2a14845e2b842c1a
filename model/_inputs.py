"""What the feature blocks read from an analysed note: context-marked words, the blanked
character text and the cue columns.

Pure functions of a note's analysis, compiled with the term pipeline (``model/_fast``): the
classifier reads a note's inputs through its engine's copy, training through this one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._context import NoteAnalysis

_DIGIT = re.compile(r"\d")
# Punctuation never enters a character n-gram: "seen," and "seen" are the same word.
_PUNCTUATION = re.compile(r"[^\w\s]")
_PREFIX = {"negated": "neg_", "historical": "hist_", "hypothetical": "hyp_"}


@dataclass(slots=True)
class FeatureWords:
    """Context-marked words fed to the word vectoriser, with the term index of each."""

    words: list[str]
    term_index: list[int]


def feature_words(analysis: NoteAnalysis) -> FeatureWords:
    cached = analysis.derived.get("feature_words")
    if cached is None:
        cached = analysis.derived["feature_words"] = _feature_words(analysis)
    return cached


def _feature_words(analysis: NoteAnalysis) -> FeatureWords:
    marks: dict[int, str] = {}
    for cue in analysis.cues:
        if cue.context == "present":
            continue
        for i in range(cue.term_start, cue.term_end):
            marks.setdefault(i, _PREFIX[cue.context])
    for i in analysis.historical_terms:
        marks.setdefault(i, "hist_")
    # One pass (typed where compiled: model/_fast/_inputs.pxd), keeping each feature word.
    known = _FEATURE_WORD
    words: list[str] = []
    index: list[int] = []
    for i, word in enumerate(analysis.terms.words):
        keep = known.get(word)
        if keep is None:
            keep = _is_feature_word(word)
        if keep:
            index.append(i)
            words.append(marks[i] + word if marks and i in marks else word)
    return FeatureWords(words, index)


_FEATURE_WORD: dict[str, bool] = {}


def _is_feature_word(word: str) -> bool:
    """Punctuation-only terms are not features (the cache: terms repeat across notes)."""
    if len(_FEATURE_WORD) > 100_000:
        _FEATURE_WORD.clear()
    keep = _FEATURE_WORD[word] = word[0] == "<" or any(c.isalnum() for c in word)
    return keep


@dataclass(slots=True)
class NoteInputs:
    """What the feature blocks read from one note: small enough to keep for 200k notes."""

    words: list[str]
    chars: str
    cues: list[int]


def note_inputs(
    text: str, analysis: NoteAnalysis, with_chars: bool, cue_column: dict[tuple[str, str], int]
) -> NoteInputs:
    """A note's inputs; ``cue_column`` maps (cue, context) to its column in the cue block."""
    return NoteInputs(
        feature_words(analysis).words,
        char_text(text, analysis) if with_chars else "",
        sorted({cue_column[(c.cue, c.context)] for c in analysis.cues}),
    )


def char_text(text: str, analysis: NoteAnalysis) -> str:
    """Normalised text for character n-grams, without cues that are not present.

    Character n-grams cannot see context, so "denies suicidal thoughts" would otherwise
    still say "suicidal"; those words are carried by the context-marked word features.
    Identity words are blanked too, as they are neutralised in the word features.
    """
    blanked = [
        (c.start, c.end) for c in analysis.cues if c.context != "present" and c.label != "none"
    ]
    blanked += analysis.terms.identity_spans
    starts, ends = analysis.terms.starts, analysis.terms.ends
    blanked += [(starts[i], ends[i]) for i in analysis.historical_terms]
    normalised = blank_and_correct(analysis.normalised, blanked, analysis.terms.corrections)
    if normalised.isascii():
        folded = normalised.encode("ascii").translate(_ASCII_CHAR_BYTES).decode("ascii")
        return " ".join(folded.split())
    return " ".join(fold_for_chars(normalised).split())


def blank_and_correct(
    text: str, blanked: list[tuple[int, int]], corrections: list[tuple[int, int, str]]
) -> str:
    """``text`` with each blanked span made spaces, then each correction (start, end, word:
    a typing slip read as the word it was corrected to, here as in the word features) put in
    place of its span unless that span is all spaces by then.

    One pass over slices: copying the note into a list of characters, and again for each
    correction, cost more than the rest of a note's character text (tested equal to doing so).
    """
    if blanked:
        pieces = []
        at = 0  # text before ``at`` is done
        for start, end in sorted(blanked):
            if end <= start or end <= at:
                continue  # empty, or inside a span blanked already
            start = max(start, at)
            pieces += (text[at:start], " " * (end - start))
            at = end
        pieces.append(text[at:])
        text = "".join(pieces)
    if not corrections:
        return text
    pieces = []
    at = 0
    for start, end, word in corrections:
        if start < at or end < start:
            return _correct_one_by_one(text, corrections)  # not in order: never seen
        pieces.append(text[at:start])
        span = text[start:end]
        pieces.append(span if span.isspace() else word)
        at = end
    pieces.append(text[at:])
    return "".join(pieces)


def _correct_one_by_one(text: str, corrections: list[tuple[int, int, str]]) -> str:
    for start, end, word in reversed(corrections):
        if not text[start:end].isspace():
            text = text[:start] + word + text[end:]
    return text


def fold_for_chars(text: str) -> str:
    """Punctuation to spaces and digits to 0, as in the word features (so ages and times
    cannot move a score)."""
    return _DIGIT.sub("0", _PUNCTUATION.sub(" ", text))


# ``fold_for_chars`` as one byte table, for the usual all-ASCII note (every character maps to
# one: a bytes translation costs a third of a str one, which looks each character up).
_ASCII_CHAR_BYTES = bytes(ord(fold_for_chars(chr(b))) for b in range(128)) + bytes(range(128, 256))
