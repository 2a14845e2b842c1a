"""From an analysed note to the feature row the linear models read.

Two blocks: TF-IDF word n-grams over context-marked terms ("neg_weapon" is a
different feature from "weapon"), optional character n-grams over the normalised
text for robustness to typos, and binary cue-in-context columns. Only library types
are pickled; all text handling stays in ``model/``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from itertools import repeat

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from ._context import CONTEXTS, NoteAnalysis

_DIGIT = re.compile(r"\d")
# Bump whenever text processing or feature code changes what a note turns into: an artefact
# built by other feature code must not be loaded (its weights would mean something else).
FEATURE_VERSION = "3"
CUE_CONTEXTS = ("present", *CONTEXTS)
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
    words: list[str] = []
    index: list[int] = []
    for i, word in enumerate(analysis.terms.words):
        if word[0] == "<" or any(c.isalnum() for c in word):
            words.append(marks.get(i, "") + word)
            index.append(i)
    return FeatureWords(words, index)


def word_vectoriser(min_df: int = 2, max_ngram: int = 2) -> TfidfVectorizer:
    return TfidfVectorizer(
        token_pattern=r"\S+",
        lowercase=False,
        ngram_range=(1, max_ngram),
        min_df=min_df,
        sublinear_tf=True,
        dtype=np.float32,
    )


def char_vectoriser(min_df: int = 3, max_features: int = 60_000) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 5),
        lowercase=False,
        min_df=min_df,
        max_features=max_features,
        sublinear_tf=True,
        dtype=np.float32,
    )


class FastTfidf:
    """``TfidfVectorizer.transform`` without scikit-learn's per-call validation.

    Classifying one note is dominated by that overhead; this does the same arithmetic
    (analyser, counts, sublinear tf, idf, L2 norm) directly. Tested equal to scikit-learn.
    """

    def __init__(self, vectoriser: TfidfVectorizer) -> None:
        self.analyse = vectoriser.build_analyzer()
        self.vocabulary = vectoriser.vocabulary_
        self.idf = np.asarray(vectoriser.idf_, dtype=np.float64)
        self.sublinear = vectoriser.sublinear_tf
        self.width = len(self.vocabulary)

    def row(self, document: str) -> tuple[np.ndarray, np.ndarray]:
        """Sorted column indices and L2-normalised tf-idf values of one document."""
        counts = Counter(self.analyse(document))
        columns = np.fromiter(
            map(self.vocabulary.get, counts.keys(), repeat(-1)), np.int64, len(counts)
        )
        tf = np.fromiter(counts.values(), np.float64, len(counts))
        known = columns >= 0
        columns, tf = columns[known], tf[known]
        order = np.argsort(columns)
        columns, tf = columns[order], tf[order]
        if self.sublinear:
            tf = np.log(tf) + 1.0
        weights = tf * self.idf[columns]
        norm = np.sqrt(weights @ weights)
        return columns, (weights / norm if norm > 0 else weights)


class FeatureSpace:
    """Fitted vectorisers plus the cue column layout; picklable (library types only)."""

    def __init__(
        self,
        words: TfidfVectorizer,
        chars: TfidfVectorizer | None,
        cue_names: list[str],
        cue_weight: float = 1.0,
    ) -> None:
        self.words = words
        self.chars = chars
        self.cue_names = cue_names
        self.cue_weight = cue_weight
        self.cue_column = {
            (name, context): i * len(CUE_CONTEXTS) + j
            for i, name in enumerate(cue_names)
            for j, context in enumerate(CUE_CONTEXTS)
        }

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop("_fast", None)  # rebuilt on demand; only library types are pickled
        return state

    def _fast_transformers(self) -> tuple[FastTfidf, FastTfidf | None]:
        fast = self.__dict__.get("_fast")
        if fast is None:
            fast = (FastTfidf(self.words), FastTfidf(self.chars) if self.chars else None)
            self._fast = fast
        return fast

    @property
    def word_width(self) -> int:
        return len(self.words.vocabulary_)

    @property
    def char_width(self) -> int:
        return 0 if self.chars is None else len(self.chars.vocabulary_)

    @property
    def cue_offset(self) -> int:
        return self.word_width + self.char_width

    def fit(self, texts: list[str], analyses: list[NoteAnalysis]) -> FeatureSpace:
        self.words.fit([" ".join(feature_words(a).words) for a in analyses])
        if self.chars is not None:
            self.chars.fit([char_text(t, a) for t, a in zip(texts, analyses, strict=True)])
        return self

    def cue_columns(self, analysis: NoteAnalysis) -> list[int]:
        return sorted({self.cue_column[(c.cue, c.context)] for c in analysis.cues})

    def transform(self, texts: list[str], analyses: list[NoteAnalysis]) -> sp.csr_matrix:
        """One CSR row per note: word block, char block, then cue block."""
        words, chars = self._fast_transformers()
        char_offset = self.word_width
        cue_offset = self.cue_offset
        indptr, indices, values = [0], [], []
        for text, analysis in zip(texts, analyses, strict=True):
            columns, weights = words.row(" ".join(feature_words(analysis).words))
            parts = [(columns, weights)]
            if chars is not None:
                columns, weights = chars.row(char_text(text, analysis))
                parts.append((columns + char_offset, weights))
            cues = np.asarray(self.cue_columns(analysis), dtype=np.int64)
            parts.append((cues + cue_offset, np.full(len(cues), self.cue_weight)))
            indices.extend(p[0] for p in parts)
            values.extend(p[1] for p in parts)
            indptr.append(indptr[-1] + sum(len(p[0]) for p in parts))
        width = cue_offset + len(self.cue_names) * len(CUE_CONTEXTS)
        return sp.csr_matrix(
            (
                np.concatenate(values).astype(np.float32),
                np.concatenate(indices).astype(np.int32),
                np.asarray(indptr, dtype=np.int32),
            ),
            shape=(len(texts), width),
        )


def char_text(text: str, analysis: NoteAnalysis) -> str:
    """Normalised text for character n-grams, without cues that are not present.

    Character n-grams cannot see context, so "denies suicidal thoughts" would otherwise
    still say "suicidal"; those words are carried by the context-marked word features.
    Identity words are blanked too, as they are neutralised in the word features.
    """
    normalised = analysis.normalised
    blanked = [
        (c.start, c.end) for c in analysis.cues if c.context != "present" and c.label != "none"
    ]
    blanked += analysis.terms.identity_spans
    if blanked:
        chars = list(normalised)
        for start, end in blanked:
            chars[start:end] = " " * (end - start)
        normalised = "".join(chars)
    # Digits are folded as in the word features, so ages and times cannot move a score.
    return " ".join(_DIGIT.sub("0", normalised).split())
