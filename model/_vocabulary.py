"""Fitting a ``TfidfVectorizer``'s vocabulary and idf the way scikit-learn does, in batches.

scikit-learn's ``fit`` keeps every n-gram occurrence of the corpus in Python lists (about
3 GiB for 200,000 notes of character n-grams); this counts document and term frequencies
a batch at a time, reusing each distinct word's character n-grams, then applies the same
rules: alphabetical order, ``min_df``, the ``max_features`` most frequent, smoothed idf.
Tested to give scikit-learn's vocabulary and idf.
"""

from __future__ import annotations

from collections import Counter
from numbers import Integral

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

BATCH = 5_000


def fit_vectoriser(vectoriser: TfidfVectorizer, documents: list, by_word: bool) -> None:
    """Fit in place. ``documents``: word lists (``by_word=False``) or ``char_wb`` strings."""
    if not (vectoriser.max_df == 1.0 and vectoriser.smooth_idf and vectoriser.use_idf):
        raise ValueError("only max_df=1.0 with smoothed idf is supported")
    grams: dict[str, int] = {}
    df = np.zeros(0, dtype=np.int64)
    tf = np.zeros(0, dtype=np.int64)
    analyse = vectoriser.build_analyzer()
    low, high = vectoriser.ngram_range
    word_grams: dict[str, tuple[int, ...]] = {}  # a word's char n-grams, as n-gram ids
    for first in range(0, len(documents), BATCH):
        columns: list[int] = []
        values: list[int] = []
        for document in documents[first : first + BATCH]:
            if by_word:
                counts: Counter = Counter()
                for word in document.split():
                    ids = word_grams.get(word)
                    if ids is None:
                        ids = tuple(grams.setdefault(g, len(grams)) for g in analyse(word))
                        word_grams[word] = ids
                    counts.update(ids)
                columns += counts.keys()
            else:
                counts = Counter(_word_ngrams(document, low, high))
                columns += [grams.setdefault(g, len(grams)) for g in counts]
            values += counts.values()
        df = _add(df, np.bincount(columns, minlength=len(grams)))
        tf = _add(tf, np.bincount(columns, weights=values, minlength=len(grams)).astype(np.int64))
    vocabulary, kept_df = _prune(grams, df, tf, vectoriser, len(documents))
    vectoriser.vocabulary_ = vocabulary
    vectoriser.fixed_vocabulary_ = False
    vectoriser.idf_ = _smoothed_idf(kept_df, len(documents), vectoriser.dtype)


def _word_ngrams(words: list[str], low: int, high: int) -> list[str]:
    grams = list(words) if low == 1 else []
    for n in range(max(low, 2), high + 1):
        grams += map(" ".join, zip(*(words[k:] for k in range(n)), strict=False))
    return grams


def _add(total: np.ndarray, batch: np.ndarray) -> np.ndarray:
    """Add a batch's frequencies to the running ones (new n-grams get new columns)."""
    total = np.concatenate([total, np.zeros(len(batch) - len(total), total.dtype)])
    total += batch
    return total


def _prune(
    grams: dict[str, int], df: np.ndarray, tf: np.ndarray, vectoriser: TfidfVectorizer, n: int
) -> tuple[dict[str, int], np.ndarray]:
    """``CountVectorizer._sort_features`` + ``_limit_features``, on frequency arrays."""
    names = sorted(grams)
    order = np.fromiter((grams[g] for g in names), np.int64, len(names))
    df, tf = df[order], tf[order]
    min_df = vectoriser.min_df
    min_df = min_df if isinstance(min_df, Integral) else min_df * n
    mask = df >= min_df
    limit = vectoriser.max_features
    if limit is not None and mask.sum() > limit:
        # scikit-learn sums the count matrix in its dtype; ties are broken as its argsort does.
        tfs = tf.astype(vectoriser.dtype)
        chosen = (-tfs[mask]).argsort()[:limit]
        new_mask = np.zeros(len(df), dtype=bool)
        new_mask[np.where(mask)[0][chosen]] = True
        mask = new_mask
    kept = np.flatnonzero(mask)
    if len(kept) == 0:
        raise ValueError("After pruning, no terms remain. Try a lower min_df.")
    return {names[i]: k for k, i in enumerate(kept.tolist())}, df[kept]


def _smoothed_idf(df: np.ndarray, n: int, dtype) -> np.ndarray:
    """``TfidfTransformer.fit`` with ``smooth_idf=True``, in the same dtype."""
    dtype = dtype if dtype in (np.float64, np.float32) else np.float64
    df = df.astype(dtype) + 1.0
    idf = np.full_like(df, fill_value=n + 1, dtype=dtype)
    idf /= df
    np.log(idf, out=idf)
    idf += 1.0
    return idf
