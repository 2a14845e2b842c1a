"""From an analysed note to the feature row the linear models read.

Three blocks: TF-IDF word n-grams over context-marked terms ("neg_weapon" is a
different feature from "weapon"), optional character n-grams over the normalised
text for robustness to typos, and binary cue-in-context columns. The fitted state is
scikit-learn's own ``TfidfVectorizer`` (its ``transform`` is the reference the tests
compare with); the arithmetic is done here a batch at a time, for speed.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from ._context import CONTEXTS, NoteAnalysis
from ._inputs import NoteInputs, note_inputs
from ._layout import BlockKind, FeatureLayout

if TYPE_CHECKING:  # scikit-learn is needed to fit, never to score
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer

# Bump whenever text processing or feature code changes what a note turns into: an artefact
# built by other feature code must not be loaded (its weights would mean something else).
FEATURE_VERSION = "7"
CUE_CONTEXTS = ("present", *CONTEXTS)


def word_vectoriser(min_df: int = 2, max_ngram: int = 2) -> TfidfVectorizer:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        token_pattern=r"\S+",
        lowercase=False,
        ngram_range=(1, max_ngram),
        min_df=min_df,
        sublinear_tf=True,
        dtype=np.float32,
    )


def char_vectoriser(min_df: int = 3, max_features: int = 60_000) -> TfidfVectorizer:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 5),
        lowercase=False,
        min_df=min_df,
        max_features=max_features,
        sublinear_tf=True,
        dtype=np.float32,
    )


def _sparse():
    """``scipy.sparse``, imported on first use: training and the numpy reference build sparse
    matrices, scoring (the typed row scorer) never does, and the import cost about 70 ms of
    every start of ``rightcall serve`` and ``rightcall score``."""
    import scipy.sparse

    return scipy.sparse


class SparseRows(NamedTuple):
    """CSR arrays without a scipy matrix around them (building one costs more than the
    arithmetic for a single note)."""

    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    shape: tuple[int, int]

    def __matmul__(self, weights: np.ndarray) -> np.ndarray:
        """Row by row, so a note scores exactly the same alone or with a few others."""
        out = np.empty((self.shape[0], weights.shape[1]))
        for row in range(self.shape[0]):
            start, end = self.indptr[row], self.indptr[row + 1]
            out[row] = self.data[start:end] @ weights[self.indices[start:end]]
        return out

    def tocsr(self) -> sp.csr_matrix:
        return _sparse().csr_matrix((self.data, self.indices, self.indptr), shape=self.shape)


class FeaturePart(NamedTuple):
    """Some columns of the feature rows: ``block``'s column 0 is global column ``first``.

    ``kind`` is the layout block it holds, or None for every block side by side.
    """

    block: sp.csr_matrix | SparseRows
    first: int
    kind: BlockKind | None


class TfidfBlock:
    """A fitted ``TfidfVectorizer``'s arithmetic, applied to a whole batch of count rows.

    scikit-learn's ``transform`` runs its analyser and counting in Python note by note;
    here n-grams are looked up (character n-grams once per distinct word) and the
    counting, sublinear tf, idf and L2 norm are done on one sparse matrix per batch.
    Tested equal to scikit-learn's ``transform``.
    """

    def __init__(
        self,
        vocabulary: dict[str, int],
        idf: np.ndarray,
        ngram_range: tuple[int, int],
        sublinear: bool = True,
        norm_floor: float = 0.0,
    ) -> None:
        self.norm_floor = norm_floor
        self.vocabulary = vocabulary
        self.idf = np.asarray(idf, dtype=np.float64)
        self.sublinear = bool(sublinear)
        self.width = len(self.vocabulary)
        self.ngram_range = (int(ngram_range[0]), int(ngram_range[1]))
        self.max_n = self.ngram_range[1]
        self._word_grams: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    @classmethod
    def from_vectoriser(cls, vectoriser: TfidfVectorizer, norm_floor: float = 0.0) -> TfidfBlock:
        return cls(
            vectoriser.vocabulary_,
            vectoriser.idf_,
            vectoriser.ngram_range,
            vectoriser.sublinear_tf,
            norm_floor,
        )

    def names(self) -> list[str]:
        """The n-gram of every column, in column order (``get_feature_names_out``)."""
        names = [""] * self.width
        for name, column in self.vocabulary.items():
            names[column] = name
        return names

    def weigh(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        """tf-idf rows from count rows without duplicate entries (index order is free)."""
        data = self.weighted_data(counts)
        # float32, as the training matrix holds them
        return _sparse().csr_matrix(
            (data.astype(np.float32), counts.indices, counts.indptr), counts.shape
        )

    def weighted_data(self, counts: sp.csr_matrix) -> np.ndarray:
        """``weigh``'s values in float64, in ``counts``' storage order."""
        data = counts.data.astype(np.float64)
        if self.sublinear:
            np.log(data, out=data)
            data += 1.0
        data *= self.idf[counts.indices]
        # Each row's sum of squares in storage order, as scikit-learn's ``normalize`` adds
        # them, so the rows are bit for bit the same without importing it.
        lengths = np.diff(counts.indptr)
        rows = np.repeat(np.arange(counts.shape[0]), lengths)
        norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=counts.shape[0]))
        divisor = np.maximum(norms, self.norm_floor)
        divisor[divisor == 0] = 1.0
        data /= np.repeat(divisor, lengths)
        return data

    def _word_columns(self, words: list[str]) -> list[int]:
        """Columns of a document's word n-grams (1 to ``max_n``), one per occurrence."""
        grams = list(words)
        for n in range(2, self.max_n + 1):
            grams += map(" ".join, zip(*(words[k:] for k in range(n)), strict=False))
        return [c for c in map(self.vocabulary.get, grams) if c is not None]

    def word_row(self, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Columns and weights of one document: the batch arithmetic without scipy."""
        counts = Counter(self._word_columns(words))
        columns = np.fromiter(counts.keys(), np.int64, len(counts))
        tf = np.fromiter(counts.values(), np.float64, len(counts))
        return columns, self._weigh_row(columns, tf)

    def char_row(self, document: str) -> tuple[np.ndarray, np.ndarray]:
        known = self._word_grams.get
        grams = [known(word) or self._grams_of(word) for word in document.split()]
        if not grams:
            return np.zeros(0, np.int64), np.zeros(0)
        columns, inverse = np.unique(np.concatenate([g[0] for g in grams]), return_inverse=True)
        counts = np.bincount(inverse, weights=np.concatenate([g[1] for g in grams]))
        return columns.astype(np.int64), self._weigh_row(columns, counts)

    def _weigh_row(self, columns: np.ndarray, counts: np.ndarray) -> np.ndarray:
        if self.sublinear:
            counts = np.log(counts) + 1.0
        weights = counts * self.idf[columns]
        norm = max(np.sqrt(weights @ weights), self.norm_floor)
        return weights / norm if norm > 0 else weights

    def word_counts(self, documents: list[list[str]]) -> sp.csr_matrix:
        """Word n-gram counts (1 to ``max_n``) of documents given as word lists."""
        rows: list[int] = []
        columns: list[int] = []
        for row, words in enumerate(documents):
            found = self._word_columns(words)
            columns += found
            rows += [row] * len(found)
        return _counts(rows, columns, (len(documents), self.width))

    def char_counts(self, documents: list[str]) -> sp.csr_matrix:
        """``char_wb`` n-gram counts: the sum over a document's words of each word's n-grams."""
        index: dict[str, int] = {}
        rows: list[int] = []
        columns: list[int] = []
        for row, document in enumerate(documents):
            words = document.split()
            columns += [index.setdefault(w, len(index)) for w in words]
            rows += [row] * len(words)
        per_word = _counts(rows, columns, (len(documents), len(index)))
        grams = [self._grams_of(word) for word in index]
        lengths = np.fromiter((len(g[0]) for g in grams), np.int64, len(grams))
        indptr = np.concatenate(([0], np.cumsum(lengths)))
        empty = np.zeros(0)
        word_grams = _sparse().csr_matrix(
            (
                np.concatenate([g[1] for g in grams]) if grams else empty,
                np.concatenate([g[0] for g in grams]) if grams else empty.astype(np.int32),
                indptr,
            ),
            shape=(len(index), self.width),
        )
        return (per_word @ word_grams).tocsr()

    def _grams_of(self, word: str) -> tuple[np.ndarray, np.ndarray]:
        known = self._word_grams.get(word)
        if known is None:
            if len(self._word_grams) > WORD_CACHE_SIZE:
                self._word_grams.clear()
            low, high = self.ngram_range
            counts = Counter(char_wb_grams(word, low, high))
            pairs = sorted(
                (column, n)
                for column, n in zip(map(self.vocabulary.get, counts), counts.values(), strict=True)
                if column is not None
            )
            known = (
                np.array([c for c, _ in pairs], dtype=np.int32),
                np.array([n for _, n in pairs], dtype=np.float64),
            )
            self._word_grams[word] = known
        return known


def char_wb_grams(word: str, low: int, high: int) -> list[str]:
    """scikit-learn's ``char_wb`` n-grams of one word (no white space inside): padded with a
    space each side; a word shorter than ``n`` gives one n-gram."""
    padded = f" {word} "
    size = len(padded)
    grams = []
    for n in range(low, high + 1):
        if size <= n:
            grams.append(padded)
            break
        grams += [padded[i : i + n] for i in range(size - n + 1)]
    return grams


# Up to this many notes, rows are built one by one: scipy's per-call overhead (about 0.85 ms
# a batch) costs more than numpy row by row below about 14 notes (benchmarks, 2026-12-06).
FEW_NOTES = 12
# Distinct words whose character n-grams one process remembers; past this it starts again.
WORD_CACHE_SIZE = 50_000


def _counts(rows: list[int], columns: list[int], shape: tuple[int, int]) -> sp.csr_matrix:
    """Sparse counts from (row, column) occurrences; duplicates are summed."""
    return _sparse().csr_matrix(
        (
            np.ones(len(columns)),
            (np.asarray(rows, dtype=np.int64), np.asarray(columns, dtype=np.int64)),
        ),
        shape=shape,
    )


class FeatureSpace:
    """Fitted vectorisers, the cue columns, and the layout of the rows they make."""

    def __init__(
        self,
        words: TfidfVectorizer | None,
        chars: TfidfVectorizer | None,
        cue_names: list[str],
        cue_weight: float = 1.0,
        norm_floors: tuple[float, float] = (0.0, 0.0),
    ) -> None:
        self.words = words
        self.chars = chars
        self.norm_floors = norm_floors
        self.cue_names = cue_names
        self.cue_weight = cue_weight
        self.cue_column = {
            (name, context): i * len(CUE_CONTEXTS) + j
            for i, name in enumerate(cue_names)
            for j, context in enumerate(CUE_CONTEXTS)
        }

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        if self.words is not None:  # else the blocks are all there is
            state.pop("_blocks", None)  # caches, rebuilt on demand
        state.pop("_layout", None)
        return state

    @classmethod
    def from_blocks(
        cls,
        words: TfidfBlock,
        chars: TfidfBlock | None,
        cue_names: list[str],
        cue_weight: float = 1.0,
    ) -> FeatureSpace:
        """A space that can only score: fitted blocks without the vectorisers behind them
        (loading it needs no scikit-learn)."""
        space = cls(
            None,
            None,
            cue_names,
            cue_weight,
            (words.norm_floor, chars.norm_floor if chars else 0.0),
        )
        space._blocks = (words, chars)
        return space

    def blocks(self) -> tuple[TfidfBlock, TfidfBlock | None]:
        """The fitted word and character blocks (None without character n-grams)."""
        return self._tfidf_blocks()

    def _tfidf_blocks(self) -> tuple[TfidfBlock, TfidfBlock | None]:
        blocks = self.__dict__.get("_blocks")
        if blocks is None:
            # Artefacts from before norm floors were a setting normalise every row fully.
            word_floor, char_floor = getattr(self, "norm_floors", (0.0, 0.0))
            blocks = (
                TfidfBlock.from_vectoriser(self.words, word_floor),
                TfidfBlock.from_vectoriser(self.chars, char_floor) if self.chars else None,
            )
            self._blocks = blocks
        return blocks

    @property
    def has_chars(self) -> bool:
        if self.words is not None:  # possibly not fitted yet
            return self.chars is not None
        return self._tfidf_blocks()[1] is not None

    def word_names(self) -> list[str]:
        """Each word-block column's n-gram, in column order."""
        return self._tfidf_blocks()[0].names()

    @property
    def word_max_n(self) -> int:
        return self._tfidf_blocks()[0].max_n

    @property
    def layout(self) -> FeatureLayout:
        """The blocks of a row, in order (the fitted vocabularies give their widths)."""
        layout = self.__dict__.get("_layout")
        if layout is None:
            words, chars = self._tfidf_blocks()
            layout = self._layout = FeatureLayout(
                [
                    (BlockKind.WORDS, words.width),
                    (BlockKind.CHARS, 0 if chars is None else chars.width),
                    (BlockKind.CUES, len(self.cue_names) * len(CUE_CONTEXTS)),
                ]
            )
        return layout

    def inputs(self, text: str, analysis: NoteAnalysis) -> NoteInputs:
        return note_inputs(text, analysis, self.has_chars, self.cue_column)

    def fit(self, texts: list[str], analyses: list[NoteAnalysis]) -> FeatureSpace:
        return self.fit_inputs([self.inputs(t, a) for t, a in zip(texts, analyses, strict=True)])

    def fit_inputs(self, inputs: list[NoteInputs]) -> FeatureSpace:
        from ._vocabulary import fit_vectoriser  # fitting needs scikit-learn

        if self.words is None:
            raise TypeError("a feature space loaded for scoring only cannot be fitted")
        fit_vectoriser(self.words, [i.words for i in inputs], by_word=False)
        if self.chars is not None:
            fit_vectoriser(self.chars, [i.chars for i in inputs], by_word=True)
        self.__dict__.pop("_blocks", None)
        self.__dict__.pop("_layout", None)
        return self

    def transform(self, texts: list[str], analyses: list[NoteAnalysis]) -> sp.csr_matrix:
        """One CSR row per note: word block, char block, then cue block."""
        return self.transform_inputs(
            [self.inputs(t, a) for t, a in zip(texts, analyses, strict=True)]
        )

    def transform_inputs(self, inputs: list[NoteInputs]) -> sp.csr_matrix:
        parts = self.transform_parts(inputs)
        if len(parts) == 1:
            return parts[0].block.tocsr()
        matrix = _sparse().hstack([part.block for part in parts], format="csr", dtype=np.float32)
        matrix.indices = matrix.indices.astype(np.int32, copy=False)
        matrix.indptr = matrix.indptr.astype(np.int32, copy=False)
        return matrix

    def transform_parts(self, inputs: list[NoteInputs]) -> list[FeaturePart]:
        """Feature rows in column blocks: one matrix for a few notes, else the word, char
        and cue blocks, so that scoring need not join them."""
        if len(inputs) <= FEW_NOTES:
            return [FeaturePart(self._transform_few(inputs), 0, None)]
        layout = self.layout
        words, chars = self._tfidf_blocks()
        word_counts = words.word_counts([i.words for i in inputs])
        parts = [
            FeaturePart(words.weigh(word_counts), layout[BlockKind.WORDS].start, BlockKind.WORDS)
        ]
        if chars is not None:
            counts = chars.char_counts([i.chars for i in inputs])
            parts.append(
                FeaturePart(chars.weigh(counts), layout[BlockKind.CHARS].start, BlockKind.CHARS)
            )
        cues = layout[BlockKind.CUES]
        rows = [r for r, i in enumerate(inputs) for _ in i.cues]
        columns = [c for i in inputs for c in i.cues]
        cue_block = _sparse().csr_matrix(
            (np.full(len(columns), self.cue_weight, dtype=np.float32), (rows, columns)),
            shape=(len(inputs), cues.width),
        )
        parts.append(FeaturePart(cue_block, cues.start, BlockKind.CUES))
        return parts

    def _transform_few(self, inputs: list[NoteInputs]) -> SparseRows:
        """The per-keystroke path: rows built with numpy; no scipy call at all."""
        words, chars = self._tfidf_blocks()
        layout = self.layout
        char_start, cue_start = layout[BlockKind.CHARS].start, layout[BlockKind.CUES].start
        columns: list[np.ndarray] = []
        values: list[np.ndarray] = []
        indptr = [0]
        for note in inputs:
            parts = [words.word_row(note.words)]
            if chars is not None:
                char_columns, char_weights = chars.char_row(note.chars)
                parts.append((char_columns + char_start, char_weights))
            cues = np.asarray(note.cues, dtype=np.int64) + cue_start
            parts.append((cues, np.full(len(cues), self.cue_weight)))
            columns += [c for c, _ in parts]
            values += [v for _, v in parts]
            indptr.append(indptr[-1] + sum(len(c) for c, _ in parts))
        return SparseRows(
            np.concatenate(values).astype(np.float32),
            np.concatenate(columns).astype(np.int32),
            np.asarray(indptr, dtype=np.int32),
            (len(inputs), layout.width),
        )
