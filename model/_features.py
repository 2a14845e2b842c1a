"""From an analysed note to the feature row the linear models read.

Two blocks: TF-IDF word n-grams over context-marked terms ("neg_weapon" is a
different feature from "weapon"), optional character n-grams over the normalised
text for robustness to typos, and binary cue-in-context columns. Only library types
are pickled; all text handling stays in ``model/``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from ._context import CONTEXTS, NoteAnalysis
from ._text import normalise

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

    def cue_matrix(self, analyses: list[NoteAnalysis]) -> sp.csr_matrix:
        rows, cols = [], []
        for r, analysis in enumerate(analyses):
            seen = {self.cue_column[(c.cue, c.context)] for c in analysis.cues}
            rows.extend([r] * len(seen))
            cols.extend(seen)
        data = np.full(len(rows), self.cue_weight, dtype=np.float32)
        shape = (len(analyses), len(self.cue_names) * len(CUE_CONTEXTS))
        return sp.csr_matrix((data, (rows, cols)), shape=shape)

    def transform(self, texts: list[str], analyses: list[NoteAnalysis]) -> sp.csr_matrix:
        blocks = [self.words.transform([" ".join(feature_words(a).words) for a in analyses])]
        if self.chars is not None:
            blocks.append(
                self.chars.transform(
                    [char_text(t, a) for t, a in zip(texts, analyses, strict=True)]
                )
            )
        blocks.append(self.cue_matrix(analyses))
        return sp.hstack(blocks, format="csr")


def char_text(text: str, analysis: NoteAnalysis) -> str:
    """Normalised text for character n-grams, without cues that are not present.

    Character n-grams cannot see context, so "denies suicidal thoughts" would otherwise
    still say "suicidal"; those words are carried by the context-marked word features.
    Identity words are blanked too, as they are neutralised in the word features.
    """
    normalised = normalise(text)
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
