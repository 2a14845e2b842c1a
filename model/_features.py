"""From an analysed note to the feature row the linear models read.

Two blocks: TF-IDF word n-grams over context-marked terms ("neg_weapon" is a
different feature from "weapon"), optional character n-grams over the normalised
text for robustness to typos, and binary cue-in-context columns. Only library types
are pickled; all text handling stays in ``model/``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from ._context import CONTEXTS, NoteAnalysis

CUE_CONTEXTS = ("present", *CONTEXTS)
_PREFIX = {"negated": "neg_", "historical": "hist_", "hypothetical": "hyp_"}


@dataclass(slots=True)
class FeatureWords:
    """Context-marked words fed to the word vectoriser, with the term index of each."""

    words: list[str]
    term_index: list[int]


def feature_words(analysis: NoteAnalysis) -> FeatureWords:
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
        self.idf = np.asarray(vectoriser.idf_, dtype=np.float64).tolist()
        self.sublinear = vectoriser.sublinear_tf
        self.width = len(self.vocabulary)

    def row(self, document: str) -> tuple[list[int], list[float]]:
        """Sorted column indices and L2-normalised tf-idf values of one document."""
        counts: dict[int, int] = {}
        vocabulary = self.vocabulary
        for gram in self.analyse(document):
            column = vocabulary.get(gram)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        columns = sorted(counts)
        idf = self.idf
        if self.sublinear:
            values = [(math.log(counts[c]) + 1.0) * idf[c] for c in columns]
        else:
            values = [counts[c] * idf[c] for c in columns]
        norm = math.sqrt(math.fsum(v * v for v in values))
        if norm > 0:
            values = [v / norm for v in values]
        return columns, values


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
            indices += columns
            values += weights
            if chars is not None:
                columns, weights = chars.row(char_text(text, analysis))
                indices += [c + char_offset for c in columns]
                values += weights
            cues = self.cue_columns(analysis)
            indices += [c + cue_offset for c in cues]
            values += [self.cue_weight] * len(cues)
            indptr.append(len(indices))
        width = cue_offset + len(self.cue_names) * len(CUE_CONTEXTS)
        return sp.csr_matrix(
            (
                np.asarray(values, dtype=np.float32),
                np.asarray(indices, dtype=np.int32),
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
    return " ".join(normalised.split())
